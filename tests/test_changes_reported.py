"""Update services say what they changed (`writes.changes_of`), comparing values as they store
them; the import's "unchanged" is the services' word."""

from __future__ import annotations

import pytest

from clientbase.contacts import services as contact_services
from clientbase.customers import services as customer_services
from clientbase.customers.models import Customer
from clientbase.writes import changes_of
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_customer_update_with_the_same_values_written_differently_changes_nothing(admin_user):
    customer = CustomerFactory(phone="+13125550100", email="office@example.com")
    records = Customer.history.filter(id=customer.pk).count()
    answered = customer_services.update_customer(
        customer=customer,
        acting_user=admin_user,
        data={"phone": "(312) 555-0100", "email": "office@example.com", "name": customer.name},
    )
    assert changes_of(answered) == frozenset()
    assert Customer.history.filter(id=customer.pk).count() == records  # nothing written


def test_a_customer_update_says_what_it_changed(admin_user):
    customer = CustomerFactory(phone="+13125550100")
    answered = customer_services.update_customer(
        customer=customer, acting_user=admin_user, data={"phone": "312 555 0101", "notes": "New"}
    )
    assert changes_of(answered) == {"phone", "notes"}
    customer.refresh_from_db()
    assert customer.phone == "+13125550101"


def test_a_contact_update_says_what_it_changed_and_nothing_for_the_same_values(admin_user):
    contact = ContactFactory(phone="+13125550142", title="Engineer", roles=["site"])
    same = contact_services.update_contact(
        contact=contact, acting_user=admin_user, data={"phone": "312.555.0142", "roles": ["site"]}
    )
    assert changes_of(same) == frozenset()
    changed = contact_services.update_contact(contact=same, acting_user=admin_user, data={"title": "Lead"})
    assert changes_of(changed) == {"title"}


def test_an_object_no_update_answered_has_no_changes_on_record():
    assert changes_of(CustomerFactory()) is None
