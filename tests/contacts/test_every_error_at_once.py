"""A body with several bad values is answered with every error at once, on every surface."""

from __future__ import annotations

import pytest

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


def test_the_api_names_a_bad_email_phone_and_limit_together(api, admin_user):
    body = {
        "last_name": "Lee",
        "email": "not-an-address",
        "phone": "555-0142",
        "roles": ["approver"],
        "approval_limit": "a lot",
    }
    with assert_unchanged(Contact):
        response = api(admin_user).post("/api/v1/contacts/", body, format="json")
    assert response.status_code == 400
    assert {"email", "phone", "approval_limit"} <= set(response.json())
    assert "region US" in response.json()["phone"][0]


def test_the_customer_api_names_a_bad_email_and_phone_together(api, admin_user):
    with assert_unchanged(Customer):
        response = api(admin_user).post(
            "/api/v1/customers/", {"name": "Acme", "email": "nope@", "phone": "12"}, format="json"
        )
    assert response.status_code == 400
    assert {"email", "phone"} <= set(response.json())
