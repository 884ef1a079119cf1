"""What one change costs the database: a PATCH of one contact field (request to answer), and what the
services skip when a field no rule reads changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.models import Contact
from clientbase.contacts.services import update_contact
from tests.factories import ContactFactory, LocationFactory

pytestmark = pytest.mark.django_db

# The whole PATCH: read the object, lock it, one UPDATE, its history record (and its location links'
# copy), the answer as the caller sees it, and the savepoint pair the test's transaction adds.
PATCH_BUDGET = 10


@pytest.mark.parametrize("locations", [0, 3], ids=["no-locations", "three-locations"])
def test_a_patch_of_one_field_keeps_to_its_budget(api, dispatcher, django_assert_max_num_queries, locations):
    contact = ContactFactory(title="Technician")
    if locations:
        contact.locations.set(LocationFactory.create_batch(locations, customer=contact.customer))
    records = contact.history.count()
    client = api(dispatcher)
    etag = client.get(f"/api/v1/contacts/{contact.pk}/")["ETag"]
    with django_assert_max_num_queries(PATCH_BUDGET):
        response = client.patch(
            f"/api/v1/contacts/{contact.pk}/", {"title": "Lead"}, format="json", HTTP_IF_MATCH=etag
        )
    assert response.status_code == 200, response.content
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.title == "Lead"
    assert stored.history.count() == records + 1


def test_a_field_no_constraint_reads_is_saved_without_checking_any(dispatcher):
    """full_clean() would run one SELECT (and a savepoint pair) per check constraint; a change of
    the title checks none, and reads neither the customer nor the stored links."""
    contact = ContactFactory(title="Technician")
    with CaptureQueriesContext(connection) as queries:
        update_contact(contact=contact, acting_user=dispatcher, data={"title": "Lead"})
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if '"_check"' in q]
    assert not [
        q for q in sql if q.startswith(('SELECT "customers_customer"', 'SELECT "customers_location"'))
    ]


def test_a_changed_field_is_still_checked_by_the_constraints_that_read_it(dispatcher):
    contact = ContactFactory(role_approver=True, approval_limit=100)
    with pytest.raises(Exception) as refused:
        update_contact(contact=contact, acting_user=dispatcher, data={"last_name": "   "})
    assert "last_name" in refused.value.errors  # type: ignore[attr-defined]
    contact.refresh_from_db()
    assert contact.last_name != "" and contact.version == 1


def test_a_one_field_constraint_answers_under_its_field_in_the_models_words(api, accounts_clerk):
    """The rule is stated once, in Meta.constraints: its check before saving answers the 400 under
    the one field it reads, with the constraint's own message."""
    contact = ContactFactory(role_approver=True, approval_limit=100)
    response = api(accounts_clerk).patch(
        f"/api/v1/contacts/{contact.pk}/", {"approval_limit": "-1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["approval_limit"] == ["The approval limit may not be negative."]
    contact.refresh_from_db()
    assert (contact.approval_limit, contact.version) == (100, 1)
