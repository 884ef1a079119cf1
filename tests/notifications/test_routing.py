"""The recipient resolver: each of the five rules of API.md with what it refuses, the site-contact
rule of the work-order wizard, and a constant number of queries whatever the number of recipients."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clientbase.contacts.models import Contact
from clientbase.notifications.routing import resolve_recipients, resolve_site_contact
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def recipients(**kwargs) -> set[int]:
    return {r.contact_id for r in resolve_recipients(**kwargs).recipients}


# Rule 1: active, deliverable, opted in ------------------------------------------------------------


def test_rule1_opted_in_active_contacts_with_an_address_get_the_event(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    opted = ContactFactory(customer=customer, notify_work_orders=True)
    not_opted = ContactFactory(customer=customer, notify_invoices=True)
    inactive = ContactFactory(customer=customer, notify_work_orders=True, status="inactive")
    no_email = ContactFactory(customer=customer, notify_work_orders=True, email="")
    bounced = ContactFactory(customer=customer, notify_work_orders=True, email_status="bounced")
    found = recipients(event="work_order.created", customer_id=customer.pk)
    assert found == {opted.pk}
    assert not found & {not_opted.pk, inactive.pk, no_email.pk, bounced.pk}


def test_rule1_each_category_opts_into_its_own_events(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    work = ContactFactory(customer=customer, notify_work_orders=True)
    completions = ContactFactory(customer=customer, notify_completions=True)
    invoices = ContactFactory(customer=customer, notify_invoices=True)
    assert recipients(event="work_order.created", customer_id=customer.pk) == {work.pk}
    assert recipients(event="work_order.updated", customer_id=customer.pk) == {work.pk}
    assert recipients(event="work_order.completed", customer_id=customer.pk) == {completions.pk}
    assert recipients(event="invoice.issued", customer_id=customer.pk) == {invoices.pk}


def test_rule1_contacts_of_other_customers_never_get_it(customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    mine = ContactFactory(customer=customer, notify_work_orders=True)
    ContactFactory(customer=other_customer, notify_work_orders=True, is_primary=True)
    assert recipients(event="work_order.created", customer_id=customer.pk) == {mine.pk}


def test_rule1_warns_about_opted_in_contacts_it_cannot_reach(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(
        customer=customer,
        first_name="Ann",
        last_name="Bounce",
        notify_work_orders=True,
        email="ann@example.com",
        email_status="bounced",
    )
    ContactFactory(
        customer=customer, first_name="Bob", last_name="Noaddress", notify_work_orders=True, email=""
    )
    routing = resolve_recipients(event="work_order.created", customer_id=customer.pk)
    text = " ".join(routing.warnings)
    assert "Ann Bounce" in text and "bounced" in text
    assert "Bob Noaddress" in text and "no e-mail" in text


# Rule 2: location ---------------------------------------------------------------------------------


def test_rule2_with_a_location_contacts_of_other_sites_only_drop_out(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    at_north = ContactFactory(customer=customer, notify_work_orders=True, locations=[north])
    at_south = ContactFactory(customer=customer, notify_work_orders=True, locations=[south])
    at_both = ContactFactory(customer=customer, notify_work_orders=True, locations=[north, south])
    customer_level = ContactFactory(customer=customer, notify_work_orders=True)
    found = recipients(event="work_order.created", customer_id=customer.pk, location_id=north.pk)
    assert found == {at_north.pk, at_both.pk, customer_level.pk}
    assert at_south.pk not in found
    reasons = {
        r.contact_id: r.reason
        for r in resolve_recipients(
            event="work_order.created", customer_id=customer.pk, location_id=north.pk
        ).recipients
    }
    assert "linked to this location" in reasons[at_north.pk]
    assert "customer-level" in reasons[customer_level.pk]


def test_rule2_without_a_location_every_site_counts(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    a = ContactFactory(customer=customer, notify_work_orders=True, locations=[north])
    b = ContactFactory(customer=customer, notify_work_orders=True, locations=[south])
    assert recipients(event="work_order.created", customer_id=customer.pk) == {a.pk, b.pk}


# Rule 3: quotes go to approvers whose limit covers the amount -----------------------------------------


def test_rule3_quote_goes_only_to_approvers_with_enough_limit(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    unlimited = ContactFactory(customer=customer, role_approver=True, notify_quotes=True, approval_limit=None)
    enough = ContactFactory(
        customer=customer, role_approver=True, notify_quotes=True, approval_limit=Decimal("5000")
    )
    exactly = ContactFactory(
        customer=customer, role_approver=True, notify_quotes=True, approval_limit=Decimal("2500")
    )
    too_low = ContactFactory(
        customer=customer, role_approver=True, notify_quotes=True, approval_limit=Decimal("2499.99")
    )
    not_approver = ContactFactory(customer=customer, role_billing=True, notify_quotes=True)
    routing = resolve_recipients(event="quote.sent", customer_id=customer.pk, amount=Decimal("2500.00"))
    found = {r.contact_id for r in routing.recipients}
    assert found == {unlimited.pk, enough.pk, exactly.pk}
    assert too_low.pk not in found and not_approver.pk not in found
    reasons = {r.contact_id: r.reason for r in routing.recipients}
    assert "without a limit" in reasons[unlimited.pk]
    assert "up to $5,000.00" in reasons[enough.pk]


def test_rule3_needs_the_amount():
    customer = CustomerFactory()
    with pytest.raises(ValueError, match="amount"):
        resolve_recipients(event="quote.sent", customer_id=customer.pk)


# Rule 4: the primary stands in ------------------------------------------------------------------------


def test_rule4_nobody_opted_in_the_primary_gets_it_with_a_warning(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    primary = ContactFactory(customer=customer, is_primary=True)
    ContactFactory(customer=customer)
    routing = resolve_recipients(event="work_order.created", customer_id=customer.pk)
    assert [r.contact_id for r in routing.recipients] == [primary.pk]
    assert "Primary contact" in routing.recipients[0].reason
    assert any("primary contact gets it" in w for w in routing.warnings)


def test_rule4_the_primary_is_not_added_when_someone_opted_in(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, is_primary=True)
    opted = ContactFactory(customer=customer, notify_invoices=True)
    assert recipients(event="invoice.issued", customer_id=customer.pk) == {opted.pk}


def test_rule4_an_undeliverable_primary_leaves_nobody_and_says_so(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, is_primary=True, email_status="bounced")
    routing = resolve_recipients(event="work_order.created", customer_id=customer.pk)
    assert routing.recipients == []
    assert "Nobody will be notified" in routing.warnings[0]


def test_rule4_no_primary_leaves_nobody_and_says_so():
    customer = CustomerFactory()
    routing = resolve_recipients(event="invoice.issued", customer_id=customer.pk)
    assert routing.recipients == []
    assert "no primary contact" in routing.warnings[0]


def test_rule4_does_not_apply_to_quotes_no_approver_qualifies(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, is_primary=True)
    ContactFactory(
        customer=customer,
        first_name="Dave",
        last_name="Chen",
        role_approver=True,
        notify_quotes=True,
        approval_limit=Decimal("1000"),
    )
    routing = resolve_recipients(event="quote.sent", customer_id=customer.pk, amount=Decimal("12500"))
    assert routing.recipients == []
    assert "No approver qualifies" in routing.warnings[0]
    assert "Dave Chen ($1,000.00)" in routing.warnings[0]


# Rule 5: each person once ---------------------------------------------------------------------------


def test_rule5_each_person_once_as_one_address_is_one_contact_of_the_customer(customer_with_two_sites):
    """A second record of an address within the customer cannot exist (the database refuses it,
    ignoring case), so no address is mailed twice."""
    customer, north, _ = customer_with_two_sites
    first = ContactFactory(
        customer=customer,
        last_name="Aaron",
        email="mike@example.com",
        notify_work_orders=True,
        is_primary=True,
        locations=[north],
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactFactory(customer=customer, last_name="Zed", email="MIKE@example.com", notify_work_orders=True)
    routing = resolve_recipients(event="work_order.created", customer_id=customer.pk, location_id=north.pk)
    assert [r.contact_id for r in routing.recipients] == [first.pk]


# A constant number of queries -----------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 10, 1000])
def test_resolver_reads_in_one_query_whatever_the_number_of_recipients(
    count, customer_with_two_sites, django_assert_num_queries
):
    customer, north, south = customer_with_two_sites
    Contact.objects.bulk_create(
        [
            Contact(
                customer=customer, last_name=f"Lee{i}", email=f"lee{i}@example.com", notify_work_orders=True
            )
            for i in range(count)
        ]
    )
    ContactFactory(customer=customer, notify_work_orders=True, email="south@example.com", locations=[south])
    with django_assert_num_queries(1):
        routing = resolve_recipients(
            event="work_order.created", customer_id=customer.pk, location_id=north.pk
        )
    assert len(routing.recipients) == count


@pytest.mark.parametrize("count", [1, 10, 1000])
def test_quote_routing_reads_in_one_query_too(count, django_assert_num_queries):
    customer = CustomerFactory()
    Contact.objects.bulk_create(
        [
            Contact(
                customer=customer,
                last_name=f"Lee{i}",
                email=f"lee{i}@example.com",
                notify_quotes=True,
                role_approver=True,
                approval_limit=Decimal(i * 10),
            )
            for i in range(count)
        ]
    )
    with django_assert_num_queries(1):
        routing = resolve_recipients(event="quote.sent", customer_id=customer.pk, amount=Decimal("0"))
    assert len(routing.recipients) == count


# The site contact of a work order --------------------------------------------------------------------


def test_site_contact_prefers_the_locations_site_contact(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    ContactFactory(customer=customer, is_primary=True)
    ContactFactory(customer=customer, role_site=True)
    ContactFactory(customer=customer, role_site=True, locations=[south])
    at_north = ContactFactory(customer=customer, role_site=True, locations=[north])
    assert resolve_site_contact(customer_id=customer.pk, location_id=north.pk) == at_north


def test_site_contact_falls_back_to_a_customer_level_site_contact(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    ContactFactory(customer=customer, is_primary=True)
    ContactFactory(customer=customer, role_site=True, locations=[south])
    ContactFactory(customer=customer, role_site=True, locations=[north], status="inactive")
    customer_level = ContactFactory(customer=customer, role_site=True)
    assert resolve_site_contact(customer_id=customer.pk, location_id=north.pk) == customer_level


def test_site_contact_falls_back_to_the_primary_then_nobody(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    ContactFactory(customer=customer, role_site=True, locations=[south])
    assert resolve_site_contact(customer_id=customer.pk, location_id=north.pk) is None
    primary = ContactFactory(customer=customer, is_primary=True)
    assert resolve_site_contact(customer_id=customer.pk, location_id=north.pk) == primary


def test_site_contact_without_a_location_is_a_customer_level_one(customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    ContactFactory(customer=customer, role_site=True, locations=[north])
    primary = ContactFactory(customer=customer, is_primary=True)
    assert resolve_site_contact(customer_id=customer.pk, location_id=None) == primary


def test_site_contact_is_found_in_one_query(customer_with_two_sites, django_assert_num_queries):
    customer, north, _ = customer_with_two_sites
    for _ in range(5):
        ContactFactory(customer=customer, role_site=True, locations=[north])
    with django_assert_num_queries(1):
        resolve_site_contact(customer_id=customer.pk, location_id=north.pk)
