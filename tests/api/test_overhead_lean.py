"""The lean answers (`LeanRepresentation`, `listed_ids`) say byte for byte what DRF's serializers
say: for contacts of every shape, one by one and as a list page, in any time zone, for staff and
portal users, with fields left out."""

from __future__ import annotations

import datetime
import inspect
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.test import APIClient

from clientbase import access
from clientbase.api.authentication import create_token
from clientbase.api.viewsets import (
    LISTED_IDS,
    LeanRepresentation,
    StrictModelSerializer,
    listed_ids,
    one_time_zone,
)
from clientbase.contacts.api import ContactSerializer, ContactViewSet
from clientbase.contacts.models import NOTIFY_CATEGORIES, PORTAL_PERMISSIONS, ROLES, Contact
from clientbase.contacts.selectors import contacts_with_relations
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db

LETTERS = "abcXYZéüßØЖжΩ中文ع日本 '\",;=+-@#()&|01\\/<>"
line = st.text(alphabet=LETTERS, max_size=20)
name = line.filter(lambda text: text.strip() != "")
moments = st.datetimes(
    min_value=datetime.datetime(1970, 1, 2),
    max_value=datetime.datetime(2200, 1, 1),
    timezones=st.sampled_from([datetime.UTC, ZoneInfo("Asia/Kolkata"), ZoneInfo("America/St_Johns")]),
)
days = st.one_of(
    st.none(), st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2999, 12, 31))
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**31), 2**31), line),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(line, children, max_size=3),
    max_leaves=8,
)
ZONES = ["UTC", "Europe/Berlin", "America/St_Johns", "Pacific/Chatham"]


@st.composite
def contact_fields(draw):
    roles = draw(st.lists(st.sampled_from(ROLES), unique=True))
    return {
        "salutation": draw(st.sampled_from(["", "Dr.", "Ms.", "Ñ"])),
        "first_name": draw(line),
        "last_name": draw(name),
        "title": draw(line),
        "department": draw(line),
        "email": draw(st.sampled_from(["", "p.person@example.com", "p@例え.jp"])),
        "phone": draw(st.sampled_from(["", "+13125550142", "+13125550142;ext=12", "+442079460018"])),
        "mobile": draw(st.sampled_from(["", "+81312345678"])),
        "secondary_phone": draw(st.sampled_from(["", "+13125550199"])),
        "preferred_channel": draw(st.sampled_from(Contact.Channel.values)),
        "notes": draw(st.text(alphabet=LETTERS + "\n\t", max_size=60)),
        "is_primary": draw(st.booleans()),
        "address": draw(st.one_of(st.just({}), st.dictionaries(line, json_values, max_size=4))),
        "status": draw(st.sampled_from(Contact.Status.values)),
        **{f"role_{role}": role in roles for role in ROLES},
        "approval_limit": draw(
            st.sampled_from(
                [None, Decimal("0"), Decimal("0.5"), Decimal("2500.50"), Decimal("999999999999.99")]
            )
        ),
        **{f"notify_{category}": draw(st.booleans()) for category in NOTIFY_CATEGORIES},
        "email_status": draw(st.sampled_from(Contact.EmailStatus.values)),
        "last_verified_at": draw(st.one_of(st.none(), moments)),
        "portal_enabled": draw(st.booleans()),
        "portal_permissions": draw(st.lists(st.sampled_from(PORTAL_PERMISSIONS), unique=True)),
        "support_start": draw(days),
        "support_end": draw(days),
        "external_id": draw(st.sampled_from(["", "X-1", "=X1"])),
    }


@pytest.fixture
def as_drf(monkeypatch):
    """Make every LeanRepresentation serializer answer through DRF's own machinery."""

    def use_drf() -> None:
        monkeypatch.setattr(
            LeanRepresentation,
            "to_representation",
            lambda self, instance: serializers.Serializer.to_representation(self, instance),
        )

    return use_drf


def text(data) -> str:
    """The answer as the API writes it (order of keys included)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def drf_answer(instance: Contact) -> str:
    """`instance` as DRF's own `Serializer.to_representation` answers it (nested ones too)."""
    serializer = ContactSerializer(instance)
    answer = serializers.Serializer.to_representation(serializer, instance)
    for nested in ("notify", "portal"):
        field = serializer.fields[nested]
        answer[nested] = serializers.Serializer.to_representation(field, field.get_attribute(instance))
    return text(answer)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=contact_fields(),
    with_customer=st.booleans(),
    linked=st.lists(st.integers(min_value=0, max_value=2), unique=True),
    reports=st.booleans(),
    zone=st.sampled_from(ZONES),
)
def test_a_contact_is_answered_as_drf_answers_it(db, fields, with_customer, linked, reports, zone):
    with transaction.atomic():  # each example on its own, rolled back
        answered_alike(fields, with_customer, linked, reports, zone)
        transaction.set_rollback(True)


def answered_alike(fields, with_customer, linked, reports, zone) -> None:
    customer = CustomerFactory() if with_customer else None
    # What the database's constraints hold: a primary is an active contact of a customer, support
    # ends after it starts, portal access needs an address.
    fields["is_primary"] = fields["is_primary"] and with_customer and fields["status"] == "active"
    if fields["support_start"] and fields["support_end"]:
        fields["support_start"], fields["support_end"] = sorted(
            [fields["support_start"], fields["support_end"]]
        )
    if fields["portal_enabled"] and not fields["email"]:
        fields["email"] = "portal@example.com"
    manager = ContactFactory(customer=customer, last_name="Manager") if reports else None
    # Names in another order than ids: the ids come in the locations' own order.
    sites = (
        [LocationFactory(customer=customer, name=label) for label in ("North", "East", "Annex")]
        if customer
        else []
    )
    contact = Contact.objects.create(customer=customer, reports_to=manager, **fields)
    contact.locations.set([sites[index] for index in linked if index < len(sites)])
    prefetched = contacts_with_relations(Contact.objects.all()).get(pk=contact.pk)
    plain = Contact.objects.get(pk=contact.pk)
    with timezone.override(zone):
        expected = drf_answer(prefetched)
        assert text(ContactSerializer(prefetched).data) == expected
        context = {LISTED_IDS: {"locations": listed_ids([plain], "locations")}}
        assert text(ContactSerializer([plain], many=True, context=context).data[0]) == expected
        with one_time_zone():
            assert text(ContactSerializer(plain, context=context).data) == expected


def test_the_ids_of_a_page_come_in_one_query_in_the_order_prefetching_gives(django_assert_num_queries):
    customer = CustomerFactory()
    sites = [LocationFactory(customer=customer, name=label) for label in ("Zeta", "Alpha", "Mu")]
    people = [ContactFactory(customer=customer, locations=sites[: n + 1]) for n in range(3)]
    people.append(ContactFactory(customer=customer))
    rows = list(Contact.objects.filter(pk__in=[person.pk for person in people]))
    with django_assert_num_queries(1):
        ids = listed_ids(rows, "locations")
    for row in contacts_with_relations(Contact.objects.filter(pk__in=[person.pk for person in people])):
        assert ids.get(row.pk, []) == [location.pk for location in row.locations.all()]
    assert people[3].pk not in ids
    assert listed_ids([], "locations") == {}


def test_fields_left_out_of_a_serializer_are_left_out_of_its_lean_answer():
    contact = ContactFactory(notes="Gate code 1234", title="Lead")
    serializer = ContactSerializer(contact)
    serializer.fields.pop("notes")
    serializer.fields.pop("portal")
    answer = serializer.data
    assert "notes" not in answer and "portal" not in answer and answer["title"] == "Lead"
    assert text(answer) == text(serializers.Serializer.to_representation(serializer, contact))


def test_an_object_of_another_kind_is_answered_by_drf():
    """A mapping (e.g. validated data) given to a model serializer is read by DRF, as before."""
    data = {"first_name": "Ann", "last_name": "Lee", "roles": ["billing"], "notify": {"quotes": True}}
    answer = ContactSerializer(data).data
    assert answer == serializers.Serializer.to_representation(ContactSerializer(data), data)
    assert (answer["first_name"], answer["roles"]) == ("Ann", ["billing"]) and "id" not in answer


# The whole answer of the API ---------------------------------------------------------------------


@pytest.fixture
def varied_contacts(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    boss = ContactFactory(
        customer=customer, last_name="Boss", role_approver=True, approval_limit=Decimal("10")
    )
    people = [
        boss,
        ContactFactory(customer=customer, reports_to=boss, locations=[south, north], notify_quotes=True),
        ContactFactory(
            customer=customer,
            portal_enabled=True,
            portal_permissions=["edit_contacts"],
            support_end=datetime.date(2099, 12, 31),
            address={"city": "Zürich", "lines": ["1", "2"]},
            last_verified_at=timezone.now(),
        ),
        ContactFactory(customer=None, last_name="Nobody's"),
        ContactFactory(customer=customer, status="inactive", locations=[north], external_id="E-1"),
    ]
    return customer, people


def answers(client) -> list[bytes]:
    bodies = []
    for url in ["/api/v1/contacts/?page_size=2", "/api/v1/contacts/?page=2&page_size=2", "/api/v1/contacts/"]:
        response = client.get(url)
        assert response.status_code == 200, response.content
        bodies.append(response.content)
        for row in response.json()["results"]:
            detail = client.get(f"/api/v1/contacts/{row['id']}/")
            bodies += [detail.content, detail["ETag"].encode()]
    return bodies


@pytest.mark.parametrize("who", ["token", "session", "portal"])
def test_the_api_answers_lists_and_contacts_as_before(
    varied_contacts, dispatcher, portal_user_factory, as_drf, monkeypatch, who
):
    customer, _ = varied_contacts
    user = portal_user_factory(customer, permissions=("edit_contacts",)) if who == "portal" else dispatcher
    client = APIClient()
    if who == "session":
        client.force_login(user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user)}")
    with timezone.override("America/St_Johns"):
        lean = answers(client)
        as_drf()
        monkeypatch.setattr(ContactViewSet, "listed_many", ())  # prefetched, as before
        assert answers(client) == lean
    assert any(b'"locations":[' in body and b'"locations":[]' not in body for body in lean)


def test_hidden_fields_are_left_out_of_lists_and_contacts(varied_contacts, dispatcher, as_drf, monkeypatch):
    monkeypatch.setattr(access, "hidden_fields", lambda user, model: frozenset({"notes", "locations"}))
    client = APIClient()
    client.force_login(dispatcher)
    lean = answers(client)
    assert not [body for body in lean if b'"notes"' in body or b'"locations"' in body]
    as_drf()
    monkeypatch.setattr(ContactViewSet, "listed_many", ())
    assert answers(client) == lean


def test_the_schema_describes_contacts_as_before():
    """The lean answers change no description: the operations keep their view's, the contact its
    serializer's (the first docstring among their classes)."""
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = schema["paths"]["/api/v1/contacts/"]["get"], schema["paths"]["/api/v1/contacts/{id}/"]["get"]
    assert [operation["description"] for operation in operations] == [inspect.getdoc(ContactViewSet)] * 2
    component = schema["components"]["schemas"]["Contact"]
    assert component["description"] == inspect.getdoc(StrictModelSerializer)
