"""The contacts list offers exports of exactly what it lists."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_contact_list_links_to_exports_with_its_filters(dispatcher):
    customer = CustomerFactory()
    ContactFactory(customer=customer, last_name="Johnson")
    client = Client()
    client.force_login(dispatcher)
    page = client.get("/contacts/", {"customer": customer.pk, "role": "site"}).content.decode()
    for fmt in ("csv", "xlsx", "vcf"):
        assert f"customer={customer.pk}&amp;role=site&amp;format={fmt}" in page
    csv = client.get(f"/exports/contacts/?customer={customer.pk}&format=csv")
    assert csv.status_code == 200
    assert b"Johnson" in b"".join(csv.streaming_content) if csv.streaming else b"Johnson" in csv.content
