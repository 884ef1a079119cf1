"""A person named in a contract's free text: listed in its personal data, taken out by its erasure
(the contracts of its customers, their history too, with new versions); other customers' contracts
and other words stay."""

from __future__ import annotations

import pytest

from clientbase.contacts.privacy import erase, personal_data
from clientbase.contracts.models import Contract
from tests.contracts.factories import ContractFactory
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    return ContactFactory(
        customer=customer, first_name="Maria", last_name="Garcia", email="maria@northwind.example"
    )


def test_the_contracts_mentioning_a_person_are_in_its_personal_data(admin_user, maria, other_customer):
    mentioned = ContractFactory(
        customer=maria.customer, name="HVAC", notes="Call Maria Garcia before each visit."
    )
    ContractFactory(customer=maria.customer, name="Lifts", notes="Call the front desk.")
    ContractFactory(customer=other_customer, name="Contoso", notes="Maria Garcia of Contoso is someone else.")
    data = personal_data(admin_user, maria)
    assert data["contracts"] == {"mentioned_in": [{"number": mentioned.number, "name": "HVAC"}]}


def test_an_erasure_takes_the_person_out_of_the_contracts_of_its_customer(admin_user, maria, other_customer):
    mentioned = ContractFactory(
        customer=maria.customer,
        name="Garcia wing chillers",
        notes="Call Maria Garcia (maria@northwind.example).",
    )
    others = ContractFactory(customer=other_customer, name="Contoso", notes="Maria Garcia of Contoso.")
    version = Contract.objects.get(pk=mentioned.pk).version
    erase(admin_user, maria)
    mentioned = Contract.objects.get(pk=mentioned.pk)
    assert (mentioned.name, mentioned.notes) == ("[erased] wing chillers", "Call [erased] ([erased]).")
    assert mentioned.version == version + 1
    assert not Contract.history.filter(id=mentioned.pk, notes__icontains="garcia").exists()
    assert Contract.objects.get(pk=others.pk).notes == "Maria Garcia of Contoso."
