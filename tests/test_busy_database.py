"""A busy database is a 503 with Retry-After, never a 500, and nothing of the request is saved.

Another connection to the test database holds the lock a write needs (SQLite: its one write lock,
taken by BEGIN IMMEDIATE; PostgreSQL: the contact's row, by SELECT ... FOR UPDATE), as a long
import does, while Django's connection waits only 200 ms for it instead of
CLIENTBASE_DB_LOCK_TIMEOUT."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg.errors
import pytest
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection
from django.test import Client, RequestFactory

from clientbase.contacts.models import Contact
from clientbase.errors import BUSY_MESSAGE, is_busy_database_error
from clientbase.middleware import BusyDatabaseMiddleware
from clientbase.notifications.models import Message
from clientbase.settings import apply_lock_timeout
from tests.factories import ContactFactory, CustomerFactory

LOCKED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@contextmanager
def short_lock_wait() -> Iterator[None]:
    """Django's connection gives up on a lock after 200 ms, for the block."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 200" if sqlite else "SET lock_timeout = '200ms'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if sqlite:
                timeout = round(settings.DATABASES["default"]["OPTIONS"]["timeout"] * 1000)
                cursor.execute(f"PRAGMA busy_timeout = {timeout}")
            else:
                cursor.execute("RESET lock_timeout")


@contextmanager
def lock_held_elsewhere(contact: Contact) -> Iterator[None]:
    """Another connection holds the lock a change of `contact` needs, for the block; it then
    rolls back its own (uncommitted) change."""
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            if other.vendor == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("UPDATE contacts_contact SET notes = 'held' WHERE id = %s", [contact.pk])
            else:
                cursor.execute("BEGIN")
                cursor.execute("SELECT id FROM contacts_contact WHERE id = %s FOR UPDATE", [contact.pk])
        yield
    finally:
        with other.cursor() as cursor:
            cursor.execute("ROLLBACK")
        other.close()


def stored() -> tuple[list[dict], int, int]:
    """Every contact as stored, the number of their history rows, and the outbox size."""
    return (
        list(Contact.objects.order_by("pk").values()),
        Contact.history.count(),
        Message.objects.count(),
    )


def assert_busy(response) -> str:
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    # Nothing of the database's own error: no SQL, no table, no driver's words.
    assert "contacts_contact" not in body and "lock_timeout" not in body
    assert "database is locked" not in body and "55P03" not in body
    return body


@pytest.fixture
def held_contact(db):
    customer = CustomerFactory()
    ContactFactory(customer=customer, is_primary=True, last_name="Primary")
    return ContactFactory(customer=customer, last_name="Waiting", notes="as before")


@LOCKED
def test_an_api_change_waiting_for_a_held_lock_answers_503_and_saves_nothing(api, dispatcher, held_contact):
    before = stored()
    with lock_held_elsewhere(held_contact), short_lock_wait():
        response = api(dispatcher).patch(
            f"/api/v1/contacts/{held_contact.pk}/", {"notes": "changed"}, format="json"
        )
    assert_busy(response)
    assert response.json() == {"detail": BUSY_MESSAGE}
    assert stored() == before
    # Once the lock is released, the same request goes through.
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{held_contact.pk}/", {"notes": "changed"}, format="json"
    )
    assert response.status_code == 200
    assert Contact.objects.get(pk=held_contact.pk).notes == "changed"


@LOCKED
def test_a_staff_form_post_waiting_for_a_held_lock_answers_503_and_saves_nothing(dispatcher, held_contact):
    client = Client()
    client.force_login(dispatcher)  # the session is written before the lock is taken
    before = stored()
    with lock_held_elsewhere(held_contact), short_lock_wait():
        page = client.post(f"/contacts/{held_contact.pk}/make-primary/")
        swapped = client.post(f"/contacts/{held_contact.pk}/make-primary/", HTTP_HX_REQUEST="true")
    assert BUSY_MESSAGE in assert_busy(page)
    assert "<title>Busy" in page.content.decode()
    assert BUSY_MESSAGE in assert_busy(swapped)
    assert swapped["HX-Retarget"] == "#messages"
    assert stored() == before
    assert not Contact.objects.get(pk=held_contact.pk).is_primary


# The recogniser ----------------------------------------------------------------------------------------


def wrapped(driver_error: Exception) -> OperationalError:
    """`driver_error` as Django raises it: its OperationalError, the driver's error as the cause."""
    try:
        try:
            raise driver_error
        except Exception as error:
            raise OperationalError(*error.args) from error
    except OperationalError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        wrapped(sqlite3.OperationalError("database is locked")),
        wrapped(sqlite3.OperationalError("database table is locked: contacts_contact")),
        OperationalError("database is locked"),
        sqlite3.OperationalError("database is locked"),
        wrapped(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")),
        wrapped(psycopg.errors.SerializationFailure("could not serialize access")),
        wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
    ],
    ids=["sqlite-busy", "sqlite-table-locked", "bare", "driver", "pg-55P03", "pg-40001", "pg-40P01"],
)
def test_a_busy_database_is_recognised(error):
    assert is_busy_database_error(error)


@pytest.mark.parametrize(
    "error",
    [
        wrapped(sqlite3.OperationalError("no such table: contacts_contact")),
        wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
        IntegrityError("UNIQUE constraint failed: contacts_contact.external_id"),
        wrapped(psycopg.errors.UniqueViolation("duplicate key value")),
        ValueError("database is locked"),  # the words alone, not from the database
    ],
    ids=["sqlite-other", "pg-57014", "integrity", "pg-23505", "not-a-database-error"],
)
def test_other_errors_are_not_busy(error):
    assert not is_busy_database_error(error)


def test_the_middleware_leaves_other_errors_alone():
    middleware = BusyDatabaseMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().post("/contacts/1/make-primary/")
    assert middleware.process_exception(request, wrapped(sqlite3.OperationalError("disk I/O error"))) is None
    api = middleware.process_exception(
        RequestFactory().post("/api/v1/contacts/1/"), wrapped(sqlite3.OperationalError("database is locked"))
    )
    assert api is not None and api.status_code == 503 and api["Retry-After"] == "5"


# The setting ------------------------------------------------------------------------------------------


def test_the_lock_timeout_goes_to_either_database():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "OPTIONS": {"transaction_mode": "IMMEDIATE"}}
    apply_lock_timeout(sqlite, 7.5)
    assert sqlite["OPTIONS"] == {"transaction_mode": "IMMEDIATE", "timeout": 7.5}
    postgres = {
        "ENGINE": "django.db.backends.postgresql",
        "OPTIONS": {"sslmode": "require", "options": "-c statement_timeout=5000"},
    }
    apply_lock_timeout(postgres, 3)
    assert postgres["OPTIONS"] == {
        "sslmode": "require",
        "options": "-c statement_timeout=5000 -c lock_timeout=3000",
    }
    bare: dict = {"ENGINE": "django.db.backends.postgresql"}
    apply_lock_timeout(bare, 0)  # "do not wait", never PostgreSQL's 0 = "wait for ever"
    assert bare["OPTIONS"] == {"options": "-c lock_timeout=1"}
    given = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"options": "-c lock_timeout=900"}}
    apply_lock_timeout(given, 20)
    assert given["OPTIONS"] == {"options": "-c lock_timeout=900"}


@pytest.mark.django_db
def test_the_default_lock_timeout_reaches_the_connection():
    assert settings.CLIENTBASE_DB_LOCK_TIMEOUT == 20
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
        else:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "20s"
