"""A customer's website written without https:// ("example.com") is stored as the address a browser
opens ("https://example.com"), alike through the API, the staff form and an import (one
normaliser: `customers.websites`); what is no web address is refused with a clear message and
nothing changes."""

from __future__ import annotations

import io

import pytest

from clientbase.customers.models import Customer
from clientbase.customers.websites import normalize_website
from clientbase.transfer.services import import_file
from tests.factories import CustomerFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db

WRITTEN = [
    ("example.com", "https://example.com"),
    ("www.example.com/path", "https://www.example.com/path"),
    ("  WWW.Example.COM/Contact  ", "https://www.example.com/Contact"),
    ("http://example.com", "http://example.com"),
    ("https://example.com:8443/a?b=c", "https://example.com:8443/a?b=c"),
    ("example.com:8080", "https://example.com:8080"),
    ("", ""),
]
REFUSED = [
    ("not a site", "Not a website address."),
    ("javascript:alert(1)", "it starts with “javascript:”"),
    ("ftp://x", "it starts with “ftp:”"),
    ("mailto:office@example.com", "it starts with “mailto:”"),
    ("https://", "Not a website address."),
    ("https://bank.example@evil.example", "a user name or password before the host"),
]


def import_customers(user, text: str) -> dict:
    report = import_file(acting_user=user, kind="customers", file=io.BytesIO(text.encode()), dry_run=False)
    return report.as_dict()


@pytest.mark.parametrize(("written", "stored"), WRITTEN)
def test_the_normaliser_adds_https_and_lowers_the_host(written, stored):
    assert normalize_website(written) == stored


@pytest.mark.parametrize(("written", "stored"), WRITTEN[:3])
def test_the_api_stores_a_website_written_without_https(api, dispatcher, written, stored):
    response = api(dispatcher).post("/api/v1/customers/", {"name": "Acme", "website": written}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["website"] == stored
    assert Customer.objects.get().website == stored
    customer_id = response.json()["id"]
    patched = api(dispatcher).patch(
        f"/api/v1/customers/{customer_id}/", {"website": "acme.example"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["website"] == "https://acme.example"


@pytest.mark.parametrize(("written", "message"), REFUSED)
def test_the_api_refuses_what_is_no_website(api, dispatcher, written, message):
    customer = CustomerFactory(website="https://acme.example")
    with assert_unchanged(customer):
        response = api(dispatcher).patch(
            f"/api/v1/customers/{customer.pk}/", {"website": written}, format="json"
        )
    assert response.status_code == 400
    assert message in " ".join(response.json()["website"])
    assert "example.com or https://www.example.com/contact" in " ".join(response.json()["website"])


def test_the_staff_form_stores_a_website_written_without_https(client, dispatcher):
    client.force_login(dispatcher)
    response = client.post(
        "/customers/new/", {"name": "Fabrikam Labs", "status": "active", "website": "fabrikam.example"}
    )
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.website == "https://fabrikam.example"
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'href="https://fabrikam.example"' in page
    form = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert "https:// is added when left out" in form


@pytest.mark.parametrize(("written", "message"), REFUSED)
def test_the_staff_form_refuses_what_is_no_website_and_keeps_the_input(client, dispatcher, written, message):
    customer = CustomerFactory(name="Fabrikam Labs", website="https://fabrikam.example")
    client.force_login(dispatcher)
    with assert_unchanged(customer):
        response = client.post(
            f"/customers/{customer.pk}/edit/",
            {"name": "Fabrikam Labs", "status": "active", "website": written, "version": customer.version},
        )
    assert response.status_code == 200
    page = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert message in page
    assert 'id="id_website"' in page and "field--invalid" in page


def test_an_import_stores_a_website_written_without_https_and_reimports_it_unchanged(dispatcher):
    report = import_customers(dispatcher, "name,website\nAcme,acme.example\nBeta,www.beta.example/contact\n")
    assert (report["created"], report["errors"]) == (2, [])
    assert dict(Customer.objects.values_list("name", "website")) == {
        "Acme": "https://acme.example",
        "Beta": "https://www.beta.example/contact",
    }
    again = import_customers(
        dispatcher, "name,website\nAcme,acme.example\nBeta,https://www.beta.example/contact\n"
    )
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


@pytest.mark.parametrize(("written", "message"), REFUSED)
def test_an_import_refuses_what_is_no_website(dispatcher, written, message):
    customer = CustomerFactory(name="Acme", website="https://acme.example")
    with assert_unchanged(customer):
        report = import_customers(dispatcher, f'name,website\nAcme,"{written}"\n')
    assert report["updated"] == 0
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(2, "website")]
    assert message in report["errors"][0]["message"]
