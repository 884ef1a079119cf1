"""No invitation that could not be used: switching portal access on for an inactive contact, or
with a support end date already past, stores the access but opens no login and queues no mail (a
restored export holds such contacts); sending the invitation explicitly is refused until the
contact could sign in."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.notifications.models import Message
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_an_inactive_contact_gets_no_portal_access(api, dispatcher, northwind):
    customer, _, _ = northwind
    contact = ContactFactory(customer=customer, email="greg@northwind.example", status="inactive")
    client = api(dispatcher)
    response = client.patch(f"/api/v1/contacts/{contact.pk}/", {"portal": {"enabled": True}}, format="json")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.portal_enabled and contact.user is None
    assert not Message.objects.exists()
    response = client.post(f"/api/v1/contacts/{contact.pk}/portal-invitation/", format="json")
    assert response.status_code == 409 and "inactive" in response.json()["detail"]
    assert not Message.objects.exists()


def test_a_support_end_in_the_past_opens_no_portal_access(api, dispatcher, northwind):
    customer, _, _ = northwind
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = api(dispatcher).post(
        "/api/v1/contacts/",
        {
            "customer": customer.pk,
            "last_name": "Late",
            "email": "late@northwind.example",
            "portal": {"enabled": True, "support_end": past},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(last_name="Late")
    assert contact.portal_enabled and contact.user is None
    assert not Message.objects.exists()
    response = api(dispatcher).post(f"/api/v1/contacts/{contact.pk}/portal-invitation/", format="json")
    assert response.status_code == 400 and "has passed" in response.json()["portal"][0]
    assert not Message.objects.exists() and Contact.objects.get(pk=contact.pk).user is None
