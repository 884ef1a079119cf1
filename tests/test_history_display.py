"""History on the staff pages reads as people write: field labels, the names of the objects referred
to (a deleted one as its id, marked deleted), the labels of choices, Yes and No, dates as the pages
write them, addresses and lists in words; a change of only hidden fields (version, times of saving)
is no entry, while a recorded action (details confirmed) shows its field. One query per model
referred to, however many entries."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase import history
from clientbase.contacts import services
from clientbase.contacts.models import Contact
from clientbase.customers import services as customer_services
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def history_of(response) -> list[str]:
    """The entries of a page's history, each as its text reads (head, then its changes)."""
    html = response.content.decode()
    section = re.search(r'<ol class="history">(.*?)</ol>', html, re.S)
    assert section is not None, "the page shows a history"
    entries = re.split(r'<li>\s*<p class="history__head">', section.group(1))[1:]
    words = [" ".join(unescape(re.sub(r"<[^>]+>", " ", entry)).split()) for entry in entries]
    return [re.sub(r" ([:,])", r"\1", entry) for entry in words]


def changes_of(response) -> list[str]:
    """Every change the page's history shows, as "Label: old → new"."""
    html = response.content.decode()
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", "", change)).split())
        for change in re.findall(r'<li><span class="history__field">(.*?)</li>', html, re.S)
    ]


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_line_manager_reads_by_name_and_a_deleted_one_by_its_id_marked_deleted(staff, admin_user):
    customer = CustomerFactory(name="Northwind Hospitals")
    ann = ContactFactory(customer=customer, first_name="Ann", last_name="Lee")
    bo = ContactFactory(customer=customer, first_name="Bo", last_name="Rook")
    contact = ContactFactory(customer=customer, first_name="Cy", last_name="Moss")
    contact = services.update_contact(contact=contact, acting_user=admin_user, data={"reports_to": ann.pk})
    services.update_contact(contact=contact, acting_user=admin_user, data={"reports_to": bo.pk})
    assert "Reports to: empty → Ann Lee" in changes_of(staff.get(f"/contacts/{contact.pk}/"))
    assert "Reports to: Ann Lee → Bo Rook" in changes_of(staff.get(f"/contacts/{contact.pk}/"))

    gone = bo.pk
    services.delete_contact(contact=bo, acting_user=admin_user)
    changes = changes_of(staff.get(f"/contacts/{contact.pk}/"))
    assert f"Reports to: Ann Lee → #{gone} (deleted)" in changes
    assert f"Reports to: #{gone} (deleted) → empty" in changes  # the deletion let go of it
    assert not any(re.search(rf"→ {gone}$|: {gone} →", change) for change in changes)


def test_choices_read_by_their_labels(staff, admin_user):
    contact = ContactFactory(customer=CustomerFactory(), preferred_channel="email")
    services.update_contact(contact=contact, acting_user=admin_user, data={"preferred_channel": "sms"})
    changes = changes_of(staff.get(f"/contacts/{contact.pk}/"))
    assert "Preferred channel: E-mail → SMS" in changes
    assert "Preferred channel: email → sms" not in changes

    customer = CustomerFactory(status="active")
    customer_services.update_customer(customer=customer, acting_user=admin_user, data={"status": "prospect"})
    assert "Status: Active → Prospect" in changes_of(staff.get(f"/customers/{customer.pk}/"))


def test_yes_no_dates_phones_addresses_and_lists_read_in_words(staff, admin_user):
    contact = ContactFactory(customer=CustomerFactory(), email="cy@northwind.example")
    services.update_contact(
        contact=contact,
        acting_user=admin_user,
        data={
            "roles": ["approver"],
            "notify": {"quotes": True},
            "phone": "+13125550142",
            "address": {"street": "1 Main Street", "city": "Evanston"},
            "portal": {"enabled": True, "permissions": ["admin", "billing"], "support_end": "2030-01-02"},
        },
    )
    changes = changes_of(staff.get(f"/contacts/{contact.pk}/"))
    assert "Approval authority: No → Yes" in changes
    assert "Notify quotes: No → Yes" in changes
    assert "Phone: empty → +1 312-555-0142" in changes
    assert "Address: empty → Street: 1 Main Street; City: Evanston" in changes
    assert "Portal permissions: empty → Admin access, Access billing" in changes
    assert "Support end: empty → 2030-01-02" in changes


def test_a_confirmation_of_details_shows_its_time_and_a_bare_save_no_entry(staff, admin_user):
    contact = ContactFactory(customer=CustomerFactory())
    contact = services.confirm_details(contact=contact, acting_user=admin_user)
    Contact.objects.get(pk=contact.pk).save()  # changes nothing shown: version and time of saving
    entries = history_of(staff.get(f"/contacts/{contact.pk}/"))
    assert len(entries) == 2, entries  # created, details confirmed; no empty "Changed"
    confirmed = f"{contact.details_confirmed_at:%Y-%m-%d %H:%M}"
    assert entries[0].startswith("Changed") and f"Details confirmed at: empty → {confirmed}" in entries[0]
    assert "Details confirmed by" not in entries[0] and "Version" not in entries[0]
    assert entries[1].startswith("Created")
    assert all(entry.startswith("Created") or "→" in entry for entry in entries)


def test_an_e_mail_verification_shows_in_the_history(staff, admin_user):
    contact = ContactFactory(customer=CustomerFactory(), email="cy@northwind.example")
    Contact.history.filter(id=contact.pk).delete()
    contact.email_status = Contact.EmailStatus.BOUNCED
    contact.save()
    contact.email_status = Contact.EmailStatus.VERIFIED
    contact.save()
    assert "Email status: Bounced → Verified" in changes_of(staff.get(f"/contacts/{contact.pk}/"))


def test_a_one_to_one_reference_reads_by_name_too(staff, admin_user):
    """Opening a contact's portal login records the login: shown by its name, not its id."""
    contact = ContactFactory(customer=CustomerFactory(), email="ada@northwind.example")
    services.update_contact(
        contact=contact, acting_user=admin_user, data={"portal": {"enabled": True, "permissions": ["admin"]}}
    )
    contact.refresh_from_db()
    assert contact.user is not None
    html = staff.get(f"/contacts/{contact.pk}/").content.decode()
    assert contact.user.get_username() in html
    assert f"empty → {contact.user.pk}<" not in html


def test_the_names_cost_one_query_per_model_however_many_entries(admin_user):
    customer = CustomerFactory()
    managers = [ContactFactory(customer=customer) for _ in range(6)]
    sites = [LocationFactory(customer=customer) for _ in range(3)]
    contact = ContactFactory(customer=customer)

    def shown(count: int) -> int:
        entries = history.entries(Contact, Contact.history.filter(id=contact.pk), limit=count)
        with CaptureQueriesContext(connection) as queries:
            shown = history.for_display(entries, Contact)
        names = {str(manager) for manager in managers} | {str(site) for site in sites}
        assert {change["new"] for entry in shown for change in entry["changes"]} <= names
        return len(queries)

    for index, manager in enumerate(managers[:2]):
        contact = services.update_contact(
            contact=contact,
            acting_user=admin_user,
            data={"reports_to": manager.pk, "locations": [sites[index % 3]]},
        )
    few = shown(2)
    for index, manager in enumerate(managers[2:]):
        contact = services.update_contact(
            contact=contact,
            acting_user=admin_user,
            data={"reports_to": manager.pk, "locations": [sites[(index + 2) % 3]]},
        )
    assert few == shown(6) == 2  # the contacts named, the locations named


def test_the_api_history_keeps_every_record_and_shows_a_confirmation(api, admin_user):
    contact = ContactFactory(customer=CustomerFactory())
    services.confirm_details(contact=contact, acting_user=admin_user)
    results = api(admin_user).get(f"/api/v1/contacts/{contact.pk}/history/").json()["results"]
    assert [entry["type"] for entry in results] == ["changed", "created"]
    assert [change["field"] for change in results[0]["changes"]] == ["details_confirmed_at"]


def test_a_reference_kept_with_its_name_reads_once_by_that_name_even_once_deleted(admin_user, dispatcher):
    from clientbase.contacts.services import delete_contact
    from clientbase.workorders import services as workorder_services
    from clientbase.workorders.models import WorkOrder
    from tests.workorders.factories import WorkOrderFactory

    customer = CustomerFactory(name="Northwind")
    lisa = ContactFactory(customer=customer, first_name="Lisa", last_name="Martinez")
    work_order = WorkOrderFactory(customer=customer, summary="Leak")
    workorder_services.update_work_order(
        work_order=work_order, acting_user=dispatcher, data={"requested_by": lisa}
    )
    delete_contact(contact=lisa, acting_user=admin_user)

    [changed, _created] = [
        entry
        for entry in history.for_display(
            history.entries(WorkOrder, WorkOrder.history.filter(id=work_order.pk)), WorkOrder
        )
        if entry["changes"] or entry["type"] == "created"
    ][-2:]
    assert [(c["label"], c["old"], c["new"]) for c in changed["changes"]] == [
        ("Requested by", "empty", "Lisa Martinez")
    ]
