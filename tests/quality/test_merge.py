"""Merging duplicate contacts: every reference moves to the kept contact, values chosen field by
field are written, one portal login survives, and an undo restores everything while nothing has
changed since; refusals change nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clientbase.contacts.models import Contact, ContactLocation
from clientbase.notifications.models import Activity, Message
from clientbase.quality.merge import references
from clientbase.quality.models import Merge
from clientbase.workorders.models import Quote, WorkOrder
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.workorders.factories import QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/merge/"


def scene():
    """Robert Smith (kept) and Bob Smith (a duplicate) with something referring to each."""
    customer = CustomerFactory()
    north, south = LocationFactory(customer=customer), LocationFactory(customer=customer)
    robert = ContactFactory(customer=customer, first_name="Robert", last_name="Smith", locations=[north])
    bob = ContactFactory(
        customer=customer,
        first_name="Bob",
        last_name="Smith",
        mobile="+13125550142",
        is_primary=True,
        locations=[north, south],
    )
    report = ContactFactory(customer=customer, first_name="Ann", last_name="Lee", reports_to=bob)
    order = WorkOrderFactory(customer=customer, requested_by=bob, site_contact=bob)
    quote = QuoteFactory(customer=customer, approved_by=bob)
    activity = Activity.objects.create(
        customer=customer, contact=bob, contact_name=bob.full_name, kind=Activity.Kind.NOTE, summary="Called"
    )
    message = Message.objects.create(
        event=Message.Event.values[0],
        message_id="<merge-test@example.com>",
        customer=customer,
        contact=bob,
        to=bob.email,
        subject="Subject",
        context={},
        next_attempt_at=timezone.now(),
    )
    return locals()


def state(s):
    """What a merge changes and an undo must put back."""
    return {
        "contacts": sorted(
            Contact.objects.filter(customer=s["customer"]).values_list(
                "pk", "first_name", "last_name", "mobile", "is_primary", "reports_to_id", "email"
            )
        ),
        "links": sorted(ContactLocation.objects.values_list("contact_id", "location_id")),
        "order": WorkOrder.objects.filter(pk=s["order"].pk)
        .values_list("requested_by_id", "site_contact_id")
        .get(),
        "quote": Quote.objects.filter(pk=s["quote"].pk).values_list("approved_by_id", flat=True).get(),
        "activity": Activity.objects.filter(pk=s["activity"].pk).values_list("contact_id", flat=True).get(),
        "message": Message.objects.filter(pk=s["message"].pk).values_list("contact_id", flat=True).get(),
    }


def test_every_foreign_key_to_a_contact_is_moved():
    """The references a merge moves are read from the models: a new foreign key to a contact is
    moved without anyone listing it."""
    moved = {(model._meta.label, name) for model, name in references()}
    assert moved == {
        ("contacts.Contact", "reports_to"),
        ("workorders.WorkOrder", "requested_by"),
        ("workorders.WorkOrder", "site_contact"),
        ("workorders.Quote", "approved_by"),
        ("workorders.Quote", "contact"),
        ("notifications.Message", "contact"),
        ("notifications.Activity", "contact"),
    }


def test_merge_moves_every_reference_and_undo_restores_them(api, dispatcher):
    s = scene()
    before = state(s)
    robert, bob = s["robert"], s["bob"]
    response = api(dispatcher).post(
        URL, {"into": robert.pk, "others": [bob.pk], "values": {"mobile": "(312) 555-0142"}}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["into"] == robert.pk and body["others"] == [bob.pk]
    assert not Contact.objects.filter(pk=bob.pk).exists()
    robert.refresh_from_db()
    assert robert.mobile == "+13125550142" and robert.is_primary  # the primary merged away
    assert set(robert.locations.values_list("pk", flat=True)) == {s["north"].pk, s["south"].pk}
    after = state(s)
    assert after["order"] == (robert.pk, robert.pk)
    assert after["quote"] == after["activity"] == after["message"] == robert.pk
    assert Contact.objects.get(pk=s["report"].pk).reports_to_id == robert.pk
    # History keeps both: the merged-away contact's deletion, the kept one's change.
    assert Contact.history.filter(id=bob.pk, history_type="-").exists()
    assert Contact.history.filter(id=robert.pk, history_type="~").exists()

    undone = api(dispatcher).post(f"/api/v1/merges/{body['id']}/undo/")
    assert undone.status_code == 200, undone.content
    assert undone.json()["undone_at"]
    assert state(s) == before
    assert Contact.history.filter(id=bob.pk, history_type="+").count() == 2  # created, restored
    again = api(dispatcher).post(f"/api/v1/merges/{body['id']}/undo/")
    assert again.status_code == 409 and "undone" in again.json()["detail"]


def test_undo_refuses_when_the_kept_contact_changed_since(api, dispatcher):
    s = scene()
    merge = api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").json()
    api(dispatcher).patch(f"/api/v1/contacts/{s['robert'].pk}/", {"title": "Changed later"}, format="json")
    changed = state(s)
    response = api(dispatcher).post(f"/api/v1/merges/{merge['id']}/undo/")
    assert response.status_code == 409 and "changed after the merge" in response.json()["detail"]
    assert state(s) == changed


def test_undo_refuses_when_a_moved_reference_changed_since(api, dispatcher):
    s = scene()
    merge = api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").json()
    WorkOrder.objects.filter(pk=s["order"].pk).update(requested_by=s["report"])
    response = api(dispatcher).post(f"/api/v1/merges/{merge['id']}/undo/")
    assert response.status_code == 409 and "work order" in response.json()["detail"]
    assert Merge.objects.get(pk=merge["id"]).undone_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"others": [1]}, "into"),
        ({"into": 1, "others": []}, "others"),
        ({"into": 1, "others": "2"}, "others"),
        ({"into": 1, "others": [2], "colour": "red"}, "colour"),
    ],
)
def test_bad_requests_are_refused(api, dispatcher, body, field):
    response = api(dispatcher).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_refusals_change_nothing(api, dispatcher, other_customer, technician):
    s = scene()
    before = state(s)
    stranger = ContactFactory(customer=other_customer)
    client = api(dispatcher)
    cases = [
        ({"into": s["robert"].pk, "others": [s["robert"].pk]}, 400),
        ({"into": s["robert"].pk, "others": [s["bob"].pk, s["bob"].pk]}, 400),
        ({"into": s["robert"].pk, "others": [stranger.pk]}, 400),
        ({"into": s["robert"].pk, "others": [10**9]}, 404),
        ({"into": s["robert"].pk, "others": [s["bob"].pk], "values": {"email": "not an address"}}, 400),
        ({"into": s["robert"].pk, "others": [s["bob"].pk], "values": {"colour": "red"}}, 400),
    ]
    for body, expected in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == expected, (body, response.content)
    assert (
        api(technician)
        .post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json")
        .status_code
        == 403
    )
    assert (
        api(None).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").status_code
        == 401
    )
    assert state(s) == before
    assert not Merge.objects.exists()


def test_another_customers_portal_user_cannot_merge_or_see_a_merge(
    api, dispatcher, portal_user_factory, other_customer
):
    s = scene()
    portal = portal_user_factory(other_customer, ("edit_contacts",))
    response = api(portal).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json")
    assert response.status_code == 404
    merge = api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").json()
    assert api(portal).get(f"/api/v1/merges/{merge['id']}/").status_code == 404
    assert api(portal).post(f"/api/v1/merges/{merge['id']}/undo/").status_code == 404
    assert api(dispatcher).get(f"/api/v1/merges/{merge['id']}/").status_code == 200


def test_one_portal_login_survives_the_one_picked(api, dispatcher, portal_user_factory):
    s = scene()
    customer = s["customer"]
    login = portal_user_factory(customer, ("admin",))
    holder = Contact.objects.get(user=login)
    client = api(dispatcher)
    # Two logins and no choice: refused.
    other_login = portal_user_factory(CustomerFactory(), ("admin",))
    Contact.objects.filter(user=other_login).update(user=None)
    Contact.objects.filter(pk=s["robert"].pk).update(
        user=other_login, portal_enabled=True, portal_permissions=["admin"]
    )
    refused = client.post(URL, {"into": s["robert"].pk, "others": [holder.pk]}, format="json")
    assert refused.status_code == 400 and "keep_login" in refused.json()
    # The holder's login is picked: it moves to the kept contact, whose own login closes.
    response = client.post(
        URL, {"into": s["robert"].pk, "others": [holder.pk], "keep_login": holder.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    kept = Contact.objects.get(pk=s["robert"].pk)
    assert kept.user_id == login.pk and kept.portal_enabled and kept.portal_permissions == ["admin"]
    other_login.refresh_from_db()
    assert not other_login.is_active


# What attackers and new users found ------------------------------------------------------------


def test_a_merge_moves_a_login_only_for_those_who_manage_portal_access(api, portal_user_factory):
    """Moving a merged-away contact's login to the kept contact is a change of the kept contact's
    portal access: a portal user without the admin capability may not; nobody merges their own
    contact; merging away an approver needs the right to give approval authority."""
    customer = CustomerFactory()
    editor = portal_user_factory(customer, ("edit_contacts",))
    admin = portal_user_factory(customer, ("admin", "edit_contacts"))
    editor_contact = Contact.objects.get(user=editor)
    admin_contact = Contact.objects.get(user=admin)
    plain = ContactFactory(customer=customer, first_name="Plain", last_name="Person")
    approver = ContactFactory(customer=customer, role_approver=True, approval_limit="50000")
    before = sorted(Contact.objects.values_list("pk", "user_id", "portal_enabled"))
    # A non-admin moves the admin's login onto a contact it made.
    refused = api(editor).post(URL, {"into": plain.pk, "others": [admin_contact.pk]}, format="json")
    assert refused.status_code == 403
    # Its own contact, as kept or as merged away.
    assert (
        api(editor).post(URL, {"into": editor_contact.pk, "others": [plain.pk]}, format="json").status_code
        == 403
    )
    assert (
        api(admin).post(URL, {"into": plain.pk, "others": [admin_contact.pk]}, format="json").status_code
        == 403
    )
    # A login moved onto an approver: only for those who may change an approver's login.
    assert (
        api(admin).post(URL, {"into": approver.pk, "others": [editor_contact.pk]}, format="json").status_code
        == 403
    )
    # An approver merged away.
    assert api(admin).post(URL, {"into": plain.pk, "others": [approver.pk]}, format="json").status_code == 403
    assert sorted(Contact.objects.values_list("pk", "user_id", "portal_enabled")) == before
    assert not Merge.objects.exists()


def test_undo_needs_the_rights_of_what_it_writes_back(api, admin_user, dispatcher, portal_user_factory):
    """An undo that gives back approval authority is a change of approval authority: a dispatcher
    may not, nor may a portal user."""
    s = scene()
    Contact.objects.filter(pk=s["robert"].pk).update(role_approver=True, approval_limit=10000)
    merge = (
        api(admin_user)
        .post(
            URL,
            {
                "into": s["robert"].pk,
                "others": [s["bob"].pk],
                "values": {"roles": ["site"], "approval_limit": None},
            },
            format="json",
        )
        .json()
    )
    assert not Contact.objects.get(pk=s["robert"].pk).role_approver
    portal = portal_user_factory(s["customer"], ("admin", "edit_contacts"))
    for user in (dispatcher, portal):
        assert api(user).post(f"/api/v1/merges/{merge['id']}/undo/").status_code == 403
    assert not Contact.objects.get(pk=s["robert"].pk).role_approver
    assert api(admin_user).post(f"/api/v1/merges/{merge['id']}/undo/").status_code == 200
    assert Contact.objects.get(pk=s["robert"].pk).role_approver


def test_values_that_change_other_contacts_are_refused(api, dispatcher):
    s = scene()
    before = state(s)
    for values in ({"is_primary": True}, {"portal": {"enabled": True}}):
        response = api(dispatcher).post(
            URL, {"into": s["robert"].pk, "others": [s["bob"].pk], "values": values}, format="json"
        )
        assert response.status_code == 400 and "values" in response.json()
    assert state(s) == before


def test_moved_references_get_a_new_version_and_a_history_record(api, dispatcher):
    s = scene()
    order = WorkOrder.objects.get(pk=s["order"].pk)
    api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json")
    moved = WorkOrder.objects.get(pk=order.pk)
    assert moved.version > order.version  # one step for each of its two references to the contact
    assert moved.history.first().requested_by_id == s["robert"].pk
    assert moved.history.first().history_user_id == dispatcher.pk


def test_a_merge_is_not_shown_once_its_contact_moved_to_another_customer(
    api, admin_user, portal_user_factory
):
    s = scene()
    merge = api(admin_user).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").json()
    other = CustomerFactory()
    moved = api(admin_user).post(
        f"/api/v1/contacts/{s['robert'].pk}/move/", {"customer": other.pk}, format="json"
    )
    assert moved.status_code == 200, moved.content
    portal = portal_user_factory(other, ("admin", "edit_contacts"))
    assert api(portal).get(f"/api/v1/merges/{merge['id']}/").status_code == 404
    assert api(admin_user).get(f"/api/v1/merges/{merge['id']}/").status_code == 404


def test_undoing_the_later_merge_leaves_the_earlier_one_undoable(api, dispatcher):
    s = scene()
    third = ContactFactory(customer=s["customer"], first_name="Rob", last_name="Smith")
    first = api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").json()
    second = api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [third.pk]}, format="json").json()
    assert api(dispatcher).post(f"/api/v1/merges/{second['id']}/undo/").status_code == 200
    assert api(dispatcher).post(f"/api/v1/merges/{first['id']}/undo/").status_code == 200
    assert Contact.objects.filter(pk__in=[s["bob"].pk, third.pk]).count() == 2


def test_the_kept_contact_takes_over_roles_and_opt_ins_unless_chosen_otherwise(api, dispatcher):
    customer = CustomerFactory()
    kept = ContactFactory(customer=customer, first_name="Robert", last_name="Smith", role_site=True)
    manager = ContactFactory(customer=customer, first_name="Mia", last_name="Boss")
    other = ContactFactory(
        customer=customer,
        first_name="Bob",
        last_name="Smith",
        role_billing=True,
        notify_invoices=True,
        reports_to=manager,
    )
    assert (
        api(dispatcher).post(URL, {"into": kept.pk, "others": [other.pk]}, format="json").status_code == 201
    )
    kept.refresh_from_db()
    assert kept.roles == ["site", "billing"] and kept.notify_invoices and kept.reports_to_id == manager.pk
    chosen = ContactFactory(customer=customer, first_name="Rob", last_name="Smith", role_emergency=True)
    response = api(dispatcher).post(
        URL, {"into": kept.pk, "others": [chosen.pk], "values": {"roles": ["site"]}}, format="json"
    )
    assert response.status_code == 201
    kept.refresh_from_db()
    assert kept.roles == ["site"]


def test_the_contact_page_links_the_merges_into_it(api, client, dispatcher):
    s = scene()
    merge = api(dispatcher).post(URL, {"into": s["robert"].pk, "others": [s["bob"].pk]}, format="json").json()
    client.force_login(dispatcher)
    page = client.get(f"/contacts/{s['robert'].pk}/").content.decode()
    assert "Merged into this contact" in page and f"/merges/{merge['id']}/" in page
