"""`clientbase portal_link EMAIL`: the way in to the portal when no mail server is configured."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def link_for(email: str) -> str:
    out = io.StringIO()
    call_command("portal_link", email, stdout=out)
    return out.getvalue().strip()


def test_the_printed_link_sets_the_password_once(admin_contact):
    path = urlparse(link_for(admin_contact.email.upper())).path
    client = Client()
    page = client.get(path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    response = client.post(
        form_url, {"new_password1": "A-long-new-pass-42", "new_password2": "A-long-new-pass-42"}
    )
    assert response.status_code == 302
    admin_contact.user.refresh_from_db()
    assert admin_contact.user.check_password("A-long-new-pass-42")
    # Single-use: the same link no longer offers the form.
    again = Client().get(path, follow=True)
    assert b"new_password1" not in again.content


@pytest.mark.parametrize("case", ["unknown", "no_access", "inactive"])
def test_no_link_for_an_address_without_current_portal_access(case, admin_contact, northwind):
    if case == "unknown":
        email = "nobody@example.com"
    elif case == "no_access":
        email = ContactFactory(customer=northwind[0], email="plain@example.com").email
    else:
        admin_contact.status = "inactive"
        admin_contact.save(update_fields=["status"])
        email = admin_contact.email
    with pytest.raises(CommandError):
        link_for(email)
