"""Who decides where a notification category's mail goes (`clientbase.contacts.policies`): a
portal user opts a contact into a category, or changes the address of a contact opted into it,
only when it may see that category's records itself (work orders, quotes, invoices). Otherwise a
portal user with only `edit_contacts` would read every invoice by mail while the billing pages
and the invoices endpoint refuse it. Staff are not bound by this rule. Every surface that writes
a contact (API, portal pages, import) asks the same rule."""

from __future__ import annotations

import pytest

from clientbase.contacts.models import Contact
from tests.contacts.test_field_rules import everything, portal_client, run_import, scene  # noqa: F401
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/"


def portal_user(scene, permissions, email):  # noqa: F811
    login = UserFactory(username=email, is_staff=False)
    return ContactFactory(
        customer=scene["customer"],
        user=login,
        email=email,
        portal_enabled=True,
        portal_permissions=permissions,
    )


@pytest.fixture
def billing_clerk(scene):  # noqa: F811
    """A contact opted into invoice mails, without a login."""
    return ContactFactory(
        customer=scene["customer"],
        email="payables@northwind.example",
        role_billing=True,
        notify_invoices=True,
    )


def assert_refused(response, field, before):
    assert response.status_code == 403, response.content.decode()[:500]
    assert f"“{field}”" in response.json()["detail"]
    assert everything() == before


@pytest.mark.parametrize("category", ["invoices", "quotes", "work_orders", "completions"])
@pytest.mark.parametrize("target", ["editor", "colleague"])
def test_edit_contacts_alone_opts_nobody_into_mail_it_may_not_read(api, scene, category, target):  # noqa: F811
    before = everything()
    response = api(scene["editor"].user).patch(
        f"{URL}{scene[target].pk}/", {"notify": {category: True}}, format="json"
    )
    assert_refused(response, "notify", before)
    assert category.replace("_", " ") in response.json()["detail"]


def test_edit_contacts_alone_does_not_redirect_invoice_mail(api, scene, billing_clerk):  # noqa: F811
    before = everything()
    response = api(scene["editor"].user).patch(
        f"{URL}{billing_clerk.pk}/", {"email": "mine@attacker.example"}, format="json"
    )
    assert_refused(response, "email", before)
    assert "mine@attacker.example" not in response.content.decode()


def test_the_portal_form_does_not_redirect_invoice_mail(scene, billing_clerk):  # noqa: F811
    from tests.contacts.test_field_rules import colleague_post

    before = everything()
    response = portal_client(scene["editor"]).post(
        f"/portal/contacts/{billing_clerk.pk}/edit/",
        colleague_post(billing_clerk, email="mine@attacker.example"),
    )
    assert response.status_code == 403 and "“email”" in response.content.decode()
    assert everything() == before


def test_a_new_billing_contact_of_edit_contacts_alone_is_not_opted_into_invoices(api, scene):  # noqa: F811
    response = api(scene["editor"].user).post(
        URL,
        {
            "customer": scene["customer"].pk,
            "last_name": "Payables",
            "email": "p@x.example",
            "roles": ["billing"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["notify"]["invoices"] is False
    page = portal_client(scene["editor"]).post(
        "/portal/contacts/new/", {"last_name": "Clerk", "status": "active", "roles": ["billing", "site"]}
    )
    assert page.status_code == 302
    clerk = Contact.objects.get(last_name="Clerk")
    assert clerk.role_billing and not clerk.notify_invoices


def test_the_import_of_edit_contacts_alone_opts_nobody_into_invoices(scene):  # noqa: F811
    number = scene["customer"].number
    before = everything()
    report = run_import(
        scene["editor"].user, f"customer,email,notify_invoices\n{number},bob@northwind.example,true\n"
    )
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(2, "notify")], report
    assert everything()[:3] == before[:3]


def test_who_may_read_the_records_routes_their_mail(api, scene, billing_clerk):  # noqa: F811
    editor_with_billing = portal_user(scene, ["edit_contacts", "billing"], "both@northwind.example")
    client = api(editor_with_billing.user)
    response = client.patch(f"{URL}{billing_clerk.pk}/", {"email": "ap@northwind.example"}, format="json")
    assert response.status_code == 200
    response = client.patch(f"{URL}{scene['colleague'].pk}/", {"notify": {"invoices": True}}, format="json")
    assert response.status_code == 200 and response.json()["notify"]["invoices"] is True
    # It still may not route work-order mail: it sees no work orders.
    with assert_unchanged(scene["colleague"]):
        response = client.patch(
            f"{URL}{scene['colleague'].pk}/", {"notify": {"work_orders": True}}, format="json"
        )
    assert response.status_code == 403 and "“notify”" in response.json()["detail"]


def test_turning_mail_off_and_other_addresses_stay_free(api, scene, billing_clerk):  # noqa: F811
    client = api(scene["editor"].user)
    response = client.patch(f"{URL}{billing_clerk.pk}/", {"notify": {"invoices": False}}, format="json")
    assert response.status_code == 200 and response.json()["notify"]["invoices"] is False
    response = client.patch(
        f"{URL}{scene['colleague'].pk}/", {"email": "bob2@northwind.example"}, format="json"
    )
    assert response.status_code == 200


def test_staff_who_may_change_contacts_route_mail(api, dispatcher, scene, billing_clerk):  # noqa: F811
    client = api(dispatcher)
    assert (
        client.patch(
            f"{URL}{billing_clerk.pk}/", {"email": "ap@northwind.example"}, format="json"
        ).status_code
        == 200
    )
    response = client.patch(f"{URL}{scene['colleague'].pk}/", {"notify": {"invoices": True}}, format="json")
    assert response.status_code == 200


# The primary contact stands in for whoever did not opt in --------------------------------------


def test_edit_contacts_alone_makes_no_contact_primary(api, scene):  # noqa: F811
    client = api(scene["editor"].user)
    before = everything()
    response = client.post(
        URL,
        {
            "customer": scene["customer"].pk,
            "last_name": "Eve",
            "email": "eve@evil.example",
            "is_primary": True,
        },
        format="json",
    )
    assert_refused(response, "is_primary", before)
    response = client.post(f"{URL}{scene['colleague'].pk}/make-primary/", format="json")
    assert response.status_code == 403 and "“is_primary”" in response.json()["detail"]
    assert everything() == before
    response = client.patch(f"{URL}{scene['colleague'].pk}/", {"is_primary": True}, format="json")
    assert_refused(response, "is_primary", before)


def test_edit_contacts_alone_does_not_redirect_the_primarys_mail(api, scene):  # noqa: F811
    from clientbase.contacts import services

    primary = services.make_primary(contact=scene["colleague"], acting_user=UserFactory(is_superuser=True))
    before = everything()
    response = api(scene["editor"].user).patch(
        f"{URL}{primary.pk}/", {"email": "eve@evil.example"}, format="json"
    )
    assert_refused(response, "email", before)


def test_a_portal_admin_and_staff_choose_the_primary(api, scene, dispatcher):  # noqa: F811
    admin = portal_user(scene, ["admin"], "boss@northwind.example")
    response = api(admin.user).post(f"{URL}{scene['colleague'].pk}/make-primary/", format="json")
    assert response.status_code == 200, response.content
    response = api(dispatcher).post(f"{URL}{scene['approver'].pk}/make-primary/", format="json")
    assert response.status_code == 200
    scene["approver"].refresh_from_db()
    assert scene["approver"].is_primary
