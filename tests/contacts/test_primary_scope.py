"""Making a contact primary un-marks the previous primary: a change of that contact too, refused to
a user who may not change it."""

from __future__ import annotations

import pytest

from clientbase.contacts.models import Contact
from tests.factories import ContactFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


def test_a_location_level_clerk_does_not_unmark_a_customer_level_primary(
    api, location_contact_clerk, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    chief = ContactFactory(customer=customer, last_name="Chief", is_primary=True)
    site = ContactFactory(customer=customer, last_name="Site")
    site.locations.set([north])
    with assert_unchanged(Contact):
        response = api(location_contact_clerk).post(f"/api/v1/contacts/{site.pk}/make-primary/")
    assert response.status_code == 403
    assert "Chief" in response.json()["detail"]
    chief.refresh_from_db()
    assert chief.is_primary


def test_a_location_level_clerk_may_hand_over_between_location_level_contacts(
    api, location_contact_clerk, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    first = ContactFactory(customer=customer, last_name="First", is_primary=True)
    first.locations.set([north])
    second = ContactFactory(customer=customer, last_name="Second")
    second.locations.set([north])
    response = api(location_contact_clerk).post(f"/api/v1/contacts/{second.pk}/make-primary/")
    assert response.status_code == 200, response.content
    first.refresh_from_db()
    assert not first.is_primary
