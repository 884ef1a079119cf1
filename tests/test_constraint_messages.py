"""A database refusal is worded from the model that declares the rule: `Meta.constraints` messages
and unique fields' own messages, under the names SQLite and PostgreSQL give them; only triggers
register words of their own."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.errors import TRIGGER_MESSAGES, conflict_from_integrity_error, constraint_messages
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def declared() -> list[tuple[str, str]]:
    return [
        (constraint.name, str(constraint.violation_error_message))
        for model in apps.get_models()
        for constraint in model._meta.constraints
        if constraint.violation_error_message != constraint.default_violation_error_message
    ]


def test_every_declared_message_is_known_by_its_constraint_name():
    messages = constraint_messages()
    assert declared()
    for name, message in declared():
        assert messages[name] == message


def test_no_constraint_is_worded_twice():
    """The registry holds trigger texts only: no constraint name in it."""
    names = {name for name, _ in declared()}
    assert not [key for key in TRIGGER_MESSAGES if key in names]


def refusal(write) -> str:
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    return conflict_from_integrity_error(refused.value).message


def test_a_partial_unique_index_is_worded_from_meta():
    customer = CustomerFactory()
    ContactFactory(customer=customer, external_id="E-1")
    other = ContactFactory(customer=customer, external_id="E-2")
    message = refusal(lambda: Contact.objects.filter(pk=other.pk).update(external_id="E-1"))
    assert message == "Another contact of this customer already has this external ID."
    other.refresh_from_db()
    assert other.external_id == "E-2"


def test_a_check_constraint_is_worded_from_meta():
    contact = ContactFactory()
    message = refusal(lambda: Contact.objects.filter(pk=contact.pk).update(approval_limit=-1))
    assert message == "The approval limit may not be negative."
    contact.refresh_from_db()
    assert contact.approval_limit is None


def test_a_unique_field_is_worded_from_its_own_message():
    first, second = CustomerFactory(), CustomerFactory()
    message = refusal(lambda: Customer.objects.filter(pk=second.pk).update(number=first.number))
    assert message == "This customer number is already taken."
    second.refresh_from_db()
    assert second.number != first.number


def test_a_trigger_keeps_its_registered_words(customer_with_two_sites, other_customer):
    contact = ContactFactory(customer=customer_with_two_sites[0])
    foreign = other_customer.locations.create(name="Elsewhere")
    message = refusal(lambda: contact.locations.add(foreign))
    assert message == "A contact's locations must belong to the contact's customer."
    assert not contact.locations.exists()


def test_a_unique_constraint_is_worded_from_meta_whichever_way_the_database_names_it():
    """PostgreSQL names the index; SQLite names the columns of it."""
    customer = CustomerFactory()
    ContactFactory(customer=customer, is_primary=True)
    other = ContactFactory(customer=customer)
    message = refusal(lambda: Contact.objects.filter(pk=other.pk).update(is_primary=True))
    assert message == "This customer already has a primary contact."
    assert Contact.objects.filter(customer=customer, is_primary=True).count() == 1
