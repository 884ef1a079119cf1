"""A contact's history as a portal user sees it: who changed what, without staff usernames."""

from __future__ import annotations

import pytest

from clientbase.contacts import services as contact_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_portal_user_sees_staff_changes_as_the_service_provider_and_its_own_by_name(
    api, admin_contact, colleague
):
    staff = UserFactory(username="jdoe.dispatch", is_superuser=True)
    contact_services.update_contact(
        contact=colleague, acting_user=staff, data={"title": "Head of Facilities"}
    )
    contact_services.update_contact(
        contact=colleague, acting_user=admin_contact.user, data={"department": "Estates"}
    )

    response = api(admin_contact.user).get(f"/api/v1/contacts/{colleague.pk}/history/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "jdoe.dispatch" not in body
    assert staff.email not in body
    users = [entry["user"] for entry in response.json()["results"]]
    assert users[:2] == ["Alice Admin", "Service provider staff"]

    staff_view = api(staff).get(f"/api/v1/contacts/{colleague.pk}/history/").json()["results"]
    assert [entry["user"] for entry in staff_view][:2] == [admin_contact.user.username, "jdoe.dispatch"]
