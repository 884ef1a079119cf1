"""Personal data and erasure of a contact: what `personal-data` answers, that `erase` leaves no
trace of the person anywhere in the database, and who is refused."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts.models import Contact
from clientbase.notifications.models import Activity, Message
from clientbase.workorders.models import WorkOrder
from tests.factories import CustomerFactory, LocationFactory
from tests.helpers import assert_unchanged

FIRST, LAST = "Zoltana", "Quixwell"
EMAIL = "zoltana.quixwell@northwind.example"
PHONE_DIGITS = "3125550199"
OLD_VALUES = (FIRST.lower(), LAST.lower(), EMAIL, PHONE_DIGITS, "bramblecottage")


def database_text() -> str:
    """Every value of every table, as one lower-case text, each line naming its table (read
    through the database connection, so nothing the ORM hides is missed)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 (a table name of this database)
            for row in cursor.fetchall():
                chunks.extend(
                    f"{table}: {bytes(value).decode('utf-8', 'replace') if isinstance(value, bytes | memoryview) else value}"
                    for value in row
                    if value is not None
                )
    return "\n".join(chunks).lower()


def lines_with(text: str, value: str) -> list[str]:
    return [line for line in text.splitlines() if value in line or value in digits_only(line)]


def digits_only(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


@pytest.fixture
def person(api, admin_user):
    """A contact with history, an invitation in the outbox (its link a marker), an activity, a work
    order it requested and a portal login that has signed in."""
    customer = CustomerFactory(name="Northwind Hospitals")
    site = LocationFactory(customer=customer, name="North Campus")
    client = api(admin_user)
    created = client.post(
        "/api/v1/contacts/",
        {
            "customer": customer.pk,
            "first_name": FIRST,
            "last_name": LAST,
            "email": EMAIL,
            "phone": "+1 312 555 0100",
            "notes": "Lives at Bramblecottage",
            "address": {"street": "1 Bramblecottage Lane"},
            "roles": ["site", "requester"],
            "locations": [site.pk],
            "is_primary": True,
            "portal": {"enabled": True, "permissions": ["create_work_order"]},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    contact = Contact.objects.get(pk=created.json()["id"])
    changed = client.patch(f"/api/v1/contacts/{contact.pk}/", {"phone": "+1 312 555 0199"}, format="json")
    assert changed.status_code == 200, changed.json()
    order = client.post(
        "/api/v1/work-orders/",
        {"customer": customer.pk, "location": site.pk, "summary": "Leaking tap", "requested_by": contact.pk},
        format="json",
    )
    assert order.status_code == 201, order.json()
    Activity.objects.create(
        customer=customer,
        contact=contact,
        contact_name=contact.full_name,
        kind=Activity.Kind.NOTE,
        summary=f"Called {contact.full_name}",
        body=f"{FIRST} asked for a visit",
    )
    contact.refresh_from_db()
    login = contact.user
    login.set_password("a long portal password 42")
    login.first_name, login.last_name, login.email = FIRST, LAST, EMAIL
    login.last_login = timezone.now()
    login.save()
    events.record(events.LOGIN, user=login)
    return contact


# Personal data ---------------------------------------------------------------------------------


def test_personal_data_holds_everything_and_no_secret(api, admin_user, person):
    response = api(admin_user).get(f"/api/v1/contacts/{person.pk}/personal-data/")

    assert response.status_code == 200, response.content
    data = response.json()
    assert data["contact"]["first_name"] == FIRST
    assert data["contact"]["email"] == EMAIL
    assert data["contact"]["roles"] == ["site", "requester"]
    assert data["contact"]["portal"]["enabled"] is True
    assert [location["name"] for location in data["contact"]["locations"]] == ["North Campus"]
    assert [entry["type"] for entry in data["history"]][-1] == "created"
    assert any(change["field"] == "phone" for entry in data["history"] for change in entry["changes"])
    assert data["history"][0]["user"] == "admin"
    [invitation] = [m for m in data["messages"]["messages"] if m["event"] == "portal.invitation"]
    assert invitation["to"] == EMAIL
    assert "sent only in the mail" in json.dumps(invitation["context"])
    assert [a["body"] for a in data["messages"]["activities"]] == [f"{FIRST} asked for a visit"]
    [order] = data["work"]["work_orders"]
    assert order["requested_by_name"] == f"{FIRST} {LAST}"
    assert order["number"].startswith("W-")
    login = data["portal_login"]
    assert login["username"].startswith(EMAIL)
    assert login["has_password"] is True
    assert login["last_login"] is not None
    text = response.content.decode()
    user = get_user_model().objects.get(pk=person.user_id)
    assert user.password not in text
    assert "pbkdf2" not in text and "md5$" not in text
    assert "/portal/set-password/" not in text and "/verify-email/" not in text
    assert (
        AuditEvent.objects.filter(type=events.PERSONAL_DATA, object=f"contacts.contact:{person.pk}").count()
        == 1
    )


# Erasure ---------------------------------------------------------------------------------------


def test_erase_leaves_no_trace_of_the_person(api, admin_user, person):
    api(admin_user).get(f"/api/v1/contacts/{person.pk}/personal-data/")
    before = database_text()
    assert all(value in before or value in digits_only(before) for value in OLD_VALUES)
    order = WorkOrder.objects.get(requested_by=person)
    stored_names = sum(
        model.objects.filter(**{link: person}).count() + model.history.filter(**{link: person}).count()
        for model, link in ((WorkOrder, "requested_by"), (WorkOrder, "site_contact"))
    )

    response = api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first_name"], body["last_name"], body["email"]) == ("", "Erased", "")
    assert (body["status"], body["is_primary"], body["roles"]) == ("inactive", False, [])
    after = database_text()
    for value in OLD_VALUES:
        assert lines_with(after, value) == [], value
    assert "5550100" not in digits_only(after)
    order.refresh_from_db()
    assert (order.requested_by_id, order.requested_by_name) == (person.pk, "Erased contact")
    assert (order.site_contact_id, order.site_contact_name) == (person.pk, "Erased contact")
    login = get_user_model().objects.get(pk=person.user_id)
    assert not login.is_active and not login.has_usable_password()
    assert Message.objects.filter(contact=person).exclude(to="erased@invalid").count() == 0
    history = list(Contact.history.filter(id=person.pk).order_by("history_date", "history_id"))
    assert len(history) >= 3
    assert history[-1].history_change_reason == "erased"
    [erasure] = AuditEvent.objects.filter(type=events.ERASURE)
    assert erasure.detail["rows"]["work"] == stored_names
    assert erasure.detail["rows"]["history"] == len(history)
    assert erasure.object_repr == "Erased"


def test_erasing_twice_is_harmless(api, admin_user, person):
    assert api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/").status_code == 200
    again = api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/")
    assert again.status_code == 200, again.content
    assert again.json()["last_name"] == "Erased"


def test_an_erased_portal_user_is_signed_out(api, admin_user, person):
    login = get_user_model().objects.get(pk=person.user_id)
    as_portal = api(login)
    assert as_portal.get("/api/v1/work-orders/").status_code == 200
    api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/")
    login.refresh_from_db()
    assert api(login).get("/api/v1/work-orders/").status_code in (401, 403)


# Refusals --------------------------------------------------------------------------------------


def snapshot(contact: Contact) -> tuple:
    return (
        tuple(Contact.objects.filter(pk=contact.pk).values_list()),
        tuple(Contact.history.filter(id=contact.pk).values_list("first_name", "email", "phone")),
        tuple(Message.objects.order_by("pk").values_list("to", "subject")),
        tuple(WorkOrder.objects.values_list("requested_by_name", flat=True)),
        AuditEvent.objects.filter(type__in=[events.PERSONAL_DATA, events.ERASURE]).count(),
    )


@pytest.mark.parametrize("who", ["admin_user", "dispatcher", "accounts_clerk"])
def test_staff_who_maintain_contacts_read_personal_data(api, request, person, who):
    response = api(request.getfixturevalue(who)).get(f"/api/v1/contacts/{person.pk}/personal-data/")
    assert response.status_code == 200
    assert response.json()["contact"]["email"] == EMAIL


@pytest.mark.parametrize("who", ["technician", "nobody", "location_contact_clerk"])
def test_staff_without_the_permissions_may_not_read_personal_data(api, request, person, who):
    before = snapshot(person)
    response = api(request.getfixturevalue(who)).get(f"/api/v1/contacts/{person.pk}/personal-data/")
    assert response.status_code in (403, 404)
    assert FIRST not in response.content.decode() and EMAIL not in response.content.decode()
    assert snapshot(person) == before


@pytest.mark.parametrize("who", ["technician", "nobody"])
def test_staff_without_the_delete_permission_may_not_erase(api, request, person, who):
    before = snapshot(person)
    response = api(request.getfixturevalue(who)).post(f"/api/v1/contacts/{person.pk}/erase/")
    assert response.status_code in (403, 404)
    assert EMAIL not in response.content.decode()
    assert snapshot(person) == before


@pytest.mark.parametrize("who", ["dispatcher", "accounts_clerk", "location_contact_clerk"])
def test_staff_who_may_delete_contacts_may_erase(api, request, person, who):
    response = api(request.getfixturevalue(who)).post(f"/api/v1/contacts/{person.pk}/erase/")
    assert response.status_code == 200
    assert Contact.objects.get(pk=person.pk).last_name == "Erased"


@pytest.mark.parametrize("path,method", [("personal-data/", "get"), ("erase/", "post")])
def test_portal_users_are_refused(api, portal_user_factory, person, path, method):
    admin = portal_user_factory(person.customer, ("admin", "edit_contacts"))
    before = snapshot(person)
    response = getattr(api(admin), method)(f"/api/v1/contacts/{person.pk}/{path}")
    assert response.status_code == 403
    assert EMAIL not in response.content.decode()
    assert snapshot(person) == before


@pytest.mark.parametrize("path,method", [("personal-data/", "get"), ("erase/", "post")])
def test_a_contact_of_another_customer_is_not_found(api, portal_user_factory, person, path, method):
    outsider = portal_user_factory(CustomerFactory(name="Contoso"), ("admin",))
    before = snapshot(person)
    response = getattr(api(outsider), method)(f"/api/v1/contacts/{person.pk}/{path}")
    assert response.status_code == 404
    assert EMAIL not in response.content.decode()
    assert snapshot(person) == before


@pytest.mark.parametrize("path,method", [("personal-data/", "get"), ("erase/", "post")])
def test_anonymous_is_refused(api, person, path, method):
    before = snapshot(person)
    response = getattr(api(None), method)(f"/api/v1/contacts/{person.pk}/{path}")
    assert response.status_code == 401
    assert snapshot(person) == before


def test_a_missing_contact_is_not_found(api, admin_user, db):
    with assert_unchanged(Contact, Message, Activity):
        assert api(admin_user).get("/api/v1/contacts/999999/personal-data/").status_code == 404
        assert api(admin_user).post("/api/v1/contacts/999999/erase/").status_code == 404


# Staff pages -----------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_contact_page_offers_the_download_and_the_erasure(admin_user, person):
    page = client_for(admin_user).get(f"/contacts/{person.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/contacts/{person.pk}/personal-data/"' in html
    assert f'href="/contacts/{person.pk}/erase/"' in html


def test_a_technician_is_offered_neither(technician, person):
    html = client_for(technician).get(f"/contacts/{person.pk}/").content.decode()
    assert "/personal-data/" not in html and "/erase/" not in html


def test_the_download_is_a_json_file(admin_user, person):
    response = client_for(admin_user).get(f"/contacts/{person.pk}/personal-data/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["contact"]["email"] == EMAIL
    assert AuditEvent.objects.filter(type=events.PERSONAL_DATA).count() == 1


def test_the_confirmation_says_what_is_erased_and_the_post_erases(admin_user, person):
    client = client_for(admin_user)
    confirm = client.get(f"/contacts/{person.pk}/erase/")
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "cannot be undone" in html and "portal access" in html and "<script" not in html.split("<main")[-1]
    assert Contact.objects.get(pk=person.pk).first_name == FIRST  # nothing erased yet
    done = client.post(f"/contacts/{person.pk}/erase/")
    assert done.status_code == 302
    assert Contact.objects.get(pk=person.pk).last_name == "Erased"


@pytest.mark.parametrize("path", ["personal-data/", "erase/"])
def test_the_pages_refuse_a_technician(technician, person, path):
    before = snapshot(person)
    client = client_for(technician)
    assert client.get(f"/contacts/{person.pk}/{path}").status_code == 403
    if path == "erase/":
        assert client.post(f"/contacts/{person.pk}/{path}").status_code == 403
    assert snapshot(person) == before


# Command line ----------------------------------------------------------------------------------


def test_the_personal_data_command_writes_json(admin_user, person, tmp_path):
    target = tmp_path / "out.json"
    call_command("personal_data", str(person.pk), "-o", str(target), "--user", "admin")
    assert json.loads(target.read_text())["contact"]["email"] == EMAIL
    out = io.StringIO()
    call_command("personal_data", str(person.pk), stdout=out)
    assert json.loads(out.getvalue())["contact"]["last_name"] == LAST


def test_the_erase_command_asks_first(admin_user, person, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("erase", str(person.pk), "--user", "admin")
    assert Contact.objects.get(pk=person.pk).first_name == FIRST
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    call_command("erase", str(person.pk), "--user", "admin", stdout=io.StringIO())
    assert Contact.objects.get(pk=person.pk).last_name == "Erased"


def test_the_erase_command_with_yes_and_its_refusal(admin_user, technician, person):
    before = snapshot(person)
    with pytest.raises(CommandError):
        call_command("erase", str(person.pk), "--yes", "--user", "technician")
    with pytest.raises(CommandError):
        call_command("personal_data", str(person.pk), "--user", "technician")
    assert snapshot(person) == before
    out = io.StringIO()
    call_command("erase", str(person.pk), "--yes", stdout=out)
    assert "erased" in out.getvalue()
    assert Contact.objects.get(pk=person.pk).last_name == "Erased"
