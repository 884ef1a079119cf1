"""The API's shortcuts keep every refusal: a permission decided once per read request
(`access.remembering`) is decided again by the next request and in any other thread; a write
after permissions were taken away is refused; a token is refused as soon as it expires, its user
is made inactive, or its portal access ends, between two pages of a search too; odd bytes in a
token are a 401; the permissions read in one query are Django's; a lean answer leaves out the
fields the caller never reads and the write-only ones."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from knox.models import AuthToken
from rest_framework import serializers
from rest_framework.test import APIClient

from clientbase import access, groups
from clientbase.api.authentication import create_token
from clientbase.api.viewsets import LeanRepresentation, StrictModelSerializer
from clientbase.backends import StaffBackend
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def marsh_family(customer_with_two_sites):
    customer = customer_with_two_sites[0]
    return [ContactFactory(customer=customer, first_name=f"Mara{n}", last_name="Marsh") for n in range(5)]


# Decisions remembered within one request only ------------------------------------------------------


def test_a_remembered_decision_stays_in_its_block_and_its_thread(dispatcher):
    dispatcher._perm_cache = {"contacts.view_contact"}
    seen_in_thread = []
    with access.remembering():
        assert access.can(dispatcher, access.VIEW, Contact)
        dispatcher._perm_cache = set()
        assert access.can(dispatcher, access.VIEW, Contact)  # remembered within the block
        thread = threading.Thread(
            target=lambda: seen_in_thread.append(access.can(dispatcher, access.VIEW, Contact))
        )
        thread.start()
        thread.join()
    assert seen_in_thread == [False]
    assert not access.can(dispatcher, access.VIEW, Contact)


def test_a_decision_for_one_user_is_not_anothers(dispatcher, nobody):
    with access.remembering():
        assert access.can(dispatcher, access.VIEW, Contact)
        assert not access.can(nobody, access.VIEW, Contact)
        assert access.can(dispatcher, access.VIEW, Contact)


def test_a_request_after_permissions_are_taken_away_is_refused(dispatcher, marsh_family):
    client = with_token(create_token(dispatcher))
    assert client.get("/api/v1/contacts/", {"search": "marsh"}).status_code == 200
    dispatcher.groups.clear()
    assert client.get("/api/v1/contacts/", {"search": "marsh"}).status_code == 403
    assert client.get(f"/api/v1/contacts/{marsh_family[0].pk}/").status_code == 403


def test_a_write_after_permissions_are_taken_away_is_refused(dispatcher, marsh_family):
    contact = marsh_family[0]
    client = with_token(create_token(dispatcher))
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    dispatcher.groups.set([Group.objects.get(name=groups.TECHNICIAN)])
    response = client.patch(f"/api/v1/contacts/{contact.pk}/", {"first_name": "Changed"}, format="json")
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.first_name == "Mara0"


def test_a_technician_reads_then_may_change_notes_only(technician, marsh_family):
    contact = marsh_family[0]
    client = with_token(create_token(technician))
    assert client.get("/api/v1/contacts/", {"search": "marsh"}).status_code == 200
    assert (
        client.patch(f"/api/v1/contacts/{contact.pk}/", {"first_name": "X"}, format="json").status_code == 403
    )
    assert (
        client.patch(f"/api/v1/contacts/{contact.pk}/", {"notes": "Gate code 4"}, format="json").status_code
        == 200
    )
    contact.refresh_from_db()
    assert (contact.first_name, contact.notes) == ("Mara0", "Gate code 4")


# Tokens between two pages ---------------------------------------------------------------------------


def first_then_next(client: APIClient):
    first = client.get("/api/v1/contacts/", {"search": "marsh", "page_size": 2})
    assert first.status_code == 200 and first.json()["next"]
    return first.json()["next"]


def test_a_token_expiring_between_two_pages_is_refused_on_the_second(dispatcher, marsh_family):
    key = create_token(dispatcher)
    client = with_token(key)
    following = first_then_next(client)
    AuthToken.objects.filter(user=dispatcher).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(following)
    assert response.status_code == 401
    assert "results" not in response.json()
    assert not AuthToken.objects.filter(user=dispatcher).exists()


def test_a_token_deleted_between_two_pages_is_refused_on_the_second(dispatcher, marsh_family):
    client = with_token(create_token(dispatcher))
    following = first_then_next(client)
    AuthToken.objects.filter(user=dispatcher).delete()
    assert client.get(following).status_code == 401


def test_a_user_made_inactive_between_two_pages_is_refused(dispatcher, marsh_family):
    client = with_token(create_token(dispatcher))
    following = first_then_next(client)
    get_user_model().objects.filter(pk=dispatcher.pk).update(is_active=False)
    assert client.get(following).status_code == 401


def test_a_staff_user_made_no_staff_without_a_contact_is_refused(dispatcher, marsh_family):
    client = with_token(create_token(dispatcher))
    following = first_then_next(client)
    get_user_model().objects.filter(pk=dispatcher.pk).update(is_staff=False)
    response = client.get(following)
    assert response.status_code == 401
    assert "results" not in response.json()


@pytest.mark.parametrize(
    "change",
    [
        {"portal_enabled": False},
        {"status": "inactive"},
        {"support_end": datetime.date(2000, 1, 1), "support_start": None},
    ],
)
def test_a_portal_token_is_refused_once_access_ends_between_two_pages(
    portal_user_factory, marsh_family, change
):
    user = portal_user_factory(marsh_family[0].customer, ("edit_contacts",))
    client = with_token(create_token(user))
    following = first_then_next(client)
    Contact.objects.filter(user=user).update(**change)
    response = client.get(following)
    assert response.status_code == 401
    assert "results" not in response.json()


def test_a_portal_token_of_a_contact_moved_away_reads_nothing_of_the_old_customer(
    portal_user_factory, marsh_family, other_customer
):
    user = portal_user_factory(marsh_family[0].customer, ("edit_contacts",))
    client = with_token(create_token(user))
    following = first_then_next(client)
    Contact.objects.filter(user=user).update(customer=other_customer)
    response = client.get(following)
    if response.status_code == 200:
        assert not {row["id"] for row in response.json()["results"]} & {c.pk for c in marsh_family}
    else:
        assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    "header",
    [
        b"Token \xff\xfe\xfd",
        b"Token \x00",
        b"Token " + b"0" * 20_000,
        b"Token ../../etc/passwd",
        b"Token ' OR 1=1 --",
        b"Token a b",
        b"Token",
        b"token abc",
    ],
)
def test_a_token_of_odd_bytes_is_a_401(header, marsh_family):
    client = APIClient()
    response = client.get("/api/v1/contacts/", HTTP_AUTHORIZATION=header.decode("latin-1"))
    assert response.status_code == 401


def test_a_token_of_another_user_prefix_is_refused(dispatcher, marsh_family):
    key = create_token(dispatcher)
    forged = key[:15] + ("0" if key[15] != "0" else "1") + key[16:]
    assert with_token(forged).get("/api/v1/contacts/").status_code == 401


# Permissions in one query ----------------------------------------------------------------------------


def test_the_permissions_read_in_one_query_are_djangos(dispatcher):
    dispatcher.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    ours = StaffBackend().get_all_permissions(get_user_model().objects.get(pk=dispatcher.pk))
    djangos = ModelBackend().get_all_permissions(get_user_model().objects.get(pk=dispatcher.pk))
    assert ours == djangos
    assert "audit.view_auditevent" in ours and "contacts.view_contact" in ours


def test_no_permissions_for_an_inactive_user_an_object_or_after_leaving_a_group(dispatcher, marsh_family):
    user = get_user_model().objects.get(pk=dispatcher.pk)
    assert StaffBackend().get_all_permissions(user, obj=marsh_family[0]) == set()
    dispatcher.groups.clear()
    assert StaffBackend().get_all_permissions(get_user_model().objects.get(pk=dispatcher.pk)) == set()
    inactive = UserFactory(username="gone", is_superuser=True, is_active=False)
    assert StaffBackend().get_all_permissions(inactive) == set()
    assert not inactive.has_perm("contacts.view_contact")


# Lean answers -----------------------------------------------------------------------------------------


class CustomerWithSecrets(LeanRepresentation, StrictModelSerializer):
    secret = serializers.CharField(write_only=True, required=False)

    class Meta:
        model = Customer
        fields = ["id", "name", "notes", "secret"]


def test_a_lean_answer_leaves_out_hidden_and_write_only_fields(db):
    customer = CustomerFactory(name="Acme", notes="Staff only: late payer")
    customer.secret = "never shown"
    full = CustomerWithSecrets(customer).data
    assert set(full) == {"id", "name", "notes"}
    hidden = CustomerWithSecrets(customer)
    hidden.fields.pop("notes")
    assert set(hidden.data) == {"id", "name"}
    many = CustomerWithSecrets([customer], many=True)
    many.child.fields.pop("notes")
    assert [set(row) for row in many.data] == [{"id", "name"}]
    assert set(CustomerWithSecrets(customer).data) == {"id", "name", "notes"}


def test_a_portal_user_reads_no_staff_only_field_and_the_same_contact_fields_as_staff(
    api, admin_user, portal_user_factory, marsh_family
):
    customer = marsh_family[0].customer
    Customer.objects.filter(pk=customer.pk).update(notes="Staff only: late payer")
    user = portal_user_factory(customer, ("edit_contacts",))
    customer_answer = api(user).get(f"/api/v1/customers/{customer.pk}/").json()
    assert "notes" not in customer_answer
    portal_rows = api(user).get("/api/v1/contacts/", {"search": "marsh"}).json()["results"]
    staff_rows = api(admin_user).get("/api/v1/contacts/", {"search": "marsh"}).json()["results"]
    assert portal_rows == staff_rows
    assert b"late payer" not in api(user).get("/api/v1/contacts/").content
