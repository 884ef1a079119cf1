"""What portal users reach through the REST API: their customer's documents, never drafts, and the
last-admin rule holds there as in the portal's pages."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from clientbase.workorders.models import Invoice, Quote
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_portal_users_never_see_draft_quotes_or_invoices(portal_user_factory):
    customer = CustomerFactory()
    Invoice.objects.create(customer=customer, amount=100, status="draft")
    issued = Invoice.objects.create(customer=customer, amount=200, status="issued")
    Quote.objects.create(customer=customer, amount=100, status="draft")
    sent = Quote.objects.create(customer=customer, amount=300, status="sent")
    user = portal_user_factory(customer, permissions=["billing"], email="ap@example.com", role_approver=True)
    client = client_for(user)
    assert [row["id"] for row in client.get("/api/v1/invoices/").json()["results"]] == [issued.pk]
    assert [row["id"] for row in client.get("/api/v1/quotes/").json()["results"]] == [sent.pk]


def test_a_portal_admin_cannot_delete_the_last_other_admin_through_the_api(portal_user_factory):
    customer = CustomerFactory()
    editor = portal_user_factory(customer, permissions=["edit_contacts"], email="editor@example.com")
    admin = ContactFactory(
        customer=customer, email="admin@example.com", portal_enabled=True, portal_permissions=["admin"]
    )
    response = client_for(editor).delete(f"/api/v1/contacts/{admin.pk}/")
    assert response.status_code == 409
    assert "last portal admin" in response.json()["detail"]
    assert Contact.objects.filter(pk=admin.pk).exists()


def test_staff_deleting_a_portal_contact_closes_its_login(api, dispatcher, portal_user_factory):
    customer = CustomerFactory()
    user = portal_user_factory(customer, permissions=["edit_contacts"], email="gone@example.com")
    contact_id = user.contact.pk
    assert api(dispatcher).delete(f"/api/v1/contacts/{contact_id}/").status_code == 204
    user.refresh_from_db()
    assert not user.is_active
    assert not user.has_usable_password()


def test_portal_users_never_read_the_service_providers_notes_on_their_customer(
    portal_user_factory, admin_user
):
    customer = CustomerFactory(notes="Slow payer; escalate to the account manager.")
    user = portal_user_factory(customer, permissions=["admin"], email="boss@example.com")
    for response in (
        client_for(user).get(f"/api/v1/customers/{customer.pk}/"),
        client_for(user).get("/api/v1/customers/"),
    ):
        assert response.status_code == 200
        assert "notes" not in response.content.decode()
        assert "Slow payer" not in response.content.decode()
    staff = client_for(admin_user).get(f"/api/v1/customers/{customer.pk}/").json()
    assert staff["notes"] == "Slow payer; escalate to the account manager."
