"""The invariants the database itself holds, whatever code writes: each is tried directly with the
ORM (no service in between) and must be refused by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from clientbase.contacts.models import Contact, ContactLocation
from clientbase.customers.models import Customer, Location
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


def refused(action, model, rule: str) -> None:
    """`action` is refused by the database, by `rule` of `model` (a constraint or a trigger's
    message) and no other."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        action()
    assert_refused_by(error.value, model, rule)


def test_one_primary_contact_per_customer():
    customer = CustomerFactory()
    ContactFactory(customer=customer, is_primary=True)
    second = ContactFactory(customer=customer)
    refused(
        lambda: Contact.objects.filter(pk=second.pk).update(is_primary=True),
        Contact,
        "contacts_contact_unique_primary_per_customer",
    )
    other_customer_primary = ContactFactory(customer=CustomerFactory(), is_primary=True)
    assert other_customer_primary.is_primary


def test_primary_needs_a_customer():
    refused(
        lambda: Contact.objects.create(last_name="Loner", is_primary=True, customer=None),
        Contact,
        "contacts_contact_primary_needs_customer",
    )


@pytest.mark.parametrize("last_name", ["", "   "])
def test_last_name_not_blank(last_name):
    refused(
        lambda: Contact.objects.create(last_name=last_name), Contact, "contacts_contact_last_name_not_blank"
    )


def test_approval_limit_not_negative():
    refused(
        lambda: Contact.objects.create(last_name="Chen", approval_limit=-1),
        Contact,
        "contacts_contact_approval_limit_not_negative",
    )
    assert Contact.objects.create(last_name="Chen", approval_limit=0).approval_limit == 0


def test_portal_needs_an_email():
    refused(
        lambda: Contact.objects.create(last_name="Doe", portal_enabled=True, email=""),
        Contact,
        "contacts_contact_portal_needs_email",
    )


def test_location_link_must_be_of_the_contacts_customer():
    contact = ContactFactory()
    foreign = LocationFactory()
    refused(
        lambda: ContactLocation.objects.create(contact=contact, location=foreign),
        ContactLocation,
        "location belongs to another customer",
    )
    own = LocationFactory(customer=contact.customer)
    ContactLocation.objects.create(contact=contact, location=own)


def test_link_cannot_be_redirected_to_another_customers_location():
    contact = ContactFactory()
    link = ContactLocation.objects.create(
        contact=contact, location=LocationFactory(customer=contact.customer)
    )
    foreign = LocationFactory()
    refused(
        lambda: ContactLocation.objects.filter(pk=link.pk).update(location=foreign),
        ContactLocation,
        "location belongs to another customer",
    )


def test_contact_cannot_move_customer_while_linked_to_old_locations():
    site = LocationFactory()
    contact = ContactFactory(customer=site.customer, locations=[site])
    other = CustomerFactory()
    refused(
        lambda: Contact.objects.filter(pk=contact.pk).update(customer=other),
        Contact,
        "location belongs to another customer",
    )


def test_location_cannot_move_customer_while_contacts_are_linked():
    site = LocationFactory()
    ContactFactory(customer=site.customer, locations=[site])
    other = CustomerFactory()
    refused(
        lambda: Location.objects.filter(pk=site.pk).update(customer=other),
        Location,
        "location belongs to another customer",
    )


def test_line_manager_of_same_customer_only():
    manager = ContactFactory()
    refused(
        lambda: Contact.objects.create(last_name="Report", customer=CustomerFactory(), reports_to=manager),
        Contact,
        "reports_to belongs to another customer",
    )
    report = ContactFactory(customer=manager.customer)
    stranger = ContactFactory()
    refused(
        lambda: Contact.objects.filter(pk=report.pk).update(reports_to=stranger),
        Contact,
        "reports_to belongs to another customer",
    )


def test_contact_with_reports_cannot_move_customer():
    manager = ContactFactory()
    ContactFactory(customer=manager.customer, reports_to=manager)
    other = CustomerFactory()
    refused(
        lambda: Contact.objects.filter(pk=manager.pk).update(customer=other),
        Contact,
        "contact still reports to this contact from another customer",
    )


def test_no_reporting_cycle_of_any_length():
    customer = CustomerFactory()
    a = ContactFactory(customer=customer)
    b = ContactFactory(customer=customer, reports_to=a)
    c = ContactFactory(customer=customer, reports_to=b)
    # Itself too: the trigger answers before the check that a contact is not its own manager.
    for manager in (a, b, c):
        refused(
            lambda manager=manager: Contact.objects.filter(pk=a.pk).update(reports_to=manager),
            Contact,
            "reports_to would form a cycle",
        )
    d = ContactFactory(customer=customer)
    Contact.objects.filter(pk=d.pk).update(reports_to=c)  # a longer chain is fine


def test_external_id_unique_within_a_customer_when_given():
    first = ContactFactory(external_id="ERP-1")
    refused(
        lambda: ContactFactory(customer=first.customer, external_id="ERP-1"),
        Contact,
        "contacts_contact_unique_external_id_per_customer",
    )
    # Another customer's own key may be the same text: external IDs are per customer.
    ContactFactory(external_id="ERP-1")
    ContactFactory(customer=first.customer, external_id="")
    ContactFactory(customer=first.customer, external_id="")


def test_external_id_unique_among_contacts_without_customer():
    ContactFactory(customer=None, external_id="ERP-9")
    refused(
        lambda: ContactFactory(customer=None, external_id="ERP-9"),
        Contact,
        "contacts_contact_unique_external_id_unaffiliated",
    )


def test_customer_numbers_are_unique_and_generated_from_the_key():
    first, second = CustomerFactory(), CustomerFactory()
    assert first.number == f"C-{first.pk:06d}"
    assert second.number == f"C-{second.pk:06d}"
    refused(lambda: Customer.objects.filter(pk=second.pk).update(number=first.number), Customer, "number")


def test_customer_creation_is_one_history_record_with_the_number():
    customer = CustomerFactory()
    records = list(customer.history.all())
    assert len(records) == 1
    assert records[0].history_type == "+"
    assert records[0].number == customer.number


def test_phone_digits_follow_the_numbers():
    contact = ContactFactory(phone="+13125550142", mobile="+442079460018")
    assert "13125550142" in contact.phone_digits
    assert "3125550142" in contact.phone_digits
    assert "02079460018" in contact.phone_digits
    contact.mobile = ""
    contact.save(update_fields=["mobile"])
    contact.refresh_from_db()
    assert "2079460018" not in contact.phone_digits


def test_primary_contact_is_active():
    primary = ContactFactory(is_primary=True)
    refused(
        lambda: Contact.objects.filter(pk=primary.pk).update(status="inactive"),
        Contact,
        "contacts_contact_primary_is_active",
    )
