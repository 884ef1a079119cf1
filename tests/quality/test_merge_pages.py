"""The staff pages of merging duplicate contacts: `/contacts/merge/?contacts=…` (choose field by
field, preview, confirm), `/merges/<id>/` (the record, its undo). They apply the API's rules (the
values checked by ContactSerializer, the service's refusals) and show every refusal on the page,
with nothing written."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.models import Contact, ContactLocation
from clientbase.quality.models import Merge
from clientbase.workorders.models import Quote, WorkOrder
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.workorders.factories import QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

URL = "/contacts/merge/"
FIELDS = (
    "salutation",
    "first_name",
    "last_name",
    "title",
    "department",
    "email",
    "phone",
    "mobile",
    "secondary_phone",
    "preferred_channel",
    "notes",
    "external_id",
)


def scene():
    """Robert Smith (kept) and Bob Smith (a duplicate with a mobile number and a title), with
    things pointing at Bob."""
    customer = CustomerFactory(name="Northwind Hospitals")
    north, south = LocationFactory(customer=customer), LocationFactory(customer=customer)
    robert = ContactFactory(
        customer=customer,
        first_name="Robert",
        last_name="Smith",
        email="robert.smith@northwind.example",
        locations=[north],
    )
    bob = ContactFactory(
        customer=customer,
        first_name="Bob",
        last_name="Smith",
        email="bob@northwind.example",
        mobile="+13125550142",
        title="Facilities manager",
        locations=[north, south],
    )
    order = WorkOrderFactory(customer=customer, requested_by=bob, site_contact=robert)
    quote = QuoteFactory(customer=customer, approved_by=bob)
    return locals()


def state(s):
    """What a merge changes and an undo puts back."""
    return {
        "contacts": sorted(
            Contact.objects.filter(customer=s["customer"]).values_list(
                "pk", "first_name", "last_name", "title", "mobile", "email", "is_primary", "user_id"
            )
        ),
        "links": sorted(ContactLocation.objects.values_list("contact_id", "location_id")),
        "order": WorkOrder.objects.filter(pk=s["order"].pk)
        .values_list("requested_by_id", "site_contact_id")
        .get(),
        "quote": Quote.objects.filter(pk=s["quote"].pk).values_list("approved_by_id", flat=True).get(),
        "merges": Merge.objects.count(),
    }


def ids(*contacts):
    return ",".join(str(contact.pk) for contact in contacts)


def checked(page: str, name: str) -> list[str]:
    """The values of the checked radio buttons called `name`."""
    return re.findall(rf'<input type="radio" name="{name}" value="(\d+)" checked', page)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, name
    return found.group(1)


def choices(s, *, keep=None, action="confirm", **chosen):
    """A posted form: every field from the kept contact unless `chosen` names another."""
    keep = keep or s["robert"]
    page = {"contacts": ids(s["robert"], s["bob"]), "keep": keep.pk, "action": action}
    page.update(dict.fromkeys(FIELDS, keep.pk))
    page.update({name: contact.pk for name, contact in chosen.items()})
    return page


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_choose_page_lists_values_and_defaults(client, dispatcher):
    s = scene()
    robert, bob = s["robert"], s["bob"]
    response = signed_in(client, dispatcher).get(URL, {"contacts": ids(robert, bob)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Merge contacts</h1>" in page
    # Values as people read them, one radio button each, empty shown as such.
    assert (
        "+1 312-555-0142" in page
        and "Facilities manager" in page
        and "robert.smith@northwind.example" in page
    )
    assert 'Mobile of Robert Smith: </span><span class="muted">empty</span>' in page
    assert "Preferred channel of Bob Smith: </span>E-mail" in page
    for name in FIELDS:
        assert len(re.findall(rf'type="radio" name="{name}"', page)) == 2, name
    # Defaults: the first contact kept; its values where it has them, else the other's.
    assert checked(page, "keep") == [str(robert.pk)]
    assert checked(page, "first_name") == [str(robert.pk)]
    assert checked(page, "email") == [str(robert.pk)]
    assert checked(page, "mobile") == [str(bob.pk)]
    assert checked(page, "title") == [str(bob.pk)]
    assert 'name="keep_login"' not in page  # no login to choose between
    # What points at each contact, counted.
    assert "1 work order (requested by)" in page and "1 quote (approved by)" in page
    assert "2 location links" in page and "1 work order (site contact)" in page
    assert "The contacts not kept are then deleted; their history is kept" in page
    assert 'value="preview"' in page
    # The other one kept first: its values are the defaults.
    page = client.get(URL, {"contacts": ids(bob, robert)}).content.decode()
    assert checked(page, "keep") == [str(bob.pk)] and checked(page, "first_name") == [str(bob.pk)]


def test_what_moves_is_counted_in_as_many_queries_however_many_rows_point(client, dispatcher):
    s = scene()
    signed_in(client, dispatcher)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"contacts": ids(s["robert"], s["bob"])})
    for _ in range(3):
        WorkOrderFactory(customer=s["customer"], requested_by=s["bob"])
    with CaptureQueriesContext(connection) as more:
        page = client.get(URL, {"contacts": ids(s["robert"], s["bob"])}).content.decode()
    assert "4 work orders (requested by)" in page
    assert len(more.captured_queries) == len(few.captured_queries)


def test_preview_shows_the_chosen_values_and_writes_nothing(client, dispatcher):
    s = scene()
    robert, bob = s["robert"], s["bob"]
    before = state(s)
    signed_in(client, dispatcher)
    seen = hidden(client.get(URL, {"contacts": ids(robert, bob)}).content.decode(), "seen")
    response = client.post(URL, {**choices(s, mobile=bob, action="preview"), "seen": seen})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Merge Bob Smith into Robert Smith?" in page
    assert "+1 312-555-0142" in page and "from Bob Smith" in page
    assert "Facilities manager" not in page  # the title left as Robert's (empty)
    assert "1 work order (requested by)" in page
    assert "Also taken over" not in page  # the same roles and opt-ins
    assert 'value="confirm"' in page and 'value="back"' in page
    assert hidden(page, "mobile") == str(bob.pk) and hidden(page, "keep") == str(robert.pk)
    assert state(s) == before
    # Back: the choices again, as made.
    back = client.post(URL, {**choices(s, mobile=bob, action="back"), "seen": seen}).content.decode()
    assert checked(back, "mobile") == [str(bob.pk)] and checked(back, "title") == [str(robert.pk)]
    assert state(s) == before


def test_confirm_merges_with_the_chosen_values_and_shows_the_merge(client, dispatcher):
    s = scene()
    robert, bob = s["robert"], s["bob"]
    signed_in(client, dispatcher)
    response = client.post(URL, choices(s, mobile=bob, title=bob))
    merge = Merge.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/merges/{merge.pk}/"
    assert not Contact.objects.filter(pk=bob.pk).exists()
    robert.refresh_from_db()
    assert (robert.mobile, robert.title, robert.email) == (
        "+13125550142",
        "Facilities manager",
        "robert.smith@northwind.example",
    )
    assert WorkOrder.objects.get(pk=s["order"].pk).requested_by_id == robert.pk
    page = client.get(response["Location"]).content.decode()
    assert "Merged Bob Smith into Robert Smith." in page


def test_an_e_mail_address_of_the_merged_away_contact_can_be_kept(client, dispatcher):
    """The other contact is deleted before the values are written: its address is free by then."""
    s = scene()
    response = signed_in(client, dispatcher).post(URL, choices(s, email=s["bob"]))
    assert response.status_code == 302
    assert Contact.objects.get(pk=s["robert"].pk).email == "bob@northwind.example"


def test_values_the_api_refuses_are_refused_next_to_their_field(client, dispatcher):
    s = scene()
    with connection.cursor() as cursor:  # stored by hand: the model would not store it
        cursor.execute(
            "UPDATE contacts_contact SET email = %s WHERE id = %s", ["not an address", s["bob"].pk]
        )
    before = state(s)
    signed_in(client, dispatcher)
    for action in ("preview", "confirm"):
        response = client.post(URL, choices(s, email=s["bob"], action=action))
        assert response.status_code == 200
        page = response.content.decode()
        assert 'id="merge-error-email"' in page and "please correct the values marked below" in page
        assert checked(page, "email") == [str(s["bob"].pk)]  # the choice kept
    assert state(s) == before


def test_a_contact_changed_since_the_page_showed_it_is_not_merged(client, dispatcher):
    s = scene()
    signed_in(client, dispatcher)
    seen = hidden(client.get(URL, {"contacts": ids(s["robert"], s["bob"])}).content.decode(), "seen")
    bob = Contact.objects.get(pk=s["bob"].pk)
    bob.mobile = "+13125550199"
    bob.save()
    before = state(s)
    response = client.post(URL, {**choices(s, mobile=s["bob"]), "seen": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Bob Smith was changed by someone else since this page showed them" in page
    assert "+1 312-555-0199" in page and hidden(page, "seen") != seen
    assert state(s) == before
    # With what the page shows now, it merges.
    response = client.post(URL, {**choices(s, mobile=s["bob"]), "seen": hidden(page, "seen")})
    assert response.status_code == 302
    assert Contact.objects.get(pk=s["robert"].pk).mobile == "+13125550199"


def test_a_contact_the_user_may_not_see_is_a_404(client, dispatcher):
    s = scene()
    gone = ContactFactory(customer=s["customer"])
    gone_pk = gone.pk
    gone.delete()
    signed_in(client, dispatcher)
    assert client.get(URL, {"contacts": f"{s['robert'].pk},{gone_pk}"}).status_code == 404
    before = state(s)
    response = client.post(URL, {**choices(s), "contacts": f"{s['robert'].pk},{gone_pk}"})
    assert response.status_code == 404
    assert state(s) == before
    assert client.get("/merges/999999/").status_code == 404
    assert client.post("/merges/999999/undo/").status_code == 404


def test_a_technician_may_compare_but_not_merge(client, technician):
    s = scene()
    before = state(s)
    signed_in(client, technician)
    page = client.get(URL, {"contacts": ids(s["robert"], s["bob"])}).content.decode()
    assert "You may compare these contacts, but not merge them" in page
    assert 'value="preview"' not in page
    response = client.post(URL, choices(s, mobile=s["bob"]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You may not do this" in page
    assert 'type="radio"' not in page  # refused before anything is read
    assert state(s) == before


def test_contacts_of_two_customers_are_refused_with_a_message(client, dispatcher, other_customer):
    s = scene()
    stranger = ContactFactory(customer=other_customer, first_name="Rob", last_name="Smith")
    before = state(s)
    signed_in(client, dispatcher)
    response = client.get(URL, {"contacts": ids(s["robert"], stranger)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only contacts of one customer can be merged" in page
    assert "Robert Smith (Northwind Hospitals)" in page and "Rob Smith (Contoso Offices)" in page
    assert 'type="radio"' not in page
    posted = client.post(URL, {**choices(s), "contacts": ids(s["robert"], stranger)})
    assert posted.status_code == 400 and "Only contacts of one customer" in posted.content.decode()
    assert state(s) == before
    assert Contact.objects.filter(pk=stranger.pk).exists()


@pytest.mark.parametrize(
    ("contacts", "message"),
    [
        ("", "Name 2 to 5 contacts to merge"),
        ("12,abc", "“abc” is not a contact id."),
        ("12", "A merge takes 2 to 5 contacts; 1 was named."),
        ("1,2,3,4,5,6", "A merge takes 2 to 5 contacts; 6 were named."),
        ("12,12", "Contact 12 is named twice"),
        ("-1,2", "“-1” is not a contact id."),
    ],
)
def test_bad_ids_are_a_message_on_the_page(client, dispatcher, contacts, message):
    response = signed_in(client, dispatcher).get(URL, {"contacts": contacts})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_merge_page_shows_the_record_and_the_undo_button(client, dispatcher):
    s = scene()
    signed_in(client, dispatcher)
    location = client.post(URL, choices(s, mobile=s["bob"]))["Location"]
    page = client.get(location).content.decode()
    assert "Merge of Bob Smith into Robert Smith" in page
    assert f'href="/contacts/{s["robert"].pk}/">Robert Smith</a>' in page
    assert 'Bob Smith <span class="muted">(deleted, with their history kept)</span>' in page
    assert "1 work order (requested by)" in page and "1 quote (approved by)" in page
    assert "1 location link" in page  # South; North was Robert's already
    assert "dispatcher" in page and "<dt>Undone</dt><dd>No</dd>" in page.replace("\n    ", "")
    assert "Undo merge" in page and f'action="/merges/{Merge.objects.get().pk}/undo/"' in page


def test_undo_restores_and_a_second_undo_shows_the_refusal(client, dispatcher):
    s = scene()
    before = state(s)
    signed_in(client, dispatcher)
    location = client.post(URL, choices(s, mobile=s["bob"], title=s["bob"]))["Location"]
    merge = Merge.objects.get()
    response = client.post(f"/merges/{merge.pk}/undo/", follow=True)
    assert response.redirect_chain == [(location, 302)]
    page = response.content.decode()
    assert "Merge undone." in page
    assert Contact.objects.filter(pk=s["bob"].pk).exists()
    assert state(s) == {**before, "merges": 1}
    assert "Undo merge" not in page and f'href="/contacts/{s["bob"].pk}/">Bob Smith</a>' in page
    again = client.post(f"/merges/{merge.pk}/undo/", follow=True)
    assert again.redirect_chain == [(location, 302)]
    assert "This merge was undone on" in again.content.decode()
    assert state(s) == {**before, "merges": 1}


def test_undo_refused_when_the_kept_contact_changed_since(client, dispatcher):
    s = scene()
    signed_in(client, dispatcher)
    location = client.post(URL, choices(s))["Location"]
    robert = Contact.objects.get(pk=s["robert"].pk)
    robert.title = "Changed later"
    robert.save()
    response = client.post(f"{location}undo/", follow=True)
    assert "Robert Smith was changed after the merge" in response.content.decode()
    assert not Contact.objects.filter(pk=s["bob"].pk).exists()


def test_whose_portal_login_survives_is_chosen(client, dispatcher, portal_user_factory):
    s = scene()
    robert_login = portal_user_factory(s["customer"], ("admin",), first_name="Rob", last_name="Smyth")
    Contact.objects.filter(user=robert_login).update(user=None, portal_enabled=False)
    Contact.objects.filter(pk=s["robert"].pk).update(user=robert_login, portal_enabled=True)
    bob_login = portal_user_factory(CustomerFactory(), ("admin",))
    Contact.objects.filter(user=bob_login).update(user=None, portal_enabled=False)
    Contact.objects.filter(pk=s["bob"].pk).update(
        user=bob_login, portal_enabled=True, portal_permissions=["admin"]
    )
    signed_in(client, dispatcher)
    page = client.get(URL, {"contacts": ids(s["robert"], s["bob"])}).content.decode()
    assert checked(page, "keep_login") == [str(s["robert"].pk)]
    assert "the portal login of Bob Smith:</span> " + bob_login.username in page
    response = client.post(URL, {**choices(s), "keep_login": s["bob"].pk})
    assert response.status_code == 302
    assert Contact.objects.get(pk=s["robert"].pk).user_id == bob_login.pk


def test_another_customers_portal_user_gets_403(client, dispatcher, portal_user_factory, other_customer):
    s = scene()
    signed_in(client, dispatcher)
    location = client.post(URL, choices(s))["Location"]
    merge = Merge.objects.get()
    before = state(s)
    portal = signed_in(client, portal_user_factory(other_customer, ("admin",)))
    assert portal.get(URL, {"contacts": ids(s["robert"], s["bob"])}).status_code == 403
    assert portal.post(URL, choices(s)).status_code == 403
    assert portal.get(location).status_code == 403
    assert portal.post(f"{location}undo/").status_code == 403
    assert state(s) == before
    assert Merge.objects.get().undone_at is None and merge.pk


def test_the_customer_page_links_each_likely_duplicate_pair_to_its_merge(client, dispatcher, technician):
    s = scene()
    link = f'href="/contacts/merge/?contacts={s["robert"].pk},{s["bob"].pk}"'
    page = signed_in(client, dispatcher).get(f"/customers/{s['customer'].pk}/").content.decode()
    assert "Likely duplicate contacts" in page and link in page and "Merge…" in page
    page = signed_in(client, technician).get(f"/customers/{s['customer'].pk}/").content.decode()
    assert "Likely duplicate contacts" in page and link not in page


def test_preview_names_the_roles_and_opt_ins_the_kept_contact_takes_over(client, dispatcher):
    s = scene()
    robert, bob = s["robert"], s["bob"]
    Contact.objects.filter(pk=bob.pk).update(role_billing=True, notify_invoices=True)
    signed_in(client, dispatcher)
    seen = hidden(client.get(URL, {"contacts": ids(robert, bob)}).content.decode(), "seen")
    page = client.post(URL, {**choices(s, action="preview"), "seen": seen}).content.decode()
    assert "Also taken over" in page and "roles: Billing" in page and "notified of: invoices" in page
