"""The contacts endpoint: CRUD, every rule of API.md with its refusal, filters, search, actions."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from clientbase.contacts.models import Contact
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/"


def detail(contact_or_id) -> str:
    pk = getattr(contact_or_id, "pk", contact_or_id)
    return f"{URL}{pk}/"


# Create and read ----------------------------------------------------------------------------------


def test_creates_a_contact_with_every_field_and_answers_it_as_api_md_says(
    api, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    body = {
        "customer": customer.pk,
        "salutation": "Mr.",
        "first_name": " Mike ",
        "last_name": "Johnson",
        "title": "Facilities Technician",
        "department": "Facilities",
        "roles": ["site", "emergency"],
        "email": " Mike.Johnson@NORTHWIND.Example.COM ",
        "phone": "(312) 555-0142",
        "mobile": "312.555.0199",
        "secondary_phone": "+44 20 7946 0018",
        "preferred_channel": "sms",
        "notes": "Prefers text messages for scheduling",
        "locations": [north.pk],
        "address": {"street": "1 Main St", "city": "Chicago"},
        "external_id": "ERP-1",
    }
    response = api(dispatcher).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["first_name"] == "Mike"
    assert data["email"] == "Mike.Johnson@northwind.example.com"
    assert data["phone"] == "+13125550142"
    assert data["mobile"] == "+13125550199"
    assert data["secondary_phone"] == "+442079460018"
    assert data["roles"] == ["site", "emergency"]
    assert data["notify"] == {"work_orders": True, "completions": True, "quotes": False, "invoices": False}
    assert data["locations"] == [north.pk]
    assert data["email_status"] == "unverified"
    assert data["portal"] == {"enabled": False, "permissions": [], "support_start": None, "support_end": None}
    assert data["is_primary"] is False
    assert data["approval_limit"] is None
    contact = Contact.objects.get(pk=data["id"])
    assert "3125550142" in contact.phone_digits


def test_notify_defaults_from_roles_when_not_given(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    billing = api(accounts_clerk).post(
        URL, {"customer": customer.pk, "last_name": "Williams", "roles": ["billing"]}, format="json"
    )
    approver = api(accounts_clerk).post(
        URL,
        {"customer": customer.pk, "last_name": "Chen", "roles": ["approver"], "approval_limit": "25000.00"},
        format="json",
    )
    explicit = api(accounts_clerk).post(
        URL,
        {"customer": customer.pk, "last_name": "Taylor", "roles": ["billing"], "notify": {"quotes": True}},
        format="json",
    )
    assert billing.json()["notify"] == {
        "work_orders": False,
        "completions": False,
        "quotes": False,
        "invoices": True,
    }
    assert approver.json()["notify"]["quotes"] is True
    assert approver.json()["approval_limit"] == "25000.00"
    assert explicit.json()["notify"] == {
        "work_orders": False,
        "completions": False,
        "quotes": True,
        "invoices": False,
    }


def test_last_name_is_required(api, dispatcher):
    response = api(dispatcher).post(URL, {"first_name": "Ann"}, format="json")
    assert response.status_code == 400
    assert "last_name" in response.json()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_last_name_is_refused(api, dispatcher, blank):
    response = api(dispatcher).post(URL, {"last_name": blank}, format="json")
    assert response.status_code == 400
    assert "last_name" in response.json()
    assert not Contact.objects.exists()


def test_unknown_and_read_only_fields_are_named(api, dispatcher):
    response = api(dispatcher).post(
        URL,
        {"last_name": "Doe", "favourite_colour": "blue", "email_status": "verified", "id": 5},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["favourite_colour"] == ["Unknown field."]
    assert body["email_status"] == ["This field is read-only."]
    assert body["id"] == ["This field is read-only."]
    assert not Contact.objects.exists()


def test_unknown_keys_inside_notify_and_portal_are_named(api, dispatcher):
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL,
            {"last_name": "Doe", "notify": {"sms_blast": True}, "portal": {"superuser": True}},
            format="json",
        )
    assert response.status_code == 400
    body = response.json()
    assert "sms_blast" in body["notify"]
    assert "superuser" in body["portal"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-address"),
        ("email", "someone@"),
        ("phone", "call me maybe"),
        ("mobile", "12"),
        ("roles", ["plumber"]),
        ("preferred_channel", "pigeon"),
        ("status", "retired"),
        ("approval_limit", "-1"),
        ("approval_limit", "lots"),
        ("address", {"planet": "Mars"}),
        ("address", "1 Main St"),
    ],
)
def test_bad_values_are_refused_with_the_field_named_and_nothing_stored(
    api, accounts_clerk, customer_with_two_sites, field, value
):
    customer, _, _ = customer_with_two_sites
    body = {"customer": customer.pk, "last_name": "Doe", "roles": ["approver"], field: value}
    response = api(accounts_clerk).post(URL, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Contact.objects.exists()


def test_approval_limit_needs_the_approver_role(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    with assert_unchanged(Contact):
        response = api(accounts_clerk).post(
            URL,
            {"customer": customer.pk, "last_name": "Doe", "roles": ["site"], "approval_limit": "100.00"},
            format="json",
        )
    assert response.status_code == 400
    assert "approval_limit" in response.json()


def test_a_location_of_another_customer_is_refused(api, dispatcher, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    foreign = other_customer.locations.get()
    response = api(dispatcher).post(
        URL, {"customer": customer.pk, "last_name": "Doe", "locations": [foreign.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "locations" in response.json()
    assert not Contact.objects.exists()


def test_locations_without_a_customer_are_refused(api, dispatcher, customer_with_two_sites):
    _, north, _ = customer_with_two_sites
    with assert_unchanged(Contact):
        response = api(dispatcher).post(URL, {"last_name": "Doe", "locations": [north.pk]}, format="json")
    assert response.status_code == 400
    assert "locations" in response.json()


def test_a_line_manager_of_another_customer_is_refused(
    api, dispatcher, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    manager = ContactFactory(customer=other_customer)
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL, {"customer": customer.pk, "last_name": "Doe", "reports_to": manager.pk}, format="json"
        )
    assert response.status_code == 400
    assert "reports_to" in response.json()


def test_a_reporting_cycle_is_refused(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    boss = ContactFactory(customer=customer)
    middle = ContactFactory(customer=customer, reports_to=boss)
    worker = ContactFactory(customer=customer, reports_to=middle)
    response = api(dispatcher).patch(detail(boss), {"reports_to": worker.pk}, format="json")
    assert response.status_code == 400
    assert "cycle" in response.json()["reports_to"][0]
    boss.refresh_from_db()
    assert boss.reports_to_id is None
    with assert_unchanged(boss):
        itself = api(dispatcher).patch(detail(boss), {"reports_to": boss.pk}, format="json")
    assert itself.status_code == 400


def test_portal_access_needs_a_valid_email(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL, {"customer": customer.pk, "last_name": "Doe", "portal": {"enabled": True}}, format="json"
        )
    assert response.status_code == 400
    assert "portal" in response.json()
    ok = api(dispatcher).post(
        URL,
        {
            "customer": customer.pk,
            "last_name": "Doe",
            "email": "doe@example.com",
            "portal": {"enabled": True, "permissions": ["edit_contacts"], "support_start": "2026-01-01"},
        },
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["portal"] == {
        "enabled": True,
        "permissions": ["edit_contacts"],
        "support_start": "2026-01-01",
        "support_end": None,
    }


def test_support_end_before_start_is_refused(api, dispatcher):
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL,
            {"last_name": "Doe", "portal": {"support_start": "2026-05-01", "support_end": "2026-04-01"}},
            format="json",
        )
    assert response.status_code == 400
    assert "portal" in response.json()


def test_an_unknown_customer_reads_as_missing(api, dispatcher):
    with assert_unchanged(Contact):
        response = api(dispatcher).post(URL, {"last_name": "Doe", "customer": 999999}, format="json")
    assert response.status_code == 400
    assert "customer" in response.json()


# Update --------------------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(api, dispatcher, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    contact = ContactFactory(customer=customer, title="Technician", locations=[north])
    response = api(dispatcher).patch(
        detail(contact), {"locations": [south.pk], "phone": "312 555 0100"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["locations"] == [south.pk]
    assert response.json()["phone"] == "+13125550100"
    assert response.json()["title"] == "Technician"


def test_removing_the_approver_role_drops_the_limit(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, role_approver=True, approval_limit=500)
    response = api(accounts_clerk).patch(detail(contact), {"roles": ["site"]}, format="json")
    assert response.status_code == 200
    assert response.json()["approval_limit"] is None


def test_a_contact_does_not_change_customer_in_an_update(
    api, dispatcher, customer_with_two_sites, other_customer
):
    """Moving a contact is an action of its own (it ends the portal access): an update naming
    another customer is a 400 naming `customer` and the action, with nothing changed."""
    customer, north, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, locations=[north], title="Kept")
    for body in ({"customer": other_customer.pk}, {"customer": other_customer.pk, "locations": []}):
        response = api(dispatcher).patch(detail(contact), {**body, "title": "Changed"}, format="json")
        assert response.status_code == 400
        assert "move/" in response.json()["customer"][0]
    response = api(dispatcher).patch(detail(contact), {"customer": None}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    contact.refresh_from_db()
    assert (contact.customer_id, contact.title) == (customer.pk, "Kept")
    assert list(contact.locations.all()) == [north]
    # The stored customer sent back is no change.
    same = api(dispatcher).patch(detail(contact), {"customer": customer.pk, "title": "New"}, format="json")
    assert same.status_code == 200 and same.json()["title"] == "New"


# Primary contact -----------------------------------------------------------------------------------


def test_make_primary_moves_the_flag(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    response = api(dispatcher).post(f"{detail(second)}make-primary/")
    assert response.status_code == 200
    assert response.json()["is_primary"] is True
    first.refresh_from_db()
    assert first.is_primary is False
    assert list(Contact.objects.filter(customer=customer, is_primary=True)) == [second]
    customer_body = api(dispatcher).get(f"/api/v1/customers/{customer.pk}/").json()
    assert customer_body["primary_contact"] == second.pk


def test_creating_a_primary_unmarks_the_previous_one(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    first = ContactFactory(customer=customer, is_primary=True)
    response = api(dispatcher).post(
        URL, {"customer": customer.pk, "last_name": "New", "is_primary": True}, format="json"
    )
    assert response.status_code == 201
    first.refresh_from_db()
    assert not first.is_primary
    assert Contact.objects.filter(customer=customer, is_primary=True).count() == 1


def test_patch_is_primary_true_unmarks_the_previous_one(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    first = ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    assert api(dispatcher).patch(detail(second), {"is_primary": True}, format="json").status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)


def test_a_contact_without_customer_cannot_be_primary(api, dispatcher):
    loner = ContactFactory(customer=None)
    with assert_unchanged(Contact):
        response = api(dispatcher).post(f"{detail(loner)}make-primary/")
        assert response.status_code == 409
        assert "customer" in response.json()["detail"]
        created = api(dispatcher).post(URL, {"last_name": "Loner", "is_primary": True}, format="json")
        assert created.status_code == 400


def test_an_inactive_contact_cannot_be_made_primary(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, status="inactive")
    response = api(dispatcher).post(f"{detail(contact)}make-primary/")
    assert response.status_code == 409
    contact.refresh_from_db()
    assert not contact.is_primary


# Duplicate, delete, history ------------------------------------------------------------------------


def test_duplicate_copies_the_contact_but_not_primary_portal_e_mail_or_external_id(
    api, accounts_clerk, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    original = ContactFactory(
        customer=customer,
        title="Facilities Manager",
        role_approver=True,
        approval_limit=1000,
        is_primary=True,
        external_id="X-1",
        locations=[north],
        email="d.chen@example.com",
        portal_enabled=True,
    )
    response = api(accounts_clerk).post(f"{detail(original)}duplicate/")
    assert response.status_code == 201, response.json()
    copy = response.json()
    assert copy["id"] != original.pk
    assert copy["title"] == "Facilities Manager"
    assert copy["roles"] == ["approver"]
    assert copy["approval_limit"] == "1000.00"
    assert copy["locations"] == [north.pk]
    assert copy["is_primary"] is False
    assert copy["external_id"] == ""
    assert copy["email"] == ""  # one contact's within the customer
    assert copy["portal"]["enabled"] is False


def test_delete_keeps_history_and_frees_direct_reports(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    boss = ContactFactory(customer=customer, last_name="Boss")
    report = ContactFactory(customer=customer, reports_to=boss)
    response = api(dispatcher).delete(detail(boss))
    assert response.status_code == 204
    report.refresh_from_db()
    assert report.reports_to_id is None
    assert Contact.history.filter(id=boss.pk, history_type="-", last_name="Boss").exists()
    assert api(dispatcher).get(detail(boss)).status_code == 404


def test_history_says_who_changed_what_and_when(api, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    created = (
        api(dispatcher)
        .post(URL, {"customer": customer.pk, "last_name": "Doe", "title": "Tech"}, format="json")
        .json()
    )
    api(dispatcher).patch(
        detail(created["id"]), {"title": "Lead Tech", "locations": [north.pk]}, format="json"
    )
    response = api(dispatcher).get(f"{detail(created['id'])}history/")
    assert response.status_code == 200
    entries = response.json()["results"]
    assert [entry["type"] for entry in entries] == ["changed", "created"]
    assert all(entry["user"] == "dispatcher" for entry in entries)
    changes = {change["field"]: change for change in entries[0]["changes"]}
    assert changes["title"]["old"] == "Tech" and changes["title"]["new"] == "Lead Tech"
    assert changes["locations"]["new"] == [north.pk]


# Filters and search --------------------------------------------------------------------------------


@pytest.fixture
def directory(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    return {
        "site_north": ContactFactory(
            customer=customer,
            first_name="Mike",
            last_name="Johnson",
            title="Facilities Technician",
            role_site=True,
            locations=[north],
            phone="+13125550142",
        ),
        "billing": ContactFactory(
            customer=customer,
            first_name="Susan",
            last_name="Williams",
            role_billing=True,
            title="Accounts Payable Coordinator",
            is_primary=True,
        ),
        "requester": ContactFactory(
            customer=customer, first_name="Lisa", last_name="Martinez", role_requester=True, locations=[south]
        ),
        "inactive": ContactFactory(
            customer=customer, first_name="Old", last_name="Timer", status="inactive", locations=[north]
        ),
        "other": ContactFactory(
            customer=other_customer,
            first_name="Robert",
            last_name="Taylor",
            role_emergency=True,
            mobile="+16175550199",
        ),
        "customer": customer,
        "north": north,
        "south": south,
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_filters_by_customer_role_status_and_primary(api, dispatcher, directory):
    client = api(dispatcher)
    d = directory
    assert ids(client.get(URL, {"customer": d["customer"].pk})) == {
        d["site_north"].pk,
        d["billing"].pk,
        d["requester"].pk,
        d["inactive"].pk,
    }
    assert ids(client.get(URL, {"role": "billing"})) == {d["billing"].pk}
    assert ids(client.get(URL, {"status": "inactive"})) == {d["inactive"].pk}
    assert ids(client.get(URL, {"is_primary": "true"})) == {d["billing"].pk}


def test_location_filter_gives_its_contacts_and_the_customer_level_ones(api, dispatcher, directory):
    d = directory
    assert ids(api(dispatcher).get(URL, {"location": d["north"].pk})) == {
        d["site_north"].pk,
        d["billing"].pk,
        d["inactive"].pk,
    }


def test_bad_filter_values_are_refused(api, dispatcher, directory):
    assert api(dispatcher).get(URL, {"role": "plumber"}).status_code == 400
    assert api(dispatcher).get(URL, {"customer": "abc"}).status_code == 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("johnson", "site_north"),
        ("Mike Johnson", "site_north"),
        ("payable", "billing"),
        ("(312) 555-0142", "site_north"),
        ("312.555.0142", "site_north"),
        ("5550142", "site_north"),
        ("+1 617 555 0199", "other"),
        ("contoso", "other"),
        ("susan.williams@", "billing"),
    ],
)
def test_search_finds_by_name_email_title_customer_and_phone_digits(
    api, dispatcher, directory, text, expected
):
    found = ids(api(dispatcher).get(URL, {"search": text}))
    assert directory[expected].pk in found


def test_search_ranks_best_matches_first(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, first_name="Ann", last_name="Smithson", title="Manager")
    exact = ContactFactory(customer=customer, first_name="Bob", last_name="Smith")
    ContactFactory(customer=customer, first_name="Carl", last_name="Jones", title="Smith assistant")
    results = api(dispatcher).get(URL, {"search": "smith"}).json()["results"]
    assert results[0]["id"] == exact.pk or results[0]["last_name"].startswith("Smith")
    assert results[-1]["last_name"] == "Jones"


def test_lists_paginate_with_next_and_previous(api, dispatcher):
    customer = CustomerFactory()
    for _ in range(5):
        ContactFactory(customer=customer)
    first = api(dispatcher).get(URL, {"page_size": 2}).json()
    assert set(first) == {"results", "next", "previous"}
    assert len(first["results"]) == 2 and first["previous"] is None and first["next"]
    last = api(dispatcher).get(URL, {"page_size": 2, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None and last["previous"]
    assert api(dispatcher).get(URL, {"page_size": 201}).status_code == 400
    assert api(dispatcher).get(URL, {"page": 0}).status_code == 400


# Permissions ---------------------------------------------------------------------------------------


def test_technician_reads_and_changes_notes_only(api, technician, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, title="Tech")
    client = api(technician)
    assert client.get(detail(contact)).status_code == 200
    assert client.patch(detail(contact), {"notes": "Only call after 10 AM"}, format="json").status_code == 200
    with assert_unchanged(Contact):
        refused = client.patch(detail(contact), {"title": "Boss"}, format="json")
        assert refused.status_code == 403
        assert client.post(URL, {"last_name": "x"}, format="json").status_code == 403
        assert client.delete(detail(contact)).status_code == 403
    contact.refresh_from_db()
    assert (contact.notes, contact.title) == ("Only call after 10 AM", "Tech")


def test_without_maintain_customer_contacts_only_location_level_contacts(
    api, location_contact_clerk, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    client = api(location_contact_clerk)
    with assert_unchanged(Contact):
        refused = client.post(URL, {"customer": customer.pk, "last_name": "CustomerLevel"}, format="json")
    assert refused.status_code == 403
    allowed = client.post(
        URL, {"customer": customer.pk, "last_name": "SiteLevel", "locations": [north.pk]}, format="json"
    )
    assert allowed.status_code == 201
    customer_level = ContactFactory(customer=customer)
    assert client.get(detail(customer_level)).status_code == 200
    with assert_unchanged(customer_level):
        assert client.patch(detail(customer_level), {"title": "x"}, format="json").status_code == 403
        assert client.delete(detail(customer_level)).status_code == 403
    to_customer_level = client.patch(detail(allowed.json()["id"]), {"locations": []}, format="json")
    assert to_customer_level.status_code == 403
    assert Contact.objects.get(pk=allowed.json()["id"]).locations.count() == 1


def test_with_maintain_customer_contacts_customer_level_contacts_too(
    api, location_contact_clerk, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    location_contact_clerk.user_permissions.add(Permission.objects.get(codename="maintain_customer_contacts"))
    response = api(location_contact_clerk).post(
        URL, {"customer": customer.pk, "last_name": "CustomerLevel"}, format="json"
    )
    assert response.status_code == 201


def test_portal_user_sees_only_its_own_customer_and_others_read_as_404(
    api, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    mine = ContactFactory(customer=customer)
    theirs = ContactFactory(customer=other_customer)
    user = portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com")
    client = api(user)
    listed = ids(client.get(URL))
    assert mine.pk in listed and theirs.pk not in listed
    with assert_unchanged(Contact):
        assert client.get(detail(theirs)).status_code == 404
        assert client.patch(detail(theirs), {"title": "x"}, format="json").status_code == 404
        assert client.delete(detail(theirs)).status_code == 404
        assert client.post(f"{detail(theirs)}make-primary/").status_code == 404
        assert client.get(f"{detail(theirs)}history/").status_code == 404
        assert client.get(f"{detail(999999)}").status_code == 404
        into_other = client.post(URL, {"customer": other_customer.pk, "last_name": "Sneaky"}, format="json")
        assert into_other.status_code == 400
    assert not Contact.objects.filter(last_name="Sneaky").exists()


def test_portal_user_cannot_delete_itself(api, portal_user_factory, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    user = portal_user_factory(customer, permissions=["admin"], email="me@example.com")
    with assert_unchanged(user.contact):
        response = api(user).delete(detail(user.contact))
    assert response.status_code == 403
    assert "yourself" in response.json()["detail"]


def test_portal_user_without_edit_contacts_cannot_see_contacts(
    api, portal_user_factory, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    user = portal_user_factory(customer, permissions=["billing"], email="me@example.com")
    assert api(user).get(URL).status_code == 403


def test_a_contact_in_a_location_of_its_customer_is_listed_for_location(api, dispatcher):
    customer = CustomerFactory()
    site = LocationFactory(customer=customer)
    contact = ContactFactory(customer=customer, locations=[site])
    assert ids(api(dispatcher).get(URL, {"location": site.pk})) == {contact.pk}


def test_an_inactive_contact_cannot_become_primary_by_create_or_update(
    api, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    created = api(dispatcher).post(
        URL,
        {"customer": customer.pk, "last_name": "Gone", "status": "inactive", "is_primary": True},
        format="json",
    )
    assert created.status_code == 400
    assert not Contact.objects.filter(last_name="Gone").exists()
    inactive = ContactFactory(customer=customer, status="inactive")
    updated = api(dispatcher).patch(detail(inactive), {"is_primary": True}, format="json")
    assert updated.status_code == 400
    inactive.refresh_from_db()
    assert not inactive.is_primary


def test_the_primary_cannot_be_deactivated_before_another_is_made_primary(
    api, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    primary = ContactFactory(customer=customer, is_primary=True)
    response = api(dispatcher).patch(detail(primary), {"status": "inactive"}, format="json")
    assert response.status_code == 400
    assert "primary" in response.json()["status"][0]
    primary.refresh_from_db()
    assert primary.status == "active"
    both = api(dispatcher).patch(detail(primary), {"status": "inactive", "is_primary": False}, format="json")
    assert both.status_code == 200


def test_a_changed_email_is_unverified_again_and_the_same_one_written_differently_is_not_a_change(
    api, dispatcher
):
    contact = ContactFactory(email="mike@northwind.example.com", email_status="bounced")
    records = Contact.history.filter(id=contact.pk).count()
    same = api(dispatcher).patch(detail(contact), {"email": " mike@NORTHWIND.example.com "}, format="json")
    assert same.status_code == 200
    assert same.json()["email_status"] == "bounced"
    assert Contact.history.filter(id=contact.pk).count() == records  # nothing written
    changed = api(dispatcher).patch(
        detail(contact), {"email": "mike.johnson@northwind.example.com"}, format="json"
    )
    assert changed.json()["email_status"] == "unverified"
