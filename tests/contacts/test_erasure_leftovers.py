"""What an erasure leaves nowhere: the person's mentions in free text (the audit log's details,
work orders and their history, mails to colleagues, activities), and what the personal-data answer
gives out of message bodies (only to those who may read them)."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import Client

from clientbase import groups
from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts import privacy
from clientbase.errors import Stale
from clientbase.notifications.models import Activity, Message
from clientbase.transfer.exporters import contacts_for_export
from clientbase.transfer.models import ImportRun
from clientbase.transfer.services import import_file
from clientbase.workorders import services as workorders
from clientbase.workorders.models import WorkOrder
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

FIRST, LAST, OLD_LAST = "Danielle", "Ruiz", "Okafor"
EMAIL, OLD_EMAIL = "danielle.ruiz@northwind.example", "d.okafor@northwind.example"
PHONE = "+13125550142"
# Every way the person is named below, lower-case (the phone as its digits).
NAMING = (FIRST.lower(), LAST.lower(), OLD_LAST.lower(), EMAIL, OLD_EMAIL)
PHONE_DIGITS = "3125550142"
# What names somebody else: kept by every erasure.
OTHERS = ("Daniel", "Ruizton plant", "payables@example.com", "312 555 0143", "913125550142")
SUMMARY = f"{FIRST} {LAST} reports a leaking tap"
DESCRIPTION = f"Call {FIRST} on (312) 555-0142 or write to {EMAIL}; ask {LAST}'s team for the key."


# Her phone number however written, not within a longer number.
PHONE_WRITTEN = re.compile(r"(?<!\d)(?:\+?1)?[- ()./]*312[- ()./]*555[- ()./]*0142(?!\d)")


def naming(text: str) -> list[str]:
    """The ways of naming the person that `text` still holds (each as a whole word)."""
    lowered = text.lower()
    found = [value for value in NAMING if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", lowered)]
    return [*found, PHONE_DIGITS] if PHONE_WRITTEN.search(lowered) else found


def texts_of(queryset, fields) -> str:
    return json.dumps(list(queryset.values_list(*fields)), ensure_ascii=False)


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", groups=[groups.ADMINISTRATOR])


@pytest.fixture
def northwind(db):
    """A customer with the person (her name and address changed once: "Okafor" before) and a
    colleague who gets the work-order mails."""
    customer = CustomerFactory(name="Northwind Hospitals")
    person = ContactFactory(
        customer=customer,
        first_name=FIRST,
        last_name=OLD_LAST,
        email=OLD_EMAIL,
        phone=PHONE,
        notify_work_orders=True,
    )
    person.last_name, person.email = LAST, EMAIL
    person.save()
    colleague = ContactFactory(
        customer=customer, first_name="Pat", last_name="Morgan", notify_work_orders=True
    )
    return customer, person, colleague


def audit_texts() -> str:
    return texts_of(AuditEvent.objects.order_by("pk"), ["detail"])


# The rule ----------------------------------------------------------------------------------------


RULE = privacy.mentions_in(
    [
        {"first_name": FIRST, "last_name": LAST, "email": EMAIL, "phone": PHONE},
        {"first_name": "Li", "last_name": "Wu", "email": "", "mobile": "+442079460958"},
    ]
)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Danielle", "[erased]"),
        ("danielle ruiz", "[erased]"),
        ("DANIELLE RUIZ called", "[erased] called"),
        ("ruiz-update.csv", "[erased]-update.csv"),
        (f"mail {EMAIL}.", "mail [erased]."),
        ("Ruiz's key", "[erased]'s key"),
        ("Li Wu", "[erased]"),
        ("+1 312 555 0142", "[erased]"),
        ("(312) 555-0142 ext", "[erased] ext"),
        ("3125550142", "[erased]"),
        ("020 7946 0958", "[erased]"),
        ("+44 20 7946 0958", "[erased]"),
        # Whole words only; short names only within the full name; other numbers stay.
        ("Danielson", "Danielson"),
        ("Ruizton plant", "Ruizton plant"),
        ("Li", "Li"),
        ("Wu Li", "Wu Li"),
        ("312 555 0143", "312 555 0143"),
        ("913125550142", "913125550142"),
        ("payables@example.com", "payables@example.com"),
    ],
)
def test_what_counts_as_a_mention(text, expected):
    assert RULE.scrub(text) == expected


def test_an_erased_contact_is_no_mention():
    erased = privacy.mentions_in([{**privacy.ERASED_VALUES}, {"last_name": "Erased"}])
    assert not erased
    assert erased.scrub({"search": "Erased contact"}) == {"search": "Erased contact"}


# The audit log -----------------------------------------------------------------------------------


def record_exports(user, customer) -> None:
    """Exports whose filters name the person (one through the export itself) and others that do
    not, and an import of a file named after her surname."""
    contacts_for_export(user, {"search": EMAIL}, via="api")
    for search in (FIRST, f"{FIRST} {LAST}", "(312) 555-0142", OLD_EMAIL, *OTHERS):
        events.record(events.EXPORT, user=user, detail={"kind": "contacts", "filters": {"search": search}})
    events.record(
        events.EXPORT, user=user, detail={"filters": {"search": [f"{LAST}, {FIRST}", "Daniel"]}, "count": 2}
    )
    report = import_file(
        acting_user=user,
        kind="contacts",
        file=io.BytesIO(f"customer,first_name,last_name\n{customer.number},Quentin,Other\n".encode()),
        dry_run=False,
        filename="ruiz-update.csv",
    )
    assert report.created == 1, report.as_dict()


def test_the_audit_log_keeps_no_mention_of_an_erased_person(api, admin_user, northwind):
    customer, person, _ = northwind
    record_exports(admin_user, customer)
    assert sorted(naming(audit_texts())) == sorted([*NAMING, PHONE_DIGITS])
    unrelated = AuditEvent.objects.exclude(type__in=[events.EXPORT, events.IMPORT]).count()

    response = api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/")

    assert response.status_code == 200, response.content
    assert naming(audit_texts()) == []
    searches = [
        event.detail["filters"]["search"]
        for event in AuditEvent.objects.filter(type=events.EXPORT).order_by("pk")
    ]
    assert searches == [
        "[erased]",
        "[erased]",
        "[erased]",
        "[erased]",
        "[erased]",
        *OTHERS,
        ["[erased], [erased]", "Daniel"],
    ]
    [imported] = AuditEvent.objects.filter(type=events.IMPORT)
    assert imported.detail["filename"] == "[erased]-update.csv"
    assert ImportRun.objects.get().filename == "[erased]-update.csv"
    # The events themselves stay, with their other facts; the erasure is recorded.
    assert AuditEvent.objects.exclude(type__in=[events.EXPORT, events.IMPORT]).count() == unrelated + 1
    assert AuditEvent.objects.filter(type=events.EXPORT, detail__count=2).exists()
    [erasure] = AuditEvent.objects.filter(type=events.ERASURE)
    assert erasure.detail["rows"]["logs"] >= 6


def test_the_audit_log_is_searched_in_the_database(admin_user, northwind):
    """Only the events whose detail may mention the person are read (the cut is made by the
    database, on both of them): here the ones that do, and "Ruizton" and "913125550142", which the
    cut lets through and the whole-word check then leaves."""
    customer, person, _ = northwind
    for number in range(30):
        events.record(events.EXPORT, user=admin_user, detail={"filters": {"search": f"plant {number}"}})
    record_exports(admin_user, customer)
    mentions = privacy.mentions_of(person)

    candidates = AuditEvent.objects.alias(text=Cast("detail", TextField())).filter(
        mentions.candidates("text")
    )

    searches = sorted(json.dumps(event.detail.get("filters", event.detail)) for event in candidates)
    assert len(searches) == 9, searches
    assert not [search for search in searches if "plant " in search and "Ruizton" not in search]
    assert sum("Ruizton" in search or "913125550142" in search for search in searches) == 2


# Work orders, mails to others, activities -----------------------------------------------------


@pytest.fixture
def mentioned(admin_user, northwind, other_customer):
    """A work order of her customer that mentions the person without naming her as requester or
    site contact (its mails go to the colleague and to her), changed once; a call with the
    colleague about her; the same texts at another customer."""
    customer, _, colleague = northwind
    order = workorders.create_work_order(
        acting_user=admin_user, data={"customer": customer, "summary": SUMMARY, "description": DESCRIPTION}
    )
    order = workorders.update_work_order(
        work_order=order, acting_user=admin_user, data={"description": f"{DESCRIPTION} Again."}
    )
    Activity.objects.create(
        customer=customer,
        contact=colleague,
        contact_name=colleague.full_name,
        kind=Activity.Kind.CALL,
        summary=f"Pat asked about {FIRST}'s request",
        body=f"{FIRST} {LAST} is away; reach her at {EMAIL}.",
    )
    elsewhere = workorders.create_work_order(
        acting_user=admin_user,
        data={"customer": other_customer, "summary": SUMMARY, "description": DESCRIPTION},
    )
    assert Message.objects.filter(contact=colleague).count() == 2
    assert all(naming(message.subject) for message in Message.objects.filter(contact=colleague))
    return order, elsewhere


def customer_texts(customer) -> str:
    return "\n".join(
        [
            texts_of(WorkOrder.objects.filter(customer=customer), ["summary", "description"]),
            texts_of(WorkOrder.history.filter(customer=customer), ["summary", "description"]),
            texts_of(Message.objects.filter(customer=customer), ["subject", "reason", "context"]),
            texts_of(Activity.objects.filter(customer=customer), ["summary", "body"]),
        ]
    )


def test_her_customers_records_keep_no_mention_of_her(api, admin_user, northwind, mentioned, other_customer):
    customer, person, colleague = northwind
    order, _ = mentioned
    assert naming(customer_texts(customer))
    elsewhere_before = customer_texts(other_customer)
    version = order.version

    response = api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/")

    assert response.status_code == 200, response.content
    assert naming(customer_texts(customer)) == []
    order.refresh_from_db()
    assert order.summary == "[erased] reports a leaking tap"
    assert order.description == (
        "Call [erased] on [erased] or write to [erased]; ask [erased]'s team for the key. Again."
    )
    assert {row.summary for row in WorkOrder.history.filter(id=order.pk)} == {order.summary}
    mails = list(Message.objects.filter(contact=colleague).order_by("pk"))
    assert [mail.subject for mail in mails] == [
        f"Work order {order.number} opened: [erased] reports a leaking tap",
        f"Work order {order.number} updated: [erased] reports a leaking tap",
    ]
    assert mails[0].context["facts"]["number"] == order.number and mails[0].to == colleague.email
    call = Activity.objects.get(contact=colleague)
    assert (call.summary, call.body) == (
        "Pat asked about [erased]'s request",
        "[erased] is away; reach her at [erased].",
    )
    # Only her customers' records: the other customer's stay as they were.
    assert customer_texts(other_customer) == elsewhere_before
    # The work order's version went up: a write naming the one from before is refused.
    assert order.version > version
    with pytest.raises(Stale):
        workorders.update_work_order(
            work_order=order, acting_user=admin_user, data={"summary": SUMMARY}, expected_version=version
        )
    [erasure] = AuditEvent.objects.filter(type=events.ERASURE)
    assert erasure.detail["rows"]["work"] == 3  # the work order and its two history rows
    assert erasure.detail["rows"]["messages"] == 5  # her two mails, the colleague's two, the call


def test_erasing_twice_rewrites_nothing_more(api, admin_user, northwind, mentioned):
    customer, person, _ = northwind
    order, _ = mentioned
    assert api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/").status_code == 200
    once, version = customer_texts(customer), WorkOrder.objects.get(pk=order.pk).version

    assert api(admin_user).post(f"/api/v1/contacts/{person.pk}/erase/").status_code == 200

    assert customer_texts(customer) == once and "[[erased]]" not in once
    assert WorkOrder.objects.get(pk=order.pk).version == version


def test_staff_who_may_not_erase_leave_every_mention(api, technician, admin_user, northwind, mentioned):
    customer, person, _ = northwind
    record_exports(admin_user, customer)
    records = customer_texts(customer)
    version = WorkOrder.objects.get(pk=mentioned[0].pk).version
    audit = list(AuditEvent.objects.order_by("pk").values_list("pk", "detail"))

    response = api(technician).post(f"/api/v1/contacts/{person.pk}/erase/")

    assert response.status_code == 403
    assert response.json()["detail"].startswith("You may not")
    assert naming(response.content.decode()) == []
    assert customer_texts(customer) == records
    assert WorkOrder.objects.get(pk=mentioned[0].pk).version == version
    # The audit log is as it was, with the refusal added.
    assert (
        list(
            AuditEvent.objects.filter(pk__in=[pk for pk, _ in audit])
            .order_by("pk")
            .values_list("pk", "detail")
        )
        == audit
    )
    assert set(AuditEvent.objects.exclude(pk__in=[pk for pk, _ in audit]).values_list("type", flat=True)) == {
        events.PERMISSION_DENIED
    }


# Message bodies in the personal data ------------------------------------------------------------


def her_mail(person) -> Message:
    [mail] = Message.objects.filter(contact=person)
    return mail


@pytest.fixture
def mailed(admin_user, northwind):
    """A work-order mail to the person whose facts (its body) say what no envelope does."""
    customer, person, _ = northwind
    workorders.create_work_order(
        acting_user=admin_user,
        data={"customer": customer, "summary": "Boiler check", "description": "Gate code 4471 at the back"},
    )
    assert "Gate code 4471" in json.dumps(her_mail(person).context)
    return person


def assert_without_body(data: dict, person) -> None:
    mail = her_mail(person)
    [entry] = data["messages"]["messages"]
    assert entry == {
        "id": mail.pk,
        "event": mail.event,
        "to": EMAIL,
        "recipient_name": f"{FIRST} {LAST}",
        "subject": mail.subject,
        "status": "pending",
        "created_at": mail.created_at.isoformat(),
        "sent_at": None,
    }
    assert "Gate code 4471" not in json.dumps(data)


def assert_with_body(data: dict) -> None:
    [entry] = data["messages"]["messages"]
    assert entry["context"]["facts"]["description"] == "Gate code 4471 at the back"


def test_the_api_gives_message_bodies_only_to_who_may_read_them(api, dispatcher, administrator, mailed):
    refused = api(dispatcher).get(f"/api/v1/contacts/{mailed.pk}/personal-data/")
    assert refused.status_code == 200, refused.content
    assert_without_body(refused.json(), mailed)

    allowed = api(administrator).get(f"/api/v1/contacts/{mailed.pk}/personal-data/")
    assert allowed.status_code == 200, allowed.content
    assert_with_body(allowed.json())


def test_the_page_gives_message_bodies_only_to_who_may_read_them(dispatcher, mailed):
    client = Client()
    client.force_login(dispatcher)
    response = client.get(f"/contacts/{mailed.pk}/personal-data/")
    assert response.status_code == 200
    assert_without_body(json.loads(response.content), mailed)


def test_the_command_gives_message_bodies_as_its_acting_user_may(admin_user, dispatcher, mailed):
    out = io.StringIO()
    call_command("personal_data", str(mailed.pk), "--user", "dispatcher", stdout=out)
    assert_without_body(json.loads(out.getvalue()), mailed)

    out = io.StringIO()
    call_command("personal_data", str(mailed.pk), stdout=out)  # the first active superuser
    assert_with_body(json.loads(out.getvalue()))


def test_values_the_code_writes_are_not_taken_for_a_persons_name():
    from clientbase.contacts.privacy import mentions_in

    mentions = mentions_in([{"first_name": "Emily", "last_name": "Post", "email": "emily@post.example"}])
    detail = {
        "method": "POST",
        "surface": "api",
        "reason": "Emily Post may not",
        "filters": {"search": "post"},
    }
    assert mentions.scrub(detail) == {
        "method": "POST",
        "surface": "api",
        "reason": "[erased] may not",
        "filters": {"search": "[erased]"},
    }
