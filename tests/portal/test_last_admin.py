"""The last portal admin rule under concurrency: every change that can take a customer's last portal
admin away locks the customer's row and counts the admins after the lock
(`portal.services.accounts.ensure_admin_remains`), so two admins revoking each other at the same
moment leave exactly one of them."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from clientbase import access
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, Forbidden, NotFound
from clientbase.portal.services import accounts
from clientbase.portal.services.accounts import current_portal_admins, revoke_portal_access
from tests.factories import CustomerFactory, UserFactory

User = get_user_model()


def two_admins(make_portal_contact):
    customer = CustomerFactory(name="Northwind Hospitals")
    alice = make_portal_contact(
        customer, ["admin"], first_name="Alice", last_name="Admin", email="alice@nw.example"
    )
    bob = make_portal_contact(customer, ["admin"], first_name="Bob", last_name="Boss", email="bob@nw.example")
    return customer, alice, bob


def revoke_as(actor_pk: int, target_pk: int) -> str:
    """`actor` revokes `target`'s portal access, each read fresh; answers ok or the refusal."""
    actor = Contact.objects.select_related("user").get(pk=actor_pk)
    target = Contact.objects.get(pk=target_pk)
    try:
        revoke_portal_access(contact=target, acting_user=User.objects.get(pk=actor.user_id))
    except Conflict:
        return "conflict"
    except (Forbidden, NotFound):
        return "forbidden"
    return "ok"


@pytest.mark.postgres_only
def race_each_other(make_portal_contact, monkeypatch, act, hold: str, *, before: bool):
    """Two admins act on each other at once (`act(actor_pk, target_pk)`), each held at the
    barrier around `accounts.<hold>` (before or after calling it) until both got there: the
    interleaving that, without the customer's lock, leaves no admin. Answers (customer, sorted
    outcomes). PostgreSQL only: SQLite serialises whole transactions."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks across threads need PostgreSQL (SQLite serialises whole transactions)")
    customer, alice, bob = two_admins(make_portal_contact)
    both_there = threading.Barrier(2)
    original = getattr(accounts, hold)

    def wait() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_there.wait(timeout=5)

    def held(*args, **kwargs):
        if before:
            wait()
        result = original(*args, **kwargs)
        if not before:
            wait()
        return result

    monkeypatch.setattr(accounts, hold, held)
    start = threading.Barrier(2)

    def run(pair):
        try:
            start.wait(timeout=10)
            return act(*pair)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        return customer, sorted(pool.map(run, [(alice.pk, bob.pk), (bob.pk, alice.pk)]))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_revoking_each_other_at_the_same_moment_leave_exactly_one(
    make_portal_contact, monkeypatch
):
    # Both requests have passed every check of their own and written their change before either
    # counts the admins.
    customer, outcomes = race_each_other(
        make_portal_contact, monkeypatch, revoke_as, "_check_portal_actor", before=False
    )
    assert outcomes == ["conflict", "ok"]
    remaining = current_portal_admins(customer.pk)
    assert len(remaining) == 1
    assert Contact.objects.filter(customer=customer, portal_enabled=True).count() == 1
    survivor = remaining[0]
    assert User.objects.get(pk=survivor.user_id).is_active


@pytest.mark.django_db
def test_two_admins_revoking_each_other_one_after_the_other_leave_exactly_one(make_portal_contact):
    # What SQLite does with the race: BEGIN IMMEDIATE runs the two one after the other.
    customer, alice, bob = two_admins(make_portal_contact)
    first = revoke_as(alice.pk, bob.pk)
    second = revoke_as(bob.pk, alice.pk)
    assert (first, second) == ("ok", "forbidden")  # bob is no portal user any more
    assert [c.pk for c in current_portal_admins(customer.pk)] == [alice.pk]


@pytest.mark.django_db
def test_the_rule_counts_after_the_change_whatever_the_actor_read_before(make_portal_contact):
    """The second of two racing revocations, replayed: bob's request passed its checks while both
    were admins; alice's revocation of bob is committed before bob's change counts the admins."""
    customer, alice, bob = two_admins(make_portal_contact)
    bob_user = User.objects.get(pk=bob.user_id)
    bob_user.contact  # noqa: B018 (bob's request read its contact while it was an admin)
    assert access.portal_access_is_current(bob_user.contact)
    Contact.objects.filter(pk=bob.pk).update(portal_enabled=False)  # alice's revocation, committed
    with pytest.raises(Conflict, match="Alice Admin is the last portal admin"):
        contact_services.update_contact(
            contact=alice, acting_user=bob_user, data={"portal": {"enabled": False}}
        )
    alice.refresh_from_db()
    assert alice.portal_enabled
    assert [c.pk for c in current_portal_admins(customer.pk)] == [alice.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"portal": {"enabled": False}},
        {"portal": {"permissions": ["billing"]}},
        {"status": "inactive"},
        {"portal": {"support_end": "2000-01-31"}},
    ],
)
def test_every_change_that_takes_the_last_admin_away_is_refused(make_portal_contact, data):
    _, alice, bob = two_admins(make_portal_contact)
    bob_user = User.objects.get(pk=bob.user_id)
    bob_user.contact  # noqa: B018 (read while bob was still an admin)
    Contact.objects.filter(pk=bob.pk).update(portal_permissions=["edit_contacts"])
    with pytest.raises(Conflict, match="Alice Admin is the last portal admin"):
        contact_services.update_contact(contact=alice, acting_user=bob_user, data=data)
    alice.refresh_from_db()
    assert alice.portal_enabled and alice.portal_permissions == ["admin"] and alice.status == "active"
    assert alice.support_end is None


@pytest.mark.django_db
def test_deleting_the_last_admin_is_refused_and_rolled_back(make_portal_contact):
    _, alice, bob = two_admins(make_portal_contact)
    bob_user = User.objects.get(pk=bob.user_id)
    bob_user.contact  # noqa: B018
    Contact.objects.filter(pk=bob.pk).update(portal_permissions=["edit_contacts"])
    with pytest.raises(Conflict, match="last portal admin"):
        contact_services.delete_contact(contact=alice, acting_user=bob_user)
    assert Contact.objects.filter(pk=alice.pk, portal_enabled=True).exists()
    assert User.objects.get(pk=alice.user_id).is_active


@pytest.mark.django_db
def test_staff_may_leave_a_customer_without_a_portal_admin(make_portal_contact):
    customer, alice, bob = two_admins(make_portal_contact)
    staff = UserFactory(username="root", is_superuser=True)
    revoke_portal_access(contact=bob, acting_user=staff)
    revoke_portal_access(contact=Contact.objects.get(pk=alice.pk), acting_user=staff)
    assert current_portal_admins(customer.pk) == []


def delete_as(actor_pk: int, target_pk: int) -> str:
    """`actor` deletes `target`, each read fresh; answers ok or the refusal."""
    actor = Contact.objects.select_related("user").get(pk=actor_pk)
    target = Contact.objects.get(pk=target_pk)
    try:
        contact_services.delete_contact(contact=target, acting_user=User.objects.get(pk=actor.user_id))
    except Conflict:
        return "conflict"
    except (Forbidden, NotFound):
        return "forbidden"
    return "ok"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_deleting_each_other_at_the_same_moment_leave_exactly_one(
    make_portal_contact, monkeypatch
):
    # Both deletions are written before either counts the admins.
    customer, outcomes = race_each_other(
        make_portal_contact, monkeypatch, delete_as, "ensure_admin_remains", before=True
    )
    assert outcomes == ["conflict", "ok"]
    assert len(current_portal_admins(customer.pk)) == 1
    assert Contact.objects.filter(customer=customer).count() == 1
