"""Each audit event type recorded from the surface where it happens: sign-ins and failed sign-ins
on every path, the start of a lockout, API tokens, refusals of the API and the pages, exports,
imports, portal grants and revokes."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from knox.models import AuthToken

from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts import services as contact_services
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
PORTAL_PASSWORD = "tulip-harbour-9-lantern"
IP = "192.0.2.10"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    user = UserFactory(username="dispatcher", is_staff=True)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def portal_contact(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(
        customer=customer, email="alice@northwind.example", portal_enabled=True, portal_permissions=["admin"]
    )
    user = UserFactory(username=contact.email, email=contact.email, is_staff=False)
    user.set_password(PORTAL_PASSWORD)
    user.save()
    contact.user = user
    contact.save(update_fields=["user"])
    return contact


def only(type: str) -> AuditEvent:
    rows = list(AuditEvent.objects.filter(type=type))
    assert len(rows) == 1, rows
    return rows[0]


def no_secret_in(event: AuditEvent, *secrets: str) -> None:
    text = repr(event.detail) + event.object_repr + event.username
    for secret in secrets:
        assert secret not in text


# Sign-ins ---------------------------------------------------------------------------------------


def test_a_staff_login_is_recorded_with_the_user_and_address(staff_user):
    response = Client(REMOTE_ADDR=IP).post(
        "/accounts/login/", {"username": "dispatcher", "password": PASSWORD}
    )
    assert response.status_code == 302
    event = only(events.LOGIN)
    assert (event.user, event.username, event.ip) == (staff_user, "dispatcher", IP)
    no_secret_in(event, PASSWORD)


def test_a_portal_login_is_recorded(portal_contact):
    response = Client(REMOTE_ADDR=IP).post(
        "/portal/login/", {"email": portal_contact.email, "password": PORTAL_PASSWORD}
    )
    assert response.status_code == 302
    event = only(events.LOGIN)
    assert (event.user, event.username, event.ip) == (portal_contact.user, portal_contact.email, IP)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/login/", {"username": "dispatcher", "password": "wrong-guess"}),
        (
            "/admin/login/?next=/admin/",
            {"username": "dispatcher", "password": "wrong-guess", "next": "/admin/"},
        ),
        ("/portal/login/", {"email": "dispatcher@example.com", "password": "wrong-guess"}),
    ],
)
def test_a_failed_sign_in_on_every_page_is_recorded_with_the_name_tried(path, data, staff_user):
    response = Client(REMOTE_ADDR=IP).post(path, data)
    assert response.status_code == 200
    event = only(events.LOGIN_FAILED)
    tried = data.get("username") or data["email"]
    assert (event.user, event.username, event.ip) == (None, tried, IP)
    assert event.detail["path"] == path.split("?")[0]
    no_secret_in(event, "wrong-guess")
    assert not AuditEvent.objects.filter(type=events.LOGIN).exists()


def test_the_token_endpoint_records_failures_and_the_token_it_makes(staff_user):
    client = Client(REMOTE_ADDR=IP)
    with assert_unchanged(AuthToken, staff_user):
        refused = client.post(
            "/api/v1/auth/token/",
            {"username": "dispatcher", "password": "nope"},
            content_type="application/json",
        )
    assert refused.status_code == 400
    failed = only(events.LOGIN_FAILED)
    assert (failed.username, failed.ip, failed.detail["path"]) == ("dispatcher", IP, "/api/v1/auth/token/")
    made = client.post(
        "/api/v1/auth/token/",
        {"username": "dispatcher", "password": PASSWORD},
        content_type="application/json",
    )
    assert made.status_code == 200
    event = only(events.TOKEN_CREATED)
    assert (event.user, event.ip, event.detail) == (staff_user, IP, {"via": "api"})
    no_secret_in(event, made.json()["token"], PASSWORD)


def test_the_token_command_records_the_token(staff_user):
    out = io.StringIO()
    call_command("token", "dispatcher", stdout=out)
    event = only(events.TOKEN_CREATED)
    assert (event.user, event.ip, event.detail) == (staff_user, None, {"via": "command line"})
    no_secret_in(event, out.getvalue().strip())


def test_the_failure_that_starts_a_lockout_is_recorded_once(staff_user, settings):
    client = Client(REMOTE_ADDR=IP)
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        client.post("/accounts/login/", {"username": "dispatcher", "password": f"guess-{n}"})
    locked = only(events.LOCKOUT)
    assert (locked.username, locked.ip, locked.detail["reason"]) == ("dispatcher", IP, "name")
    assert locked.detail["seconds"] == settings.CLIENTBASE_LOGIN_LOCKOUT
    # Tries while locked are failures, not new lockouts.
    client.post("/accounts/login/", {"username": "dispatcher", "password": PASSWORD})
    assert AuditEvent.objects.filter(type=events.LOCKOUT).count() == 1
    assert AuditEvent.objects.filter(type=events.LOGIN_FAILED, detail__reason="locked_out").count() == 1
    assert (
        AuditEvent.objects.filter(type=events.LOGIN_FAILED).count() == settings.CLIENTBASE_LOGIN_ATTEMPTS + 1
    )
    assert not AuditEvent.objects.filter(type=events.LOGIN).exists()


# Refusals ---------------------------------------------------------------------------------------


def test_an_api_refusal_is_recorded_with_path_and_method(api, technician):
    customer = CustomerFactory(name="Northwind Hospitals")
    with assert_unchanged(customer):
        response = api(technician).patch(
            f"/api/v1/customers/{customer.pk}/", {"name": "Renamed"}, format="json"
        )
    assert response.status_code == 403
    event = only(events.PERMISSION_DENIED)
    assert event.user == technician
    assert event.detail["path"] == f"/api/v1/customers/{customer.pk}/"
    assert (event.detail["method"], event.detail["surface"]) == ("PATCH", "api")


def test_a_refusal_of_drf_permission_classes_is_recorded(api, portal_user_factory):
    customer = CustomerFactory(name="Northwind Hospitals")
    portal_user = portal_user_factory(customer)
    response = api(portal_user).get("/api/v1/messages/")
    assert response.status_code == 403
    event = only(events.PERMISSION_DENIED)
    assert (event.user, event.detail["path"], event.detail["method"]) == (
        portal_user,
        "/api/v1/messages/",
        "GET",
    )


def test_a_page_refusal_is_recorded(client, nobody):
    client.force_login(nobody)
    AuditEvent.objects.all().delete()  # the sign-in
    response = client.get("/outbox/")
    assert response.status_code == 403
    event = only(events.PERMISSION_DENIED)
    assert event.user == nobody
    assert (event.detail["path"], event.detail["method"], event.detail["surface"]) == (
        "/outbox/",
        "GET",
        "pages",
    )


# Exports and imports ----------------------------------------------------------------------------


def test_an_api_export_is_recorded_with_filters_and_count(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, last_name="Doe")
    ContactFactory(customer=customer, last_name="Roe")
    response = api(dispatcher).get(f"/api/v1/exports/contacts/?format=csv&customer={customer.pk}")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    event = only(events.EXPORT)
    assert event.user == dispatcher
    assert event.detail == {
        "kind": "contacts",
        "format": "csv",
        "filters": {"customer": str(customer.pk)},
        "count": 2,
        "via": "api",
    }


def test_a_command_line_export_is_recorded(admin_user, customer_with_two_sites, tmp_path):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, last_name="Doe")
    call_command("export", "contacts", "--format", "xlsx", "-o", str(tmp_path / "out.xlsx"))
    event = only(events.EXPORT)
    assert event.user == admin_user
    assert (event.detail["format"], event.detail["count"], event.detail["via"]) == ("xlsx", 1, "command line")


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_is_recorded_with_its_counts(api, dispatcher, dry_run):
    upload = SimpleUploadedFile("people.csv", b"last_name,email\nDoe,doe@example.com\nRoe,bad@\n")
    response = api(dispatcher).post(
        "/api/v1/imports/", {"file": upload, "dry_run": str(dry_run).lower()}, format="multipart"
    )
    assert response.status_code == (200 if dry_run else 201), response.json()
    event = only(events.IMPORT)
    assert event.user == dispatcher
    assert event.detail == {
        "kind": "contacts",
        "filename": "people.csv",
        "dry_run": dry_run,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": 1,
    }
    assert bool(event.object) is not dry_run  # a committed import names its run


# Portal access ----------------------------------------------------------------------------------


def test_portal_grant_and_revoke_are_recorded(api, dispatcher):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, email="grant@northwind.example")
    contact_services.update_contact(
        contact=contact, acting_user=dispatcher, data={"portal": {"enabled": True}}
    )
    granted = only(events.PORTAL_GRANTED)
    assert (granted.user, granted.object) == (dispatcher, f"contacts.contact:{contact.pk}")
    response = api(dispatcher).post(f"/api/v1/contacts/{contact.pk}/revoke-portal/")
    assert response.status_code == 200, response.content
    revoked = only(events.PORTAL_REVOKED)
    assert (revoked.user, revoked.object) == (dispatcher, f"contacts.contact:{contact.pk}")


def test_a_refused_form_save_is_recorded(client, location_contact_clerk, customer_with_two_sites):
    from tests.contacts.test_views import contact_form

    customer, _, _ = customer_with_two_sites
    client.force_login(location_contact_clerk)
    AuditEvent.objects.all().delete()  # the sign-in
    refused = client.post("/contacts/new/", contact_form(customer))
    assert refused.status_code == 403
    event = only(events.PERMISSION_DENIED)
    assert event.user == location_contact_clerk
    assert (event.detail["path"], event.detail["method"], event.detail["surface"]) == (
        "/contacts/new/",
        "POST",
        "pages",
    )


@pytest.mark.parametrize("path", ["portal", "token"])
def test_a_right_password_of_a_closed_portal_login_is_a_failed_sign_in(path, portal_contact):
    portal_contact.portal_enabled = False
    portal_contact.save(update_fields=["portal_enabled"])
    client = Client(REMOTE_ADDR=IP)
    if path == "portal":
        response = client.post("/portal/login/", {"email": portal_contact.email, "password": PORTAL_PASSWORD})
        assert response.status_code == 200
    else:
        response = client.post(
            "/api/v1/auth/token/",
            {"username": portal_contact.email, "password": PORTAL_PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "token" not in response.json()
    event = only(events.LOGIN_FAILED)
    assert (event.username, event.ip, event.detail["reason"]) == (
        portal_contact.email,
        IP,
        "access_not_current",
    )
    assert not AuditEvent.objects.filter(type__in=[events.LOGIN, events.TOKEN_CREATED]).exists()


def test_what_an_attacker_sends_is_recorded_even_with_nul_characters(technician):
    from django.test import RequestFactory

    request = RequestFactory().post("/customers/1%00x/edit/")
    request.user = technician
    assert "\x00" in request.path
    events.record_refusal(request, "refused\x00here", surface="pages")
    events.record(events.LOGIN_FAILED, username="ann\x00@example.com", detail={"k\x00": ["v\x00"]})
    refusal, failure = AuditEvent.objects.order_by("pk")
    assert (
        refusal.detail["path"] == "/customers/1\ufffdx/edit/"
        and refusal.detail["reason"] == "refused\ufffdhere"
    )
    assert failure.username == "ann\ufffd@example.com" and failure.detail == {"k\ufffd": ["v\ufffd"]}


def test_a_refusal_of_the_portal_pages_is_recorded(portal_user_factory):
    customer = CustomerFactory(name="Northwind Hospitals")
    user = portal_user_factory(customer, permissions=["edit_contacts"])
    client = Client()
    client.force_login(user, backend="clientbase.portal.backends.PortalBackend")
    assert client.get("/portal/billing/").status_code == 403
    event = only(events.PERMISSION_DENIED)
    assert (event.user, event.detail["path"], event.detail["surface"]) == (user, "/portal/billing/", "portal")


def test_a_single_vcard_download_is_recorded_as_an_export(api, admin_user, portal_user_factory):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, last_name="Card")
    assert api(admin_user).get(f"/api/v1/contacts/{contact.pk}/vcard/").status_code == 200
    portal_user = portal_user_factory(customer, permissions=["edit_contacts"])
    client = Client()
    client.force_login(portal_user, backend="clientbase.portal.backends.PortalBackend")
    assert client.get(f"/portal/contacts/{contact.pk}/vcard/").status_code == 200
    exports = AuditEvent.objects.filter(type=events.EXPORT).order_by("pk")
    assert [(event.user, event.detail["format"], event.detail["via"]) for event in exports] == [
        (admin_user, "vcf", "api"),
        (portal_user, "vcf", "portal"),
    ]
    assert {event.object for event in exports} == {f"contacts.contact:{contact.pk}"}


def test_a_change_of_an_open_logins_permissions_or_dates_is_recorded(api, admin_user):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, email="ann@northwind.example")
    client = api(admin_user)
    client.patch(
        f"/api/v1/contacts/{contact.pk}/",
        {"portal": {"enabled": True, "permissions": ["admin"]}},
        format="json",
    )
    response = client.patch(
        f"/api/v1/contacts/{contact.pk}/",
        {"portal": {"permissions": ["billing"], "support_end": "2099-12-31"}},
        format="json",
    )
    assert response.status_code == 200
    event = only(events.PORTAL_CHANGED)
    assert (event.user, event.object) == (admin_user, f"contacts.contact:{contact.pk}")
    assert event.detail == {
        "permissions": ["billing"],
        "support_start": "open-ended",
        "support_end": "2099-12-31",
    }
    client.patch(f"/api/v1/contacts/{contact.pk}/", {"title": "Buyer"}, format="json")
    assert AuditEvent.objects.filter(type=events.PORTAL_CHANGED).count() == 1
