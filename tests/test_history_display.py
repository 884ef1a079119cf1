"""History on the staff pages shows a reference (line manager, customer) by its name, not its id."""

from __future__ import annotations

import pytest

from clientbase.contacts import services
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_changed_line_manager_reads_by_name_and_a_deleted_one_by_id(client, admin_user):
    customer = CustomerFactory(name="Northwind Hospitals")
    first = ContactFactory(customer=customer, first_name="Ada", last_name="Quill")
    second = ContactFactory(customer=customer, first_name="Bo", last_name="Rook")
    contact = ContactFactory(customer=customer, first_name="Cy", last_name="Moss")
    contact = services.update_contact(contact=contact, acting_user=admin_user, data={"reports_to": first.pk})
    services.update_contact(contact=contact, acting_user=admin_user, data={"reports_to": second.pk})
    gone = second.pk
    client.force_login(admin_user)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Ada Quill" in html and "Bo Rook" in html
    contact.refresh_from_db()
    services.update_contact(contact=contact, acting_user=admin_user, data={"reports_to": None})
    services.delete_contact(contact=second, acting_user=admin_user)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f"#{gone}" in html and "Ada Quill" in html


def test_a_one_to_one_reference_reads_by_name_too(client, admin_user):
    """Opening a contact's portal login records the login: shown by its name, not its id."""
    contact = ContactFactory(customer=CustomerFactory(), email="ada@northwind.example")
    services.update_contact(
        contact=contact, acting_user=admin_user, data={"portal": {"enabled": True, "permissions": ["admin"]}}
    )
    contact.refresh_from_db()
    assert contact.user is not None
    client.force_login(admin_user)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert contact.user.get_username() in html
    assert f"empty → {contact.user.pk}<" not in html
