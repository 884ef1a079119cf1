"""Confirming a contact's details (a technician at a service visit): `details_confirmed_at` and
`details_confirmed_by`, through the service, the API (`POST contacts/{id}/confirm-details/`) and
the contact page's "Confirm details" button; who may, who is refused and how, what the history
records, and that the e-mail verification (`last_verified_at`) is left alone."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientbase.contacts import services
from clientbase.contacts.models import Contact
from clientbase.errors import Forbidden
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts/"
VERIFIED_AT = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def confirm_url(contact: Contact) -> str:
    return f"{URL}{contact.pk}/confirm-details/"


def page_url(contact: Contact) -> str:
    return f"/contacts/{contact.pk}/"


@pytest.fixture
def contact(customer_with_two_sites):
    """A contact of the customer, linked to a site, its e-mail address verified."""
    customer, north, _ = customer_with_two_sites
    return ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        locations=[north],
        email_status=Contact.EmailStatus.VERIFIED,
        last_verified_at=VERIFIED_AT,
    )


@pytest.fixture
def viewer(db):
    """A staff user who may view contacts and nothing more."""
    user = UserFactory(username="viewer")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="contacts", codename="view_contact")
    )
    return user


def stored(contact: Contact) -> Contact:
    return Contact.objects.get(pk=contact.pk)


# The API --------------------------------------------------------------------------------------------


def test_confirming_sets_the_time_and_the_user_and_answers_the_contact(api, dispatcher, contact):
    before = timezone.now()
    response = api(dispatcher).post(confirm_url(contact))
    after = timezone.now()
    assert response.status_code == 200, response.content
    body = response.json()
    saved = stored(contact)
    assert before <= saved.details_confirmed_at <= after
    assert saved.details_confirmed_by == dispatcher
    assert body["id"] == contact.pk
    assert body["details_confirmed_by_name"] == "dispatcher"
    assert datetime.datetime.fromisoformat(body["details_confirmed_at"]) == saved.details_confirmed_at
    # Answered as the detail endpoint answers the contact, with its new version as the ETag.
    assert body == api(dispatcher).get(f"{URL}{contact.pk}/").json()
    assert response["ETag"] == f'"{saved.version}"' and saved.version == contact.version + 1


def test_the_e_mail_verification_is_left_alone(api, dispatcher, contact):
    response = api(dispatcher).post(confirm_url(contact))
    assert response.status_code == 200
    saved = stored(contact)
    assert saved.last_verified_at == VERIFIED_AT
    assert saved.email_status == Contact.EmailStatus.VERIFIED
    assert response.json()["last_verified_at"] == "2025-03-04T05:06:07Z"
    assert response.json()["email_status"] == "verified"


def test_nothing_else_of_the_contact_changes(api, dispatcher, contact):
    before = Contact.objects.filter(pk=contact.pk).values().get()
    assert api(dispatcher).post(confirm_url(contact)).status_code == 200
    after = Contact.objects.filter(pk=contact.pk).values().get()
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"details_confirmed_at", "details_confirmed_by_id", "updated_at", "version"}


def test_an_unconfirmed_contact_answers_nulls(api, dispatcher, contact):
    body = api(dispatcher).get(f"{URL}{contact.pk}/").json()
    assert body["details_confirmed_at"] is None and body["details_confirmed_by_name"] is None


def test_the_name_is_the_users_full_name_when_it_has_one(api, contact):
    dana = UserFactory(username="dana", first_name="Dana", last_name="Whitfield", is_superuser=True)
    assert api(dana).post(confirm_url(contact)).json()["details_confirmed_by_name"] == "Dana Whitfield"


def test_confirming_again_moves_the_time_and_the_user(api, dispatcher, technician, contact):
    api(dispatcher).post(confirm_url(contact))
    first = stored(contact).details_confirmed_at
    response = api(technician).post(confirm_url(contact))
    assert response.status_code == 200
    saved = stored(contact)
    assert saved.details_confirmed_by == technician and saved.details_confirmed_at >= first
    assert saved.version == contact.version + 2
    assert response.json()["details_confirmed_by_name"] == "technician"


def test_a_technician_may_confirm(api, technician, contact):
    """Technicians change only notes; confirming the details is theirs too."""
    response = api(technician).post(confirm_url(contact))
    assert response.status_code == 200, response.content
    assert stored(contact).details_confirmed_by == technician


def test_the_details_are_read_only_in_a_write(api, dispatcher, contact):
    with assert_unchanged(Contact):
        response = api(dispatcher).patch(
            f"{URL}{contact.pk}/", {"details_confirmed_at": "2025-01-01T00:00:00Z"}, format="json"
        )
        assert response.status_code == 400
        assert response.json()["details_confirmed_at"] == ["This field is read-only."]
        response = api(dispatcher).patch(
            f"{URL}{contact.pk}/", {"details_confirmed_by_name": "someone"}, format="json"
        )
        assert response.status_code == 400


def test_a_staff_user_without_contact_rights_is_refused_403(api, nobody, contact):
    with assert_unchanged(Contact):
        response = api(nobody).post(confirm_url(contact))
    assert response.status_code == 403


def test_a_user_who_only_views_contacts_is_refused_403(api, viewer, contact):
    with assert_unchanged(Contact):
        response = api(viewer).post(confirm_url(contact))
    assert response.status_code == 403
    assert "confirm the details of this contact" in response.content.decode()


def test_anonymous_is_401(api, contact):
    with assert_unchanged(Contact):
        assert api(None).post(confirm_url(contact)).status_code == 401


def test_a_missing_contact_is_404(api, dispatcher, contact):
    with assert_unchanged(Contact):
        assert api(dispatcher).post(f"{URL}999999/confirm-details/").status_code == 404


def test_a_portal_user_who_edits_contacts_may_confirm_its_customers(
    api, portal_user_factory, customer_with_two_sites, contact
):
    customer, _, _ = customer_with_two_sites
    user = portal_user_factory(customer, permissions=["edit_contacts"], first_name="Pia", last_name="Portal")
    response = api(user).post(confirm_url(contact))
    assert response.status_code == 200, response.content
    assert stored(contact).details_confirmed_by == user
    assert response.json()["details_confirmed_by_name"] == "Pia Portal"  # its contact's name


def test_another_customers_portal_user_gets_404(api, portal_user_factory, other_customer, contact):
    user = portal_user_factory(other_customer, permissions=["edit_contacts"])
    with assert_unchanged(Contact):
        assert api(user).post(confirm_url(contact)).status_code == 404


def test_a_portal_user_who_may_not_edit_contacts_is_refused(
    api, portal_user_factory, customer_with_two_sites, contact
):
    customer, _, _ = customer_with_two_sites
    user = portal_user_factory(customer, permissions=["billing"])
    with assert_unchanged(Contact):
        assert api(user).post(confirm_url(contact)).status_code == 403


def test_a_portal_user_reads_a_staff_confirmer_as_staff(
    api, dispatcher, portal_user_factory, customer_with_two_sites, contact
):
    """Staff usernames stay inside, as in the history a portal user reads."""
    customer, _, _ = customer_with_two_sites
    api(dispatcher).post(confirm_url(contact))
    user = portal_user_factory(customer, permissions=["edit_contacts"])
    body = api(user).get(f"{URL}{contact.pk}/").json()
    assert body["details_confirmed_by_name"] == "Service provider staff"
    assert body["details_confirmed_at"] is not None


def test_the_list_reads_the_confirmers_without_a_query_per_contact(
    api, dispatcher, technician, customer_with_two_sites, contact
):
    customer, _, _ = customer_with_two_sites
    client = api(dispatcher)
    client.post(confirm_url(contact))

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{URL}?customer={customer.pk}")
        assert response.status_code == 200
        return len(queries)

    one = list_queries()
    for _ in range(3):
        services.confirm_details(contact=ContactFactory(customer=customer), acting_user=technician)
    assert list_queries() == one
    names = {
        row["details_confirmed_by_name"]
        for row in client.get(f"{URL}?customer={customer.pk}").json()["results"]
    }
    assert names == {"dispatcher", "technician"}


# History ----------------------------------------------------------------------------------------------


def test_the_history_records_the_confirmation_with_the_user(api, dispatcher, contact):
    records = Contact.history.filter(id=contact.pk).count()
    api(dispatcher).post(confirm_url(contact))
    assert Contact.history.filter(id=contact.pk).count() == records + 1
    record = Contact.history.filter(id=contact.pk).latest("history_id")
    assert (record.history_type, record.history_user) == ("~", dispatcher)
    assert record.details_confirmed_by_id == dispatcher.pk and record.details_confirmed_at is not None
    # The newest entry is the confirmation, by its user (its changes, of fields no form edits, are
    # not listed: `history.entries` lists those of editable fields, as for `last_verified_at`).
    entry = api(dispatcher).get(f"{URL}{contact.pk}/history/").json()["results"][0]
    assert entry["user"] == "dispatcher" and entry["type"] == "changed"


def test_a_refusal_records_nothing(viewer, contact):
    records = Contact.history.filter(id=contact.pk).count()
    with assert_unchanged(Contact), pytest.raises(Forbidden):
        services.confirm_details(contact=contact, acting_user=viewer)
    assert Contact.history.filter(id=contact.pk).count() == records


# The contact page -----------------------------------------------------------------------------------


def test_the_page_shows_never_confirmed_and_the_button_to_a_technician(client, technician, contact):
    client.force_login(technician)
    html = client.get(page_url(contact)).content.decode()
    assert "Details confirmed" in html and "Never confirmed" in html
    assert f'action="/contacts/{contact.pk}/confirm-details/"' in html
    assert ">Confirm details</button>" in html
    assert "csrfmiddlewaretoken" in html


def test_the_button_confirms_and_the_page_says_so(client, technician, contact):
    client.force_login(technician)
    response = client.post(f"/contacts/{contact.pk}/confirm-details/")
    assert response.status_code == 302 and response["Location"] == page_url(contact)
    saved = stored(contact)
    assert saved.details_confirmed_by == technician and saved.details_confirmed_at is not None
    assert saved.last_verified_at == VERIFIED_AT
    html = client.get(page_url(contact)).content.decode()
    assert "Details confirmed." in html
    assert "Never confirmed" not in html
    local = timezone.localtime(saved.details_confirmed_at)
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time> by technician' in html


def test_the_page_names_the_confirmer_by_full_name(client, dispatcher, contact):
    dana = UserFactory(username="dana", first_name="Dana", last_name="Whitfield", is_superuser=True)
    services.confirm_details(contact=contact, acting_user=dana)
    client.force_login(dispatcher)
    assert "by Dana Whitfield" in client.get(page_url(contact)).content.decode()


def test_no_button_for_a_user_who_may_not_confirm(client, viewer, contact):
    client.force_login(viewer)
    html = client.get(page_url(contact)).content.decode()
    assert "Never confirmed" in html
    assert "Confirm details" not in html and "confirm-details" not in html


def test_the_action_refuses_a_user_who_may_not(client, viewer, contact):
    client.force_login(viewer)
    with assert_unchanged(Contact):
        response = client.post(f"/contacts/{contact.pk}/confirm-details/")
    assert response.status_code == 403


def test_the_action_answers_404_for_a_missing_contact(client, technician, contact):
    client.force_login(technician)
    with assert_unchanged(Contact):
        assert client.post("/contacts/999999/confirm-details/").status_code == 404


def test_the_action_is_a_post(client, technician, contact):
    client.force_login(technician)
    with assert_unchanged(Contact):
        assert client.get(f"/contacts/{contact.pk}/confirm-details/").status_code == 405
