"""The contact pages and the start page's search: every page, rule and refusal, through URLs."""

from __future__ import annotations

import re
from html import unescape

import pytest

from clientbase.contacts.models import Contact
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.helpers import assert_unchanged
from tests.test_stale_forms import FormReader
from tests.test_stale_forms import text as page_text

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'


def edit_form(html: str) -> dict[str, list[str]]:
    """The data the page's contact form posts as loaded (its fields as a browser sends them)."""
    reader = FormReader()
    reader.feed(html)
    return next(form for form in reader.forms if "last_name" in form)


@pytest.fixture
def as_user(client):
    """as_user(user) -> the test client signed in as `user`."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def contact_form(customer=None, **overrides):
    """What the contact form posts, for a contact of `customer`."""
    data = {
        "customer": customer.pk if customer else "",
        "salutation": "Mr.",
        "first_name": "Mike",
        "last_name": "Johnson",
        "title": "Facilities Technician",
        "department": "Facilities",
        "email": "mike.johnson@northwind.example",
        "phone": "(312) 555-0142",
        "mobile": "",
        "secondary_phone": "",
        "preferred_channel": "sms",
        "reports_to": "",
        "status": "active",
        "approval_limit": "",
        "notify_from_roles": "on",
        "address_street": "",
        "address_street2": "",
        "address_city": "",
        "address_region": "",
        "address_postal_code": "",
        "address_country": "",
        "notes": "Prefers text messages for scheduling",
        "support_start": "",
        "support_end": "",
        "external_id": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# The start page: search ---------------------------------------------------------------------------


def test_start_page_is_a_search_box_with_a_helpful_empty_state(as_user, dispatcher):
    html = as_user(dispatcher).get("/").content.decode()
    assert 'role="search"' in html
    assert '<label for="q"' in html
    assert 'type="search" id="q" name="q"' in html
    assert 'hx-get="/"' in html and "delay:250ms" in html
    assert '<button type="submit"' in html  # works without JavaScript
    assert 'role="status"' in html
    assert "Start typing" in html


def test_search_groups_contacts_customers_and_locations(as_user, dispatcher):
    customer = CustomerFactory(name="Northwind Hospitals")
    LocationFactory(customer=customer, name="Northwind Annex")
    ContactFactory(customer=customer, first_name="Nora", last_name="North", title="Northwind liaison")
    html = as_user(dispatcher).get("/", {"q": "northwind"}).content.decode()
    for group in ("Contacts", "Customers", "Locations"):
        assert f'class="result-group__title">{group}</h2>' in html
    assert "Nora North" in html and "Northwind Annex" in html
    assert html.count("data-result") >= 3


def test_search_finds_a_contact_by_phone_digits_in_another_format(as_user, dispatcher):
    ContactFactory(first_name="Mike", last_name="Johnson", phone="+13125550142")
    client = as_user(dispatcher)
    for typed in ("312.555.0142", "3125550142", "+1 (312) 555-0142", "555-0142"):
        html = client.get("/", {"q": typed}).content.decode()
        assert "Mike Johnson" in html, typed


def test_search_finds_customers_by_phone_and_locations_by_city(as_user, dispatcher):
    customer = CustomerFactory(name="Fabrikam", phone="+13125550100")
    LocationFactory(customer=customer, name="Plant 7", address={"city": "Springfield"})
    client = as_user(dispatcher)
    assert "Fabrikam" in client.get("/", {"q": "(312) 555-0100"}).content.decode()
    assert "Plant 7" in client.get("/", {"q": "springfield"}).content.decode()


def test_search_answers_htmx_with_the_results_and_the_status_out_of_band(as_user, dispatcher):
    ContactFactory(first_name="Mike", last_name="Johnson")
    html = as_user(dispatcher).get("/", {"q": "johnson"}, **HTMX).content.decode()
    assert "<html" not in html
    assert "Mike Johnson" in html
    assert 'id="search-status"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "1 result for “johnson”." in html


def test_search_says_when_nothing_matches(as_user, dispatcher):
    html = as_user(dispatcher).get("/", {"q": "zebra"}).content.decode()
    assert "Nothing matches “zebra”." in html


def test_search_links_to_the_full_list_when_a_group_has_more(as_user, dispatcher):
    customer = CustomerFactory()
    for n in range(9):
        ContactFactory(customer=customer, last_name=f"Smith{n}")
    html = as_user(dispatcher).get("/", {"q": "smith"}).content.decode()
    assert html.count('class="result"') == 8
    assert 'href="/contacts/?search=smith"' in html
    assert "8+ results" in html


def test_search_shows_only_what_the_user_may_view(as_user, nobody):
    ContactFactory(first_name="Mike", last_name="Johnson")
    html = as_user(nobody).get("/", {"q": "johnson"}).content.decode()
    assert "Mike Johnson" not in html


# Contact list -------------------------------------------------------------------------------------


def test_contact_list_filters_by_customer_location_role_status_and_primary(
    as_user, dispatcher, customer_with_two_sites, other_customer
):
    customer, north, south = customer_with_two_sites
    ContactFactory(customer=customer, last_name="Northman", locations=[north], role_site=True)
    ContactFactory(customer=customer, last_name="Southman", locations=[south], role_billing=True)
    ContactFactory(customer=customer, last_name="Everywhere", is_primary=True)
    ContactFactory(customer=customer, last_name="Gone", status="inactive")
    ContactFactory(customer=other_customer, last_name="Stranger")
    client = as_user(dispatcher)

    def names(**params):
        html = client.get("/contacts/", params).content.decode()
        return {name for name in ("Northman", "Southman", "Everywhere", "Gone", "Stranger") if name in html}

    assert names() == {"Northman", "Southman", "Everywhere", "Gone", "Stranger"}
    assert names(customer=customer.pk) == {"Northman", "Southman", "Everywhere", "Gone"}
    assert names(customer=customer.pk, location=north.pk) == {"Northman", "Everywhere", "Gone"}
    assert names(role="billing") == {"Southman"}
    assert names(status="inactive") == {"Gone"}
    assert names(is_primary="true") == {"Everywhere"}
    assert names(search="south") == {"Southman"}


def test_contact_list_offers_the_locations_of_the_chosen_customer(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    client = as_user(dispatcher)
    assert 'id="id_location"' not in client.get("/contacts/").content.decode()
    html = client.get("/contacts/", {"customer": customer.pk}).content.decode()
    assert f'<option value="{north.pk}">North Campus</option>' in html
    assert f'<option value="{customer.pk}" selected>' in html


def test_contact_list_shows_a_bad_filter_instead_of_everything(as_user, dispatcher):
    ContactFactory(last_name="Visible")
    html = as_user(dispatcher).get("/contacts/", {"role": "plumber"}).content.decode()
    assert "Select a valid choice" in html
    assert "Visible" not in html


def test_contact_list_rows_have_tel_links_and_make_primary_buttons(as_user, dispatcher):
    customer = CustomerFactory()
    ContactFactory(customer=customer, last_name="Current", is_primary=True)
    other = ContactFactory(customer=customer, last_name="Other", phone="+13125550142")
    html = as_user(dispatcher).get("/contacts/").content.decode()
    assert 'href="tel:+13125550142">+1 312-555-0142</a>' in html
    assert f'hx-post="/contacts/{other.pk}/make-primary/"' in html
    assert html.count("Make primary<span") == 1  # not for the primary itself


def test_contact_list_pages_with_a_constant_query_budget(as_user, dispatcher, django_assert_max_num_queries):
    customers = [CustomerFactory() for _ in range(3)]
    for n in range(60):
        site = LocationFactory(customer=customers[n % 3])
        ContactFactory(
            customer=customers[n % 3], last_name=f"Person{n:03d}", locations=[site], phone="+13125550100"
        )
    client = as_user(dispatcher)
    with django_assert_max_num_queries(9):
        html = client.get("/contacts/").content.decode()
    assert html.count('class="strong"') == 50
    next_link = re.search(r'href="(\?cursor=[^"]+)" rel="next"', html)
    assert next_link is not None  # a keyset page: no OFFSET however far
    with django_assert_max_num_queries(9):
        html = client.get("/contacts/" + unescape(next_link.group(1))).content.decode()
    assert html.count('class="strong"') == 10 and 'rel="prev"' in html and 'rel="next"' not in html
    with django_assert_max_num_queries(9):
        html = client.get("/contacts/", {"page": 2, "search": "person"}).content.decode()
    assert html.count('class="strong"') == 10
    assert 'rel="next"' not in html


def test_contact_list_answers_htmx_with_the_results_only(as_user, dispatcher):
    ContactFactory(last_name="Johnson")
    html = as_user(dispatcher).get("/contacts/", {"search": "john"}, **HTMX).content.decode()
    assert "Johnson" in html and "<html" not in html


def test_contact_list_empty_state(as_user, dispatcher):
    html = as_user(dispatcher).get("/contacts/").content.decode()
    assert "No contacts yet." in html


# Contact page -------------------------------------------------------------------------------------


def test_contact_page_shows_everything_about_the_person(as_user, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    manager = ContactFactory(customer=customer, first_name="Dana", last_name="Boss")
    contact = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        title="Facilities Technician",
        role_site=True,
        role_emergency=True,
        phone="+13125550142",
        mobile="+13125550199",
        email="mike@northwind.example",
        preferred_channel="sms",
        notes="Only call after 10 AM",
        notify_work_orders=True,
        reports_to=manager,
        locations=[north],
    )
    ContactFactory(customer=customer, first_name="Rita", last_name="Report", reports_to=contact)
    html = as_user(dispatcher).get(f"/contacts/{contact.pk}/").content.decode()
    for expected in (
        'href="tel:+13125550142"',
        'href="tel:+13125550199"',
        'href="mailto:mike@northwind.example"',
        "SMS",
        "Only call after 10 AM",
        "Work orders",
        "North Campus",
        "Dana Boss",
        "Rita Report",
        'id="history-heading"',
        "Site",
        "Emergency",
    ):
        assert expected in html, expected


def test_contact_page_history_shows_who_changed_what(as_user, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    client = as_user(dispatcher)
    client.post("/contacts/new/", contact_form(customer, locations=[north.pk]))
    contact = Contact.objects.get()
    client.post(
        f"/contacts/{contact.pk}/edit/", contact_form(customer, title="Chief Engineer", locations=[north.pk])
    )
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Created" in html and "Changed" in html and "by dispatcher" in html
    assert "Facilities Technician" in html and "Chief Engineer" in html


def test_contact_page_shows_only_the_actions_the_user_may_use(
    as_user, dispatcher, technician, location_contact_clerk
):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)  # customer-level
    edit, delete = f'href="/contacts/{contact.pk}/edit/"', f'href="/contacts/{contact.pk}/delete/"'
    html = as_user(dispatcher).get(f"/contacts/{contact.pk}/").content.decode()
    assert f"{edit}>Edit</a>" in html and delete in html and "Duplicate" in html and "Make primary" in html
    html = as_user(technician).get(f"/contacts/{contact.pk}/").content.decode()
    assert f"{edit}>Edit notes</a>" in html
    assert delete not in html and "Duplicate" not in html and "Make primary" not in html
    # access.py lets anyone who may change contacts change the notes of any contact.
    html = as_user(location_contact_clerk).get(f"/contacts/{contact.pk}/").content.decode()
    assert f"{edit}>Edit notes</a>" in html
    assert delete not in html and "Duplicate" not in html and "Make primary" not in html


def test_contact_page_of_a_missing_contact_is_a_404(as_user, dispatcher):
    assert as_user(dispatcher).get("/contacts/999999/").status_code == 404


# Create -------------------------------------------------------------------------------------------


def test_add_contact_from_a_customer_page_prefills_the_customer_and_offers_its_locations(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    html = (
        as_user(dispatcher)
        .get("/contacts/new/", {"customer": customer.pk, "location": north.pk})
        .content.decode()
    )
    assert f'<option value="{customer.pk}" selected>' in html
    assert "North Campus" in html and "South Campus" in html
    assert f'value="{north.pk}"' in html and "checked" in html
    assert "New contact of Northwind Hospitals" in html


def test_creates_a_contact_with_roles_phones_and_notifications_from_the_roles(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    response = as_user(dispatcher).post(
        "/contacts/new/", contact_form(customer, roles=["site", "emergency"], locations=[north.pk])
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.customer == customer
    assert contact.roles == ["site", "emergency"]
    assert contact.phone == "+13125550142"
    assert contact.email == "mike.johnson@northwind.example"
    assert list(contact.locations.all()) == [north]
    assert contact.notify == {"work_orders": True, "completions": True, "quotes": False, "invoices": False}
    assert contact.preferred_channel == "sms"


def test_explicit_notifications_override_the_roles(as_user, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    as_user(dispatcher).post(
        "/contacts/new/",
        contact_form(customer, roles=["site"], notify_from_roles=None, notify=["invoices"]),
    )
    assert Contact.objects.get().notify == {
        "work_orders": False,
        "completions": False,
        "quotes": False,
        "invoices": True,
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address"),
        ({"phone": "call me maybe"}, "phone", "is not a phone number"),
        (
            {"roles": ["site"], "approval_limit": "100"},
            "approval_limit",
            "An approval limit needs the approver role.",
        ),
        ({"roles": ["approver"], "approval_limit": "-1"}, "approval_limit", "may not be negative"),
        (
            {"email": "", "portal_enabled": "on"},
            "portal_enabled",
            "Portal access needs a valid e-mail address.",
        ),
        ({"last_name": ""}, "last_name", "This field is required."),
        (
            {"support_start": "2025-05-01", "support_end": "2025-01-01", "portal_enabled": "on"},
            "portal_enabled",
            "before the support start date",
        ),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_stored(
    as_user, accounts_clerk, customer_with_two_sites, overrides, field, message
):
    customer, _, _ = customer_with_two_sites
    response = as_user(accounts_clerk).post("/contacts/new/", contact_form(customer, **overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert not Contact.objects.exists()


def test_a_line_manager_of_another_customer_is_not_offered_and_is_refused(
    as_user, dispatcher, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    stranger = ContactFactory(customer=other_customer, last_name="Stranger")
    client = as_user(dispatcher)
    assert "Stranger" not in client.get("/contacts/new/", {"customer": customer.pk}).content.decode()
    response = client.post("/contacts/new/", contact_form(customer, reports_to=stranger.pk))
    assert 'id="id_reports_to_error"' in response.content.decode()
    assert not Contact.objects.filter(last_name="Johnson").exists()


def test_picking_another_customer_reloads_its_locations_and_keeps_what_was_typed(
    as_user, dispatcher, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    client = as_user(dispatcher)
    html = client.post(
        f"/contacts/new/?customer={customer.pk}", contact_form(other_customer, _refresh="1", last_name="Keep")
    ).content.decode()
    assert " Contoso HQ</label>" in html and " North Campus</label>" not in html
    assert 'value="Keep"' in html
    assert "errorlist" not in html
    assert not Contact.objects.exists()
    partial = client.post(
        "/contacts/new/", contact_form(other_customer, _refresh="1"), **HTMX
    ).content.decode()
    assert partial.lstrip().startswith("{#") is False
    assert 'id="customer-fields"' in partial and "Contoso HQ" in partial and "<html" not in partial


def test_the_customer_select_reloads_the_dependent_fields_with_htmx(as_user, dispatcher):
    html = as_user(dispatcher).get("/contacts/new/").content.decode()
    assert 'hx-post="/contacts/new/"' in html
    assert 'hx-target="#customer-fields"' in html
    assert "<noscript>" in html  # the same without JavaScript: a button


def test_a_location_only_clerk_may_add_location_level_contacts_only(
    as_user, location_contact_clerk, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    client = as_user(location_contact_clerk)
    html = client.get("/contacts/new/", {"customer": customer.pk}).content.decode()
    assert "you may only maintain location-level contacts" in html
    refused = client.post("/contacts/new/", contact_form(customer))
    assert refused.status_code == 403
    assert "link the contact to at least one location" in refused.content.decode()
    assert not Contact.objects.exists()
    allowed = client.post("/contacts/new/", contact_form(customer, locations=[north.pk]))
    assert allowed.status_code == 302
    assert Contact.objects.get().locations.get() == north


@pytest.mark.parametrize("who", ["technician", "nobody"])
def test_users_who_may_not_add_contacts_get_a_403(as_user, request, who, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    client = as_user(request.getfixturevalue(who))
    assert client.get("/contacts/new/").status_code == 403
    assert client.post("/contacts/new/", contact_form(customer)).status_code == 403
    assert not Contact.objects.exists()


def test_add_contact_for_a_customer_that_does_not_exist_is_a_404(as_user, dispatcher):
    assert as_user(dispatcher).get("/contacts/new/", {"customer": 999999}).status_code == 404


# Edit ---------------------------------------------------------------------------------------------


def test_edit_shows_the_stored_values_and_saves_changes(as_user, dispatcher, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    contact = ContactFactory(
        customer=customer, last_name="Johnson", phone="+13125550142", role_site=True, locations=[north]
    )
    client = as_user(dispatcher)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'value="Johnson"' in html
    assert 'value="+1 312-555-0142"' in html
    assert 'value="site" id="id_roles_0" checked' in html
    # Its opt-ins are not those of its roles: "Notify as the roles suggest" is offered unticked.
    assert (
        '<input type="checkbox" name="notify_from_roles" aria-describedby="id_notify_from_roles_helptext" id="id_notify_from_roles">'
        in html
    )
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        contact_form(
            customer, roles=["billing"], notify=["invoices"], locations=[south.pk], phone="+1 312-555-0142"
        ),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.roles == ["billing"]
    assert contact.notify["invoices"] is True and contact.notify["work_orders"] is False
    assert list(contact.locations.all()) == [south]


def test_giving_the_approver_role_on_the_edit_form_offers_its_notification(
    as_user, dispatcher, accounts_clerk, customer_with_two_sites
):
    """As on the new-contact form, "Notify as the roles suggest" applies the roles' notifications:
    offered ticked while the stored ones are the roles', so a role given now brings its own."""
    customer, north, _ = customer_with_two_sites
    contact = ContactFactory(
        customer=customer, role_site=True, notify_work_orders=True, notify_completions=True, locations=[north]
    )
    client = as_user(accounts_clerk)  # may give approval authority
    form = edit_form(client.get(f"/contacts/{contact.pk}/edit/").content.decode())
    assert form["notify_from_roles"] == ["on"]
    assert form["notify"] == ["work_orders", "completions"]
    form["roles"] = ["site", "approver"]
    response = client.post(f"/contacts/{contact.pk}/edit/", form)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.roles == ["site", "approver"]
    assert contact.notify == {"work_orders": True, "completions": True, "quotes": True, "invoices": False}
    assert "notify-warning" not in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_notifications_ticked_by_hand_win_over_the_roles_suggestion(
    as_user, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(
        customer=customer, role_site=True, notify_work_orders=True, notify_completions=True
    )
    client = as_user(dispatcher)
    form = edit_form(client.get(f"/contacts/{contact.pk}/edit/").content.decode())
    form["notify"] = ["work_orders"]  # "Notify as the roles suggest" left ticked
    assert client.post(f"/contacts/{contact.pk}/edit/", form).status_code == 302
    contact.refresh_from_db()
    assert contact.notify == {"work_orders": True, "completions": False, "quotes": False, "invoices": False}
    response = client.post(
        "/contacts/new/", contact_form(customer, roles=["site"], notify=["invoices"], email="new@x.example")
    )
    assert response.status_code == 302
    created = Contact.objects.get(email="new@x.example")
    assert created.notify == {"work_orders": False, "completions": False, "quotes": False, "invoices": True}


def test_an_approver_not_notified_about_quotes_is_warned_of_on_the_form_and_the_page(
    as_user, accounts_clerk, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, first_name="Ann", last_name="Lee", notify_invoices=True)
    client = as_user(accounts_clerk)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    # The status region is there for the form's script, empty while nothing is wrong.
    assert re.search(r'<div id="notify-warning" role="status"[^>]*></div>', html)
    form = edit_form(html)
    assert "notify_from_roles" not in form  # its opt-ins are not its roles'
    form["roles"] = ["approver"]
    response = client.post(f"/contacts/{contact.pk}/edit/", form, follow=True)
    contact.refresh_from_db()
    assert contact.roles == ["approver"] and contact.notify_quotes is False
    # Saved without JavaScript: the contact's page says so, in a status region.
    page = response.content.decode()
    warning = re.search(
        r'<div id="notify-warning" role="status"><p class="message message--warning">(.*?)</p>', page, re.S
    )
    assert warning is not None
    assert "An approver who is not notified about quotes gets no quote to approve by e-mail" in warning.group(
        1
    )
    # The form says it too, under the notifications.
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    notify_at = html.index('name="notify"')
    warning_at = html.index("An approver who is not notified about quotes")
    assert notify_at < warning_at and html.rindex('role="status"', 0, warning_at) > notify_at
    # Redisplayed with a mistake, the form warns of what was sent.
    form = edit_form(html)
    form["last_name"] = [""]
    response = client.post(f"/contacts/{contact.pk}/edit/", form)
    assert response.status_code == 200 and "gets no quote to approve" in response.content.decode()
    form["last_name"] = ["Lee"]
    form["notify"] = ["invoices", "quotes"]
    client.post(f"/contacts/{contact.pk}/edit/", form)
    assert "gets no quote to approve" not in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_the_contact_form_script_is_served_from_this_site(as_user, dispatcher):
    html = as_user(dispatcher).get("/contacts/new/").content.decode()
    assert '<script src="/static/contacts/contact_form.js" defer></script>' in html
    assert 'data-role-notify="{&quot;site&quot;: [&quot;work_orders&quot;, &quot;completions&quot;]' in html


def test_the_primary_checkbox_on_the_form_moves_the_flag(as_user, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    current = ContactFactory(customer=customer, is_primary=True)
    contact = ContactFactory(customer=customer)
    as_user(dispatcher).post(f"/contacts/{contact.pk}/edit/", contact_form(customer, is_primary="on"))
    current.refresh_from_db()
    contact.refresh_from_db()
    assert contact.is_primary and not current.is_primary


def test_a_technician_edits_only_the_notes(as_user, technician):
    contact = ContactFactory(last_name="Johnson", notes="old")
    client = as_user(technician)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'name="notes"' in html
    assert 'name="last_name"' not in html
    response = client.post(
        f"/contacts/{contact.pk}/edit/", {"notes": "Gate code 4711", "last_name": "Hacked"}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.notes, contact.last_name) == ("Gate code 4711", "Johnson")


def test_a_location_only_clerk_cannot_edit_a_customer_level_contact(
    as_user, location_contact_clerk, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    customer_level = ContactFactory(customer=customer, last_name="Everywhere")
    site_level = ContactFactory(customer=customer, last_name="Sited", locations=[north])
    client = as_user(location_contact_clerk)
    # Only the notes form (access.py allows notes); everything else posted is ignored.
    html = client.get(f"/contacts/{customer_level.pk}/edit/").content.decode()
    assert 'name="notes"' in html and 'name="last_name"' not in html
    client.post(f"/contacts/{customer_level.pk}/edit/", contact_form(customer, last_name="Hacked"))
    customer_level.refresh_from_db()
    assert customer_level.last_name == "Everywhere"
    # A location-level contact: yes, but it may not become customer-level.
    refused = client.post(f"/contacts/{site_level.pk}/edit/", contact_form(customer, last_name="Sited"))
    assert refused.status_code == 403
    assert list(site_level.locations.all()) == [north]
    ok = client.post(
        f"/contacts/{site_level.pk}/edit/", contact_form(customer, last_name="Moved", locations=[north.pk])
    )
    assert ok.status_code == 302


def test_users_who_may_not_change_contacts_get_a_403(as_user, nobody):
    contact = ContactFactory(last_name="Johnson")
    client = as_user(nobody)
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 403
    with assert_unchanged(contact):
        assert client.post(f"/contacts/{contact.pk}/edit/", {"notes": "x"}).status_code == 403


# Duplicate ----------------------------------------------------------------------------------------


def test_duplicate_opens_a_filled_in_form_and_saves_nothing_until_it_is_submitted(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    manager = ContactFactory(customer=customer, first_name="Ann", last_name="Lee")
    contact = ContactFactory(
        customer=customer,
        first_name="Olga",
        last_name="Original",
        title="Facilities Manager",
        email="olga@northwind.example",
        external_id="ERP-7",
        is_primary=True,
        role_billing=True,
        role_site=True,
        notify_invoices=True,
        reports_to=manager,
        locations=[north],
    )
    client = as_user(dispatcher)
    with assert_unchanged(Contact):
        page = client.get(f"/contacts/{contact.pk}/duplicate/")
    assert page.status_code == 200
    assert Contact.objects.count() == 2
    form = edit_form(page.content.decode())
    # The copy's values: e-mail and external ID empty, never primary; roles, locations and
    # notifications as the original's (the notifications chosen, not the roles' suggestion).
    assert (form["first_name"], form["last_name"], form["title"]) == (
        ["Olga"],
        ["Original"],
        ["Facilities Manager"],
    )
    assert (form["email"], form["external_id"]) == ([""], [""])
    assert form["customer"] == [str(customer.pk)] and form["reports_to"] == [str(manager.pk)]
    assert form["roles"] == ["site", "billing"] and form["locations"] == [str(north.pk)]
    assert form["notify"] == ["invoices"] and "notify_from_roles" not in form and "is_primary" not in form
    text = page_text(page)
    assert "Copy of Olga Original" in text
    assert "without an e-mail address, since olga@northwind.example is Olga Original's" in text
    assert "Nothing is saved until you do." in text

    form["email"] = ["otto@northwind.example"]
    form["first_name"] = ["Otto"]
    response = client.post(f"/contacts/{contact.pk}/duplicate/", form)
    copy = Contact.objects.exclude(pk__in=[contact.pk, manager.pk]).get()
    assert response.status_code == 302 and response["Location"] == f"/contacts/{copy.pk}/"
    assert (copy.full_name, copy.email, copy.external_id, copy.is_primary) == (
        "Otto Original",
        "otto@northwind.example",
        "",
        False,
    )
    assert copy.roles == ["site", "billing"] and list(copy.locations.all()) == [north]
    assert copy.notify == {"work_orders": False, "completions": False, "quotes": False, "invoices": True}
    assert copy.reports_to == manager
    contact.refresh_from_db()
    assert contact.is_primary and contact.email == "olga@northwind.example"


def test_a_duplicate_form_with_a_mistake_saves_nothing_and_keeps_the_input(as_user, dispatcher):
    contact = ContactFactory(customer=CustomerFactory(), last_name="Original")
    client = as_user(dispatcher)
    form = edit_form(client.get(f"/contacts/{contact.pk}/duplicate/").content.decode())
    form["last_name"] = [""]
    form["title"] = ["Night shift"]
    with assert_unchanged(Contact):
        response = client.post(f"/contacts/{contact.pk}/duplicate/", form)
    assert response.status_code == 200
    assert "This field is required." in page_text(response)
    assert edit_form(response.content.decode())["title"] == ["Night shift"]


def test_the_duplicate_form_says_when_it_looks_like_the_original(as_user, dispatcher):
    """The "looks like …" hint of the new-contact form works on the copy's form: it asks with the
    copy's names and customer, and names the original."""
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, first_name="Robert", last_name="Smith")
    client = as_user(dispatcher)
    html = client.get(f"/contacts/{contact.pk}/duplicate/").content.decode()
    assert 'id="duplicate-hint"' in html and 'hx-get="/contacts/duplicates/"' in html
    hint = client.get(
        "/contacts/duplicates/",
        {"customer": customer.pk, "first_name": "Robert", "last_name": "Smith"},
        **HTMX,
    )
    assert "Looks like a contact already here" in hint.content.decode()
    assert f'href="/contacts/{contact.pk}/"' in hint.content.decode()


def test_the_contact_page_opens_the_duplicate_form_with_a_get(as_user, dispatcher):
    contact = ContactFactory(customer=CustomerFactory())
    html = as_user(dispatcher).get(f"/contacts/{contact.pk}/").content.decode()
    assert re.search(rf'<form method="get" action="/contacts/{contact.pk}/duplicate/">\s*<button', html)


def test_duplicate_is_refused_to_users_who_may_not_add(as_user, technician):
    contact = ContactFactory()
    client = as_user(technician)
    with assert_unchanged(Contact):
        assert client.get(f"/contacts/{contact.pk}/duplicate/").status_code == 403
        assert client.post(f"/contacts/{contact.pk}/duplicate/", {"last_name": "Copy"}).status_code == 403
    assert Contact.objects.count() == 1
    assert "Duplicate" not in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_duplicating_a_contact_that_does_not_exist_is_a_404(as_user, dispatcher):
    assert as_user(dispatcher).get("/contacts/999999/duplicate/").status_code == 404


# Make primary -------------------------------------------------------------------------------------


def test_make_primary_moves_the_flag_and_returns_to_the_page(as_user, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    current = ContactFactory(customer=customer, is_primary=True)
    contact = ContactFactory(customer=customer, first_name="Nina", last_name="New")
    response = as_user(dispatcher).post(
        f"/contacts/{contact.pk}/make-primary/", {"next": f"/customers/{customer.pk}/"}, follow=True
    )
    assert response.redirect_chain == [(f"/customers/{customer.pk}/", 302)]
    assert "Nina New is now the primary contact" in response.content.decode()
    current.refresh_from_db()
    contact.refresh_from_db()
    assert contact.is_primary and not current.is_primary


def test_make_primary_with_htmx_swaps_the_row_and_the_previous_primarys_row(
    as_user, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    current = ContactFactory(customer=customer, is_primary=True)
    contact = ContactFactory(customer=customer)
    html = (
        as_user(dispatcher)
        .post(f"/contacts/{contact.pk}/make-primary/", {"show_customer": "0"}, **HTMX)
        .content.decode()
    )
    assert html.lstrip().startswith(f'<tr id="contact-row-{contact.pk}"')
    assert f'<tr id="contact-row-{current.pk}" hx-swap-oob="true"' in html
    assert '<div id="messages" hx-swap-oob="innerHTML">' in html
    assert f'hx-post="/contacts/{current.pk}/make-primary/"' in html  # the old primary can be primary again
    assert f'hx-post="/contacts/{contact.pk}/make-primary/"' not in html


def test_make_primary_on_the_customer_page_shows_the_new_primary_in_its_details(
    as_user, dispatcher, customer_with_two_sites
):
    """The customer page's rows carry `primary_card`: the answer swaps, out of band, the primary
    contact of the page's details too, not only the rows."""
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, first_name="Olaf", last_name="Old", is_primary=True)
    contact = ContactFactory(customer=customer, first_name="Nina", last_name="New")
    client = as_user(dispatcher)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    details = re.search(r'<dd id="customer-primary-contact">(.*?)</dd>', page, re.S)
    assert details is not None and "Olaf Old" in details.group(1)
    row = re.search(rf'<tr id="contact-row-{contact.pk}".*?</tr>', page, re.S)
    assert row is not None and '<input type="hidden" name="primary_card" value="1">' in row.group(0)

    html = client.post(
        f"/contacts/{contact.pk}/make-primary/", {"show_customer": "0", "primary_card": "1"}, **HTMX
    ).content.decode()
    swapped = re.search(r'<dd id="customer-primary-contact" hx-swap-oob="true">(.*?)</dd>', html, re.S)
    assert swapped is not None
    assert f'<a href="/contacts/{contact.pk}/">Nina New</a>' in swapped.group(1)
    # The rows swapped keep telling the next make-primary to swap the details too.
    assert html.count('<input type="hidden" name="primary_card" value="1">') == 1  # the old primary's row
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    details = re.search(r'<dd id="customer-primary-contact">(.*?)</dd>', page, re.S)
    assert details is not None and "Nina New" in details.group(1) and "Olaf Old" not in details.group(1)


def test_make_primary_elsewhere_swaps_no_customer_details(as_user, dispatcher, customer_with_two_sites):
    """The contact list has no primary-contact details to swap: nothing is sent for them."""
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer)
    client = as_user(dispatcher)
    assert 'name="primary_card"' not in client.get("/contacts/").content.decode()
    html = client.post(
        f"/contacts/{contact.pk}/make-primary/", {"show_customer": "1"}, **HTMX
    ).content.decode()
    assert "customer-primary-contact" not in html


def test_make_primary_from_the_contact_page_shows_on_the_customer_page(
    as_user, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, first_name="Olaf", last_name="Old", is_primary=True)
    contact = ContactFactory(customer=customer, first_name="Nina", last_name="New")
    client = as_user(dispatcher)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'action="/contacts/{contact.pk}/make-primary/"' in page
    response = client.post(
        f"/contacts/{contact.pk}/make-primary/", {"next": f"/contacts/{contact.pk}/"}, follow=True
    )
    assert response.redirect_chain == [(f"/contacts/{contact.pk}/", 302)]
    assert "Primary contact" in page_text(response)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    details = re.search(r'<dd id="customer-primary-contact">(.*?)</dd>', page, re.S)
    assert details is not None and "Nina New" in details.group(1)


def test_make_primary_is_refused_without_the_permission(as_user, technician, location_contact_clerk):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer)  # customer-level
    with assert_unchanged(Contact):
        for user in (technician, location_contact_clerk):
            assert as_user(user).post(f"/contacts/{contact.pk}/make-primary/").status_code == 403
    contact.refresh_from_db()
    assert not contact.is_primary


def test_make_primary_refuses_a_contact_without_customer(as_user, dispatcher):
    loner = ContactFactory(customer=None)
    response = as_user(dispatcher).post(f"/contacts/{loner.pk}/make-primary/", follow=True)
    assert "A contact without a customer cannot be a primary contact." in response.content.decode()


# Delete -------------------------------------------------------------------------------------------


def test_delete_confirmation_shows_what_references_the_contact_and_what_stays(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, south = customer_with_two_sites
    contact = ContactFactory(
        customer=customer,
        first_name="Dana",
        last_name="Boss",
        is_primary=True,
        locations=[north, south],
        portal_enabled=True,
        email="dana@northwind.example",
    )
    ContactFactory(customer=customer, first_name="Rita", last_name="Report", reports_to=contact)
    html = as_user(dispatcher).get(f"/contacts/{contact.pk}/delete/").content.decode()
    assert "Delete Dana Boss?" in html
    assert "Primary contact of Northwind Hospitals" in html
    assert "Direct reports" in html and "Rita Report" in html and "without a line manager" in html
    assert "Location links" in html and "North Campus" in html and "South Campus" in html
    assert "Customer portal access" in html
    assert "history keeps its name" in html
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_delete_removes_the_contact_keeps_the_history_and_frees_its_reports(
    as_user, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, first_name="Dana", last_name="Boss")
    report = ContactFactory(customer=customer, reports_to=contact)
    response = as_user(dispatcher).post(f"/contacts/{contact.pk}/delete/", follow=True)
    assert response.redirect_chain == [(f"/customers/{customer.pk}/", 302)]
    assert "Contact “Dana Boss” deleted." in response.content.decode()
    assert not Contact.objects.filter(pk=contact.pk).exists()
    report.refresh_from_db()
    assert report.reports_to is None
    tombstone = Contact.history.filter(id=contact.pk, history_type="-").get()
    assert (tombstone.first_name, tombstone.last_name) == ("Dana", "Boss")


def test_delete_is_refused_to_users_who_may_not_delete(as_user, technician, location_contact_clerk):
    contact = ContactFactory(customer=CustomerFactory())  # customer-level
    with assert_unchanged(contact):
        for user in (technician, location_contact_clerk):
            client = as_user(user)
            assert client.get(f"/contacts/{contact.pk}/delete/").status_code == 403
            assert client.post(f"/contacts/{contact.pk}/delete/").status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_deleting_a_missing_contact_is_a_404(as_user, dispatcher):
    ContactFactory(last_name="Kept")
    with assert_unchanged(Contact):
        assert as_user(dispatcher).post("/contacts/999999/delete/").status_code == 404


# Markup in names stays text -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/contacts/", "/contacts/{pk}/", "/contacts/{pk}/delete/", "/?q=alert", "/customers/{customer}/"]
)
def test_markup_in_names_is_escaped_everywhere(as_user, dispatcher, url):
    customer = CustomerFactory(name=IMAGE)
    contact = ContactFactory(
        customer=customer, first_name=SCRIPT, last_name=IMAGE, title="alert", email="x@example.com"
    )
    html = as_user(dispatcher).get(url.format(pk=contact.pk, customer=customer.pk)).content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_contact_page_has_a_hook_for_other_apps_sections(as_user, dispatcher, monkeypatch):
    from clientbase.contacts import views as contact_views

    contact = ContactFactory(last_name="Johnson")
    monkeypatch.setattr(contact_views, "CONTACT_SECTIONS", [])
    contact_views.register_contact_section(
        contact_views.ContactSection(
            key="portal-access",
            title="Portal access",
            template_name="_messages.html",
            context=lambda r, c: {},
        )
    )
    contact_views.register_contact_section(
        contact_views.ContactSection(
            key="not-for-you", title="Not for you", template_name="_messages.html", context=lambda r, c: None
        )
    )
    html = as_user(dispatcher).get(f"/contacts/{contact.pk}/").content.decode()
    assert '<section id="portal-access"' in html
    assert html.index('id="portal-access"') < html.index('id="history"')
    assert "Not for you" not in html


def test_delete_confirmation_counts_what_other_apps_keep_of_the_contact(as_user, dispatcher, monkeypatch):
    """Every model with a foreign key to contacts is counted, with what its on_delete does; apps
    add references of their own through CONTACT_REFERENCE_SOURCES."""
    from django.apps import apps

    from clientbase.contacts import selectors

    contact = ContactFactory(first_name="Dana", last_name="Boss")
    try:
        work_order_model = apps.get_model("workorders", "WorkOrder")
    except LookupError:
        work_order_model = None
    if work_order_model is not None:
        for summary in ("Chiller noisy", "Door stuck"):
            work_order_model.objects.create(customer=contact.customer, summary=summary, requested_by=contact)
    monkeypatch.setattr(
        selectors,
        "CONTACT_REFERENCE_SOURCES",
        [lambda c: [selectors.ContactReference(label="Signed contracts", count=3, consequence="They stay.")]],
    )
    html = as_user(dispatcher).get(f"/contacts/{contact.pk}/delete/").content.decode()
    assert "Signed contracts</strong>: 3" in html
    if work_order_model is not None:
        assert "Work orders (requested by)</strong>: 2" in html
        assert "their link to the contact is cleared" in html


def test_make_primary_on_a_location_page_keeps_the_rows_location_marker(
    as_user, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    site_contact = ContactFactory(customer=customer, last_name="Sited", locations=[north])
    everywhere = ContactFactory(customer=customer, last_name="Everywhere", is_primary=True)
    client = as_user(dispatcher)
    page = client.get(f"/locations/{north.pk}/").content.decode()
    assert f'name="row_location" value="{north.pk}"' in page
    html = client.post(
        f"/contacts/{site_contact.pk}/make-primary/", {"show_customer": "0", "row_location": north.pk}, **HTMX
    ).content.decode()
    new_row, old_row = html.split(f'<tr id="contact-row-{everywhere.pk}"')
    assert "at this location" in new_row
    assert "customer-level" in old_row


def test_contact_list_shows_every_number_to_call(dispatcher):
    from django.test import Client

    from tests.factories import ContactFactory

    ContactFactory(last_name="Taylor", phone="+13125550100", mobile="+13125550199")
    client = Client()
    client.force_login(dispatcher)
    page = client.get("/contacts/").content.decode()
    assert 'href="tel:+13125550100"' in page
    assert 'href="tel:+13125550199"' in page
    assert "mobile" in page
