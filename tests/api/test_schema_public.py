"""/api/schema/ and /api/docs/ are public on purpose: they describe the API's shape, the same for
everybody, and hold no data."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/?format=json", "/api/docs/"])
def test_schema_and_docs_answer_without_signing_in_and_hold_no_data(url):
    customer = CustomerFactory(name="Zanzibar Cold Storage", email="ops@zanzibar-cold.example")
    ContactFactory(
        customer=customer, first_name="Quentin", last_name="Quarrington", email="qq@zanzibar-cold.example"
    )
    response = APIClient().get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for secret in ("Zanzibar", "zanzibar-cold", "Quarrington", customer.number):
        assert secret not in body


def test_the_data_itself_needs_signing_in():
    CustomerFactory(name="Zanzibar Cold Storage")
    response = APIClient().get("/api/v1/customers/")
    assert response.status_code == 401
    assert "Zanzibar" not in response.content.decode()
