"""The one authorization module: groups from the migration, scope, portal capabilities."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from clientbase import access, groups
from clientbase.contacts.models import Contact
from clientbase.customers.models import Asset, Customer, Location
from clientbase.errors import Forbidden, NotFound
from tests.factories import ContactFactory, CustomerFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def codenames(group_name: str) -> set[str]:
    return set(Group.objects.get(name=group_name).permissions.values_list("codename", flat=True))


def test_migrate_creates_the_four_staff_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= set(groups.GROUPS)


def test_administrator_holds_every_customer_and_contact_permission():
    assert {
        "add_customer",
        "delete_customer",
        "add_contact",
        "maintain_customer_contacts",
        "delete_assetpart",
    } <= codenames(groups.ADMINISTRATOR)


def test_dispatcher_maintains_customers_sites_assets_and_contacts():
    held = codenames(groups.DISPATCHER)
    assert {
        "add_customer",
        "change_location",
        "add_asset",
        "add_assetpart",
        "change_contact",
        "maintain_customer_contacts",
    } <= held


def test_accounts_receivable_reads_customers_and_maintains_contacts():
    held = codenames(groups.ACCOUNTS_RECEIVABLE)
    assert {"view_customer", "add_contact", "change_contact", "maintain_customer_contacts"} <= held
    assert not {"add_customer", "change_customer", "delete_customer"} & held


def test_technician_reads_and_may_change_notes_only():
    held = codenames(groups.TECHNICIAN)
    assert {"view_customer", "view_location", "view_asset", "view_contact", "change_contact_notes"} <= held
    assert not {"change_contact", "add_contact", "delete_contact", "change_customer"} & held


def test_anonymous_and_inactive_users_may_do_nothing(dispatcher):
    from django.contrib.auth.models import AnonymousUser

    assert not access.can(AnonymousUser(), "view", Customer)
    dispatcher.is_active = False
    assert not access.can(dispatcher, "view", Customer)


def test_non_staff_user_without_contact_sees_nothing():
    CustomerFactory()
    user = UserFactory(is_staff=False)
    assert not access.restrict(user, Customer.objects.all()).exists()


def test_fetch_reads_out_of_scope_as_not_found(portal_user_factory):
    mine, theirs = CustomerFactory(), CustomerFactory()
    user = portal_user_factory(mine, permissions=["edit_contacts"], email="p@example.com")
    assert access.fetch(user, Customer.objects.all(), mine.pk) == mine
    with pytest.raises(NotFound):
        access.fetch(user, Customer.objects.all(), theirs.pk)
    with pytest.raises(NotFound):
        access.fetch(user, Customer.objects.all(), 10**9)


def test_require_refuses_a_forbidden_action_on_a_visible_object(technician):
    contact = ContactFactory()
    assert access.fetch(technician, Contact.objects.all(), contact.pk) == contact
    with pytest.raises(Forbidden):
        access.require(technician, "delete", contact)
    access.require(technician, access.CHANGE_NOTES, contact)


def test_portal_scope_covers_locations_and_assets(portal_user_factory):
    mine = LocationFactory()
    theirs = LocationFactory()
    # Requesting service lists the customer's sites and equipment, so it may view them.
    user = portal_user_factory(mine.customer, permissions=["create_work_order"], email="p@example.com")
    assert list(access.restrict(user, Location.objects.all())) == [mine]
    assert not access.restrict(user, Asset.objects.filter(location=theirs)).exists()
    assert not access.can(user, "change", Location)


@pytest.mark.parametrize(
    ("start", "end", "current"),
    [
        (None, None, True),
        (datetime.date(2000, 1, 1), datetime.date(2999, 1, 1), True),
        (datetime.date(2999, 1, 1), None, False),
        (None, datetime.date(2000, 1, 1), False),
    ],
)
def test_portal_capabilities_only_between_support_dates(portal_user_factory, start, end, current):
    customer = CustomerFactory()
    user = portal_user_factory(
        customer, permissions=["edit_contacts"], email="p@example.com", support_start=start, support_end=end
    )
    assert access.can(user, "view", Contact) is current


def test_portal_access_switched_off_or_inactive_contact_gives_nothing(portal_user_factory):
    customer = CustomerFactory()
    user = portal_user_factory(customer, permissions=["admin"], email="p@example.com")
    Contact.objects.filter(user=user).update(status="inactive")
    user.refresh_from_db()
    assert not access.can(user, "view", Customer)


def test_admin_capability_includes_edit_contacts(portal_user_factory):
    user = portal_user_factory(CustomerFactory(), permissions=["admin"], email="p@example.com")
    assert access.can(user, "delete", Contact)


def test_portal_user_never_deletes_itself(portal_user_factory):
    customer = CustomerFactory()
    user = portal_user_factory(customer, permissions=["admin"], email="p@example.com")
    colleague = ContactFactory(customer=customer)
    assert access.allowed(user, "delete", colleague)
    assert not access.allowed(user, "delete", user.contact)
    with pytest.raises(Forbidden, match="yourself"):
        access.require(user, "delete", user.contact)
