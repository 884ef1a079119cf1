"""The audit log (`GET /api/v1/audit-events/`, the page `/audit/`) is for administrators only;
its filters, pagination and the retention command."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from clientbase import groups
from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit-events/"
SECRET_NAME = "mallory-tried-this"


@pytest.fixture
def administrator(db):
    return UserFactory(username="chief", groups=[groups.ADMINISTRATOR])


@pytest.fixture
def logged(db):
    """Three events: a failed sign-in, an export by `exporter`, and a refusal."""
    exporter = UserFactory(username="exporter")
    customer = CustomerFactory(name="Northwind Hospitals")
    events.record(
        events.LOGIN_FAILED, username=SECRET_NAME, ip="192.0.2.10", detail={"path": "/accounts/login/"}
    )
    events.record(events.EXPORT, user=exporter, object=customer, detail={"count": 3})
    events.record(events.PERMISSION_DENIED, user=exporter, detail={"path": "/x/", "method": "GET"})
    return exporter, customer


def _refused_text(response) -> str:
    return response.content.decode(errors="replace")


def test_an_administrator_reads_the_events_newest_first(api, administrator, logged):
    _exporter, customer = logged
    response = api(administrator).get(URL)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["type"] for row in rows] == [events.PERMISSION_DENIED, events.EXPORT, events.LOGIN_FAILED]
    export = rows[1]
    assert set(export) == {"id", "at", "type", "user", "ip", "object", "object_repr", "detail"}
    assert (export["user"], export["object"], export["object_repr"], export["detail"]) == (
        "exporter",
        f"customers.customer:{customer.pk}",
        str(customer),
        {"count": 3},
    )
    assert rows[2]["ip"] == "192.0.2.10"
    assert response.json()["next"] is None


@pytest.mark.parametrize("who", ["dispatcher", "technician", "accounts_clerk", "nobody"])
def test_other_staff_are_refused(api, who, request, logged):
    user = request.getfixturevalue(who)
    before = AuditEvent.objects.count()
    response = api(user).get(URL)
    assert response.status_code == 403
    assert SECRET_NAME not in _refused_text(response) and "results" not in response.json()
    # The refusal itself is recorded, and nothing else changed.
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.filter(type=events.PERMISSION_DENIED, user=user, detail__path=URL).exists()


def test_a_portal_user_is_refused_even_with_every_capability(api, portal_user_factory, logged):
    _, customer = logged
    portal_user = portal_user_factory(customer, permissions=("admin",))
    response = api(portal_user).get(URL)
    assert response.status_code == 403
    assert SECRET_NAME not in _refused_text(response) and "results" not in response.json()


def test_anonymous_callers_get_401(api, logged):
    response = api(None).get(URL)
    assert response.status_code == 401
    assert SECRET_NAME not in _refused_text(response)


def test_the_api_is_read_only(api, administrator, logged):
    event = AuditEvent.objects.filter(type=events.EXPORT).get()
    assert api(administrator).delete(f"{URL}{event.pk}/").status_code == 405
    assert api(administrator).post(URL, {"type": events.LOGIN}, format="json").status_code == 405
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert AuditEvent.objects.count() == 3


def test_filters_by_type_user_and_dates(api, administrator, logged):
    client = api(administrator)
    by_type = client.get(URL, {"type": events.EXPORT}).json()["results"]
    assert [row["type"] for row in by_type] == [events.EXPORT]
    by_user = client.get(URL, {"user": "exporter"}).json()["results"]
    assert {row["type"] for row in by_user} == {events.EXPORT, events.PERMISSION_DENIED}
    old = AuditEvent.objects.get(type=events.LOGIN_FAILED)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=10))
    today = timezone.localdate()
    recent = client.get(URL, {"from": today.isoformat()}).json()["results"]
    assert old.pk not in {row["id"] for row in recent} and len(recent) == 2
    earlier = client.get(URL, {"to": (today - datetime.timedelta(days=5)).isoformat()}).json()["results"]
    assert [row["id"] for row in earlier] == [old.pk]
    assert client.get(URL, {"type": "no.such"}).status_code == 400
    assert client.get(URL, {"from": "yesterday"}).status_code == 400


def test_pages_of_the_api(api, administrator, logged):
    first = api(administrator).get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]


# The staff page ---------------------------------------------------------------------------------


def test_an_administrator_sees_the_page_and_its_nav_item(client, administrator, logged):
    client.force_login(administrator)
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_NAME in html and 'href="/audit/"' in html
    filtered = client.get("/audit/", {"type": events.EXPORT, "user": "exporter"}).content.decode()
    assert SECRET_NAME not in filtered and "Northwind Hospitals" in filtered
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize("who", ["dispatcher", "technician", "accounts_clerk"])
def test_other_staff_get_403_and_no_nav_item(client, who, request, logged):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get("/audit/")
    assert response.status_code == 403
    assert SECRET_NAME not in response.content.decode()
    assert 'href="/audit/"' not in client.get("/").content.decode()


def test_portal_users_get_403_and_anonymous_the_login(client, portal_user_factory, logged):
    _, customer = logged
    assert client.get("/audit/").status_code == 302
    assert client.get("/audit/")["Location"].startswith("/accounts/login/")
    client.force_login(portal_user_factory(customer, permissions=("admin",)))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert SECRET_NAME not in response.content.decode()


# Retention --------------------------------------------------------------------------------------


def test_purge_deletes_events_older_than_the_retention(settings, logged):
    settings.CLIENTBASE_AUDIT_RETENTION_DAYS = 30
    old = AuditEvent.objects.get(type=events.LOGIN_FAILED)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=31))
    out = io.StringIO()
    call_command("purge_audit", "--dry-run", stdout=out)
    assert "1 audit events older than 30 days would be deleted" in out.getvalue()
    assert AuditEvent.objects.count() == 3
    out = io.StringIO()
    call_command("purge_audit", stdout=out)
    assert "1 audit events older than 30 days deleted" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.count() == 2
