"""Pages answer nonsense in their query strings (numbers no database holds, negative pages) without
a server error."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/contacts/?customer=1e308",
        "/contacts/?location=99999999999999999999999&page=99999999999999999999",
        "/customers/?status=x&page=-5",
        "/work-orders/?customer=-1e300",
        "/quotes/?customer=1e400",
        "/invoices/?work_order=1e40",
        "/outbox/?contact=1e40",
        "/locations/?customer=1e40",
        "/imports/?page=1e40",
        "/customers/99999999999999999999999/",
        "/work-orders/new/?customer=1e40",
        "/contacts/new/?customer=99999999999999999999999",
        "/quotes/new/?customer=1e40",
    ],
)
def test_strange_query_input_never_makes_a_server_error(client, admin_user, url):
    client.force_login(admin_user)
    assert client.get(url).status_code < 500


def test_a_bad_value_in_a_page_address_is_a_400_not_a_conflict(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/exports/contacts/?customer=99999999999999999999999&format=csv")
    assert response.status_code == 400
    assert b"Nothing was changed" in response.content
