"""The customer, location, asset and asset-part pages: lists, details, forms, every refusal."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission

from clientbase.customers import views as customer_views
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from tests.factories import (
    AssetFactory,
    AssetPartFactory,
    ContactFactory,
    CustomerFactory,
    LocationFactory,
    UserFactory,
)
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client signed in as `user`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def customer_form(**overrides):
    data = {
        "name": "Fabrikam Labs",
        "legal_name": "Fabrikam Laboratories LLC",
        "tax_id": "12-3456789",
        "status": "active",
        "email": "office@fabrikam.example",
        "phone": "(312) 555-0100",
        "website": "https://fabrikam.example",
        "billing_address_street": "1 Lab Way",
        "billing_address_street2": "",
        "billing_address_city": "Chicago",
        "billing_address_region": "IL",
        "billing_address_postal_code": "60601",
        "billing_address_country": "US",
        "notes": "Net 30.",
    }
    data.update(overrides)
    return data


# Customer list ------------------------------------------------------------------------------------


def test_customer_list_shows_customers_with_their_primary_contact(as_user, dispatcher):
    customer = CustomerFactory(name="Northwind Hospitals", phone="+13125550100")
    ContactFactory(customer=customer, first_name="Ann", last_name="Primary", is_primary=True)
    html = as_user(dispatcher).get("/customers/").content.decode()
    assert "Northwind Hospitals" in html
    assert customer.number in html
    assert "Ann Primary" in html
    assert 'href="tel:+13125550100">+1 312-555-0100</a>' in html
    assert 'href="/customers/new/"' in html


def test_customer_list_filters_by_status_and_search(as_user, dispatcher):
    CustomerFactory(name="Active Alpha", status="active")
    CustomerFactory(name="Prospect Beta", status="prospect")
    client = as_user(dispatcher)
    html = client.get("/customers/", {"status": "prospect"}).content.decode()
    assert "Prospect Beta" in html and "Active Alpha" not in html
    html = client.get("/customers/", {"search": "alph"}).content.decode()
    assert "Active Alpha" in html and "Prospect Beta" not in html
    html = client.get("/customers/", {"search": "zzz"}).content.decode()
    assert "No customers match." in html


def test_customer_list_shows_a_bad_filter_value_instead_of_everything(as_user, dispatcher):
    CustomerFactory(name="Active Alpha")
    html = as_user(dispatcher).get("/customers/", {"status": "gone"}).content.decode()
    assert "Select a valid choice" in html
    assert "Active Alpha" not in html


def test_customer_list_empty_state_invites_to_add_the_first_customer(as_user, dispatcher, accounts_clerk):
    assert "Add the first customer" in as_user(dispatcher).get("/customers/").content.decode()
    html = as_user(accounts_clerk).get("/customers/").content.decode()
    assert "Add the first customer" not in html
    assert 'href="/customers/new/"' not in html


def test_customer_list_answers_only_the_results_to_htmx(as_user, dispatcher):
    CustomerFactory(name="Active Alpha")
    html = as_user(dispatcher).get("/customers/", {"search": "alpha"}, **HTMX).content.decode()
    assert "Active Alpha" in html
    assert "<html" not in html
    assert 'class="filters"' not in html


def test_customer_list_pages_without_counting_and_with_a_constant_query_budget(
    as_user, dispatcher, django_assert_max_num_queries
):
    for n in range(55):
        customer = CustomerFactory(name=f"Customer {n:03d}")
        ContactFactory(customer=customer, is_primary=True)
    client = as_user(dispatcher)
    with django_assert_max_num_queries(7):
        first = client.get("/customers/").content.decode()
    assert "Customer 049" in first and "Customer 050" not in first
    next_link = re.search(r'href="(\?cursor=[^"]+)" rel="next"', first)
    assert next_link is not None  # a keyset page: no OFFSET however far
    with django_assert_max_num_queries(7):
        second = client.get("/customers/" + unescape(next_link.group(1))).content.decode()
    assert "Customer 054" in second and "Customer 049" not in second
    assert 'rel="next"' not in second and 'rel="prev"' in second
    numbered = client.get("/customers/", {"page": "2"}).content.decode()
    assert "Customer 054" in numbered and 'rel="prev"' in numbered


# Customer page ------------------------------------------------------------------------------------


def test_customer_page_shows_contacts_locations_with_assets_and_parts_and_history(as_user, dispatcher):
    customer = CustomerFactory(name="Northwind Hospitals", notes="Net 45.")
    site = LocationFactory(customer=customer, name="North Campus", code="N")
    asset = AssetFactory(location=site, name="Chiller CH-1")
    AssetPartFactory(asset=asset, name="Compressor motor")
    ContactFactory(
        customer=customer, first_name="Mike", last_name="Johnson", role_site=True, locations=[site]
    )
    client = as_user(dispatcher)
    client.post(f"/customers/{customer.pk}/edit/", customer_form(name="Northwind Health"))
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    for expected in ("Mike Johnson", "North Campus", "Chiller CH-1", "Compressor motor", 'id="history"'):
        assert expected in html, expected
    assert "Northwind Hospitals" in html and "Northwind Health" in html  # the rename, in the history
    assert f'href="/contacts/new/?customer={customer.pk}"' in html
    assert f'href="/customers/{customer.pk}/locations/new/"' in html
    assert f'href="/customers/{customer.pk}/edit/"' in html


def test_customer_page_has_a_hook_for_other_apps_sections(as_user, dispatcher, monkeypatch):
    customer = CustomerFactory()
    monkeypatch.setattr(customer_views, "CUSTOMER_SECTIONS", [])
    customer_views.register_customer_section(
        customer_views.CustomerSection(
            key="extra-things",
            title="Extra things",
            template_name="_messages.html",
            context=lambda request, c: {"customer_id": c.pk},
        )
    )
    customer_views.register_customer_section(
        customer_views.CustomerSection(
            key="hidden-things",
            title="Hidden things",
            template_name="_messages.html",
            context=lambda r, c: None,
        )
    )
    html = as_user(dispatcher).get(f"/customers/{customer.pk}/").content.decode()
    assert '<section id="extra-things"' in html
    assert 'href="#extra-things"' in html
    assert "Hidden things" not in html


def test_customer_and_location_pages_place_contacts_before_locations_and_assets(as_user, dispatcher):
    customer = CustomerFactory()
    site = LocationFactory(customer=customer)
    ContactFactory(customer=customer, first_name="Ann", last_name="Primary", is_primary=True)
    client = as_user(dispatcher)
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert html.index('href="#contacts"') < html.index('href="#locations"')
    order = ['id="details"', "<dt>Primary contact</dt>", '<section id="contacts"', '<section id="locations"']
    assert [html.index(mark) for mark in order] == sorted(html.index(mark) for mark in order)
    assert (
        "Ann Primary" in html[html.index("<dt>Primary contact</dt>") : html.index('<section id="contacts"')]
    )
    html = client.get(f"/locations/{site.pk}/").content.decode()
    assert html.index('<section id="contacts"') < html.index('id="assets"')


def test_users_who_may_not_see_contacts_see_no_contacts_on_customer_pages(as_user):
    customer = CustomerFactory(name="Northwind Hospitals")
    site = LocationFactory(customer=customer)
    ContactFactory(customer=customer, first_name="Ann", last_name="Primary", is_primary=True)
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_customer", "view_location", "view_asset"])
    )
    client = as_user(viewer)
    pages = [
        client.get(url) for url in ("/customers/", f"/customers/{customer.pk}/", f"/locations/{site.pk}/")
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert "Northwind Hospitals" in html
        assert "Primary contact" not in html and "Ann Primary" not in html
        assert 'id="contacts"' not in html and 'href="#contacts"' not in html


def test_customer_page_hides_what_a_read_only_user_may_not_do(as_user, accounts_clerk, technician):
    customer = CustomerFactory()
    ContactFactory(customer=customer)
    html = as_user(technician).get(f"/customers/{customer.pk}/").content.decode()
    assert "Edit customer" not in html
    assert "Add location" not in html
    assert "Add contact" not in html
    assert "Make primary" not in html
    html = as_user(accounts_clerk).get(f"/customers/{customer.pk}/").content.decode()
    assert "Edit customer" not in html
    assert "Add contact" in html  # accounts receivable maintain contacts


def test_customer_page_query_budget_does_not_grow_with_contacts_and_assets(
    as_user, dispatcher, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = CustomerFactory()

    def add_site():
        site = LocationFactory(customer=customer)
        for _ in range(3):
            AssetPartFactory(asset=AssetFactory(location=site))
        for _ in range(4):
            ContactFactory(customer=customer, locations=[site], phone="+13125550100")

    add_site()
    client = as_user(dispatcher)
    with CaptureQueriesContext(connection) as small:
        client.get(f"/customers/{customer.pk}/")
    for _ in range(4):
        add_site()
    # Other apps' sections (work orders, ...) add their own few queries on top of these.
    with django_assert_max_num_queries(len(small)):
        response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code == 200
    assert len(small) <= 20


def test_customer_page_of_a_missing_customer_is_a_404(as_user, dispatcher):
    assert as_user(dispatcher).get("/customers/999999/").status_code == 404


# Customer forms -----------------------------------------------------------------------------------


def test_dispatcher_creates_a_customer(as_user, dispatcher):
    response = as_user(dispatcher).post("/customers/new/", customer_form())
    customer = Customer.objects.get(name="Fabrikam Labs")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.phone == "+13125550100"
    assert customer.billing_address == {
        "street": "1 Lab Way",
        "city": "Chicago",
        "region": "IL",
        "postal_code": "60601",
        "country": "US",
    }
    assert customer.number.startswith("C-")


def test_customer_form_requires_a_name(as_user, dispatcher):
    response = as_user(dispatcher).post("/customers/new/", customer_form(name="  "))
    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert not Customer.objects.exists()


def test_customer_form_puts_service_errors_next_to_their_fields(as_user, dispatcher):
    response = as_user(dispatcher).post("/customers/new/", customer_form(email="not-an-address"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Enter a valid e-mail address" in html
    assert not Customer.objects.exists()


def test_customer_form_refuses_an_unparseable_phone_next_to_the_field(as_user, dispatcher):
    html = as_user(dispatcher).post("/customers/new/", customer_form(phone="call me")).content.decode()
    assert 'id="id_phone_error"' in html
    assert "is not a phone number" in html
    assert not Customer.objects.exists()


@pytest.mark.parametrize("who", ["accounts_clerk", "technician", "nobody"])
def test_users_who_may_not_add_customers_get_a_403(as_user, request, who):
    client = as_user(request.getfixturevalue(who))
    assert client.get("/customers/new/").status_code == 403
    assert client.post("/customers/new/", customer_form()).status_code == 403
    assert not Customer.objects.exists()


def test_dispatcher_edits_a_customer_and_the_form_shows_the_stored_values(as_user, dispatcher):
    customer = CustomerFactory(name="Old Name", phone="+13125550100", billing_address={"city": "Chicago"})
    client = as_user(dispatcher)
    html = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert 'value="Old Name"' in html
    assert 'value="+1 312-555-0100"' in html
    assert 'value="Chicago"' in html
    response = client.post(
        f"/customers/{customer.pk}/edit/", customer_form(name="New Name", status="inactive")
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.status) == ("New Name", "inactive")


def test_a_read_only_user_cannot_edit_a_customer(as_user, accounts_clerk):
    customer = CustomerFactory(name="Old Name")
    client = as_user(accounts_clerk)
    assert client.get(f"/customers/{customer.pk}/edit/").status_code == 403
    with assert_unchanged(customer):
        assert client.post(f"/customers/{customer.pk}/edit/", customer_form(name="Hacked")).status_code == 403
    customer.refresh_from_db()
    assert customer.name == "Old Name"


# Locations ----------------------------------------------------------------------------------------


def location_form(**overrides):
    data = {
        "name": "East Wing",
        "code": "E",
        "address_city": "Evanston",
        "access_notes": "Gate 4",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_dispatcher_adds_a_location_to_a_customer(as_user, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    response = as_user(dispatcher).post(f"/customers/{customer.pk}/locations/new/", location_form())
    location = Location.objects.get(name="East Wing")
    assert response["Location"] == f"/locations/{location.pk}/"
    assert location.customer == customer
    assert location.address == {"city": "Evanston"}
    assert location.is_active


def test_a_duplicate_location_code_is_refused_with_a_clear_message(
    as_user, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    response = as_user(dispatcher).post(f"/customers/{customer.pk}/locations/new/", location_form(code="N"))
    assert response.status_code in (200, 409)
    assert "This customer already has a location with this code." in response.content.decode()
    assert not Location.objects.filter(name="East Wing").exists()


def test_dispatcher_edits_a_location(as_user, dispatcher, customer_with_two_sites):
    _, north, _ = customer_with_two_sites
    client = as_user(dispatcher)
    assert 'value="North Campus"' in client.get(f"/locations/{north.pk}/edit/").content.decode()
    response = client.post(f"/locations/{north.pk}/edit/", location_form(name="North Campus East", code="NE"))
    assert response.status_code == 302
    north.refresh_from_db()
    assert (north.name, north.code, north.is_active) == ("North Campus East", "NE", True)


def test_location_forms_refuse_users_without_the_permission(as_user, technician, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    client = as_user(technician)
    assert client.get(f"/customers/{customer.pk}/locations/new/").status_code == 403
    with assert_unchanged(Location):
        assert client.post(f"/customers/{customer.pk}/locations/new/", location_form()).status_code == 403
        assert client.post(f"/locations/{north.pk}/edit/", location_form(name="Hacked")).status_code == 403
    north.refresh_from_db()
    assert north.name == "North Campus"
    assert not Location.objects.filter(name="East Wing").exists()


def test_location_page_lists_emergency_and_site_contacts_first_with_customer_level_ones(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, south = customer_with_two_sites
    ContactFactory(customer=customer, first_name="Aaron", last_name="Anders", locations=[north])
    ContactFactory(customer=customer, first_name="Sam", last_name="Site", role_site=True, locations=[north])
    ContactFactory(customer=customer, first_name="Eve", last_name="Emergency", role_emergency=True)
    ContactFactory(customer=customer, first_name="Other", last_name="Southern", locations=[south])
    AssetFactory(location=north, name="Boiler B-1")
    html = as_user(dispatcher).get(f"/locations/{north.pk}/").content.decode()
    order = [html.index(name) for name in ("Eve Emergency", "Sam Site", "Aaron Anders")]
    assert order == sorted(order)
    assert "Other Southern" not in html
    assert "customer-level" in html and "at this location" in html
    assert "Boiler B-1" in html
    assert f'href="/contacts/new/?customer={customer.pk}&amp;location={north.pk}"' in html


def test_location_list_filters_by_customer(as_user, dispatcher, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    html = as_user(dispatcher).get("/locations/", {"customer": customer.pk}).content.decode()
    assert "North Campus" in html and "South Campus" in html
    assert "Contoso HQ" not in html
    assert "Locations of Northwind Hospitals" in html


def test_the_location_and_customer_lists_find_what_the_start_page_finds(as_user, dispatcher):
    """A location by its city or street, a customer by its phone digits in any format: the lists
    search as the start page does."""
    fabrikam = CustomerFactory(name="Fabrikam", phone="+13125550100")
    CustomerFactory(name="Contoso", phone="+13125550199")
    LocationFactory(customer=fabrikam, name="Plant 7", address={"street": "1 Mill Road", "city": "Evanston"})
    LocationFactory(customer=fabrikam, name="Plant 8", address={"street": "9 Mill Road", "city": "Chicago"})
    client = as_user(dispatcher)
    searches = [
        ("/locations/", "evanston", "Plant 7", "Plant 8"),
        ("/locations/", "mill evanston", "Plant 7", "Plant 8"),
        ("/customers/", "(312) 555-0100", "Fabrikam", "Contoso"),
    ]
    for list_url, text, found, other in searches:
        start = client.get("/", {"q": text}).content.decode()
        listing = client.get(list_url, {"search": text}).content.decode()
        for html in (start, listing):
            assert found in html and other not in html, (list_url, text)


# Assets and parts ---------------------------------------------------------------------------------


def asset_form(location, **overrides):
    data = {
        "location": location.pk,
        "name": "Rooftop unit RTU-9",
        "manufacturer": "Carrier",
        "model": "48FC",
        "serial_number": "SN-1",
        "asset_tag": "",
        "installed_on": "2021-04-01",
        "warranty_until": "2026-04-01",
        "status": "in_service",
    }
    data.update(overrides)
    return data


def test_dispatcher_adds_and_edits_an_asset(as_user, dispatcher, customer_with_two_sites):
    _, north, south = customer_with_two_sites
    client = as_user(dispatcher)
    response = client.post(f"/locations/{north.pk}/assets/new/", asset_form(north))
    asset = Asset.objects.get(name="Rooftop unit RTU-9")
    assert response["Location"] == f"/assets/{asset.pk}/"
    assert asset.installed_on == datetime.date(2021, 4, 1)
    response = client.post(f"/assets/{asset.pk}/edit/", asset_form(south, status="retired"))
    asset.refresh_from_db()
    assert (asset.location, asset.status) == (south, "retired")


def test_an_asset_with_warranty_before_installation_is_refused(as_user, dispatcher, customer_with_two_sites):
    _, north, _ = customer_with_two_sites
    response = as_user(dispatcher).post(
        f"/locations/{north.pk}/assets/new/", asset_form(north, warranty_until="2020-01-01")
    )
    assert "The warranty cannot end before the installation date." in response.content.decode()
    assert not Asset.objects.exists()


def test_an_asset_cannot_move_to_another_customers_location(
    as_user, dispatcher, customer_with_two_sites, other_customer
):
    _, north, _ = customer_with_two_sites
    asset = AssetFactory(location=north)
    foreign = other_customer.locations.get()
    response = as_user(dispatcher).post(f"/assets/{asset.pk}/edit/", asset_form(foreign))
    assert 'id="id_location_error"' in response.content.decode()
    asset.refresh_from_db()
    assert asset.location == north


def test_dispatcher_adds_and_edits_a_part(as_user, dispatcher):
    asset = AssetFactory(name="Chiller")
    client = as_user(dispatcher)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert f'href="/assets/{asset.pk}/parts/new/"' in page
    response = client.post(
        f"/assets/{asset.pk}/parts/new/",
        {
            "asset": asset.pk,
            "name": "Oil pump",
            "part_number": "PMP-1",
            "serial_number": "",
            "installed_on": "",
        },
    )
    part = AssetPart.objects.get(name="Oil pump")
    assert response["Location"] == f"/assets/{asset.pk}/"
    response = client.post(
        f"/asset-parts/{part.pk}/edit/",
        {
            "asset": asset.pk,
            "name": "Oil pump 2",
            "part_number": "PMP-2",
            "serial_number": "",
            "installed_on": "",
        },
    )
    part.refresh_from_db()
    assert (part.name, part.part_number) == ("Oil pump 2", "PMP-2")
    assert "Oil pump 2" in client.get(f"/assets/{asset.pk}/").content.decode()


def test_asset_and_part_pages_refuse_read_only_users(as_user, technician):
    part = AssetPartFactory()
    asset = part.asset
    client = as_user(technician)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "Add part" not in page and "Edit asset" not in page
    assert client.get(f"/locations/{asset.location_id}/assets/new/").status_code == 403
    assert client.get(f"/assets/{asset.pk}/edit/").status_code == 403
    assert client.get(f"/assets/{asset.pk}/parts/new/").status_code == 403
    with assert_unchanged(part):
        assert (
            client.post(f"/asset-parts/{part.pk}/edit/", {"asset": asset.pk, "name": "Hacked"}).status_code
            == 403
        )
    part.refresh_from_db()
    assert part.name != "Hacked"


def test_missing_assets_and_parts_are_404(as_user, dispatcher):
    client = as_user(dispatcher)
    assert client.get("/assets/999999/").status_code == 404
    assert client.get("/asset-parts/999999/edit/").status_code == 404
    assert client.get("/locations/999999/").status_code == 404
