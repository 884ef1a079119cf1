"""The lifecycle of a work order through `services.update_work_order`: every step of
`WorkOrder.TRANSITIONS` allowed and every other one refused (a Conflict naming both statuses,
nothing changed), what each step needs and records, the events they write, the rules the database
holds itself; and the contact a quote is addressed to."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clientbase.contacts.services import delete_contact, move_contact
from clientbase.errors import Conflict, ValidationFailed, conflict_from_integrity_error
from clientbase.notifications.mail import render_bodies
from clientbase.notifications.models import Message
from clientbase.workorders import services
from clientbase.workorders.models import Quote, WorkOrder
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_refused_by, assert_unchanged
from tests.workorders.factories import QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

STATUSES = [status for status, _ in WorkOrder.Status.choices]
LABELS = {"open": "open", "scheduled": "scheduled", "in_progress": "in progress", "completed": "completed"}
LABELS["cancelled"] = "cancelled"
VISIT = datetime.datetime(2031, 3, 4, 9, 30, tzinfo=datetime.UTC)
# What each step needs besides the status.
NEEDS = {"scheduled": {"scheduled_start": VISIT}, "cancelled": {"cancel_reason": "The site is closed."}}
ALLOWED = [(was, to) for was, following in WorkOrder.TRANSITIONS.items() for to in following]
REFUSED = [(was, to) for was in STATUSES for to in STATUSES if was != to and (was, to) not in ALLOWED]


@pytest.fixture
def northwind(customer_with_two_sites):
    """A customer whose contact at the north site opted into work orders and completions."""
    customer, north, _ = customer_with_two_sites
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        role_site=True,
        notify_work_orders=True,
        notify_completions=True,
        locations=[north],
    )
    return {"customer": customer, "north": north, "mike": mike}


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Carter")


def at(northwind, status, **fields):
    return WorkOrderFactory(
        customer=northwind["customer"], location=northwind["north"], status=status, **fields
    )


def step(work_order, user, **data):
    return services.update_work_order(work_order=work_order, acting_user=user, data=data)


def test_the_table_is_the_one_the_issue_asks_for():
    assert WorkOrder.TRANSITIONS == {
        "open": ("scheduled", "in_progress", "cancelled"),
        "scheduled": ("in_progress", "open", "cancelled"),
        "in_progress": ("completed", "cancelled"),
        "completed": (),
        "cancelled": (),
    }


@pytest.mark.parametrize(("was", "to"), ALLOWED, ids=[f"{w}-{t}" for w, t in ALLOWED])
def test_every_allowed_step_moves_and_notifies(northwind, dispatcher, was, to):
    work_order = at(northwind, was)
    answered = step(work_order, dispatcher, status=to, **NEEDS.get(to, {}))
    work_order.refresh_from_db()
    assert work_order.status == to and answered.status == to
    [message] = Message.objects.all()
    assert message.contact == northwind["mike"]
    assert message.event == ("work_order.completed" if to == "completed" else "work_order.updated")
    assert {
        "field": "Status",
        "old": work_order.__class__.Status(was).label,
        "new": WorkOrder.Status(to).label,
    } in (message.context["facts"]["changes"])
    assert len(services.notified(answered).recipients) == 1


@pytest.mark.parametrize(("was", "to"), REFUSED, ids=[f"{w}-{t}" for w, t in REFUSED])
def test_every_other_step_is_a_conflict_naming_both_statuses_and_changes_nothing(
    northwind, dispatcher, was, to
):
    work_order = at(northwind, was)
    with assert_unchanged(work_order, Message), pytest.raises(Conflict) as refused:
        step(work_order, dispatcher, status=to, **NEEDS.get(to, {}))
    message = refused.value.message
    assert message.startswith(f"Work order {work_order.number} cannot go from {LABELS[was]} to {LABELS[to]}")
    if WorkOrder.TRANSITIONS[was]:
        following = [LABELS[status] for status in WorkOrder.TRANSITIONS[was]]
        assert f"from {LABELS[was]} it can go to {', '.join(following[:-1])} or {following[-1]}." in message
    else:
        assert f"a {LABELS[was]} work order is closed." in message


def test_an_unknown_status_is_a_field_error(northwind, dispatcher):
    work_order = at(northwind, "open")
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, status="lost")
    assert refused.value.errors == {"status": ["“lost” is not a status of a work order."]}


# What each step needs and records ----------------------------------------------------------------------


def test_scheduling_needs_the_start(northwind, dispatcher):
    work_order = at(northwind, "open")
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, status="scheduled")
    assert refused.value.errors == {
        "scheduled_start": ["Scheduling needs the start of the visit: when the technician is expected."]
    }


def test_scheduling_records_the_visit_and_the_technician_and_says_so(northwind, dispatcher, sam):
    work_order = at(northwind, "open")
    step(
        work_order,
        dispatcher,
        status="scheduled",
        scheduled_start=VISIT,
        scheduled_end=VISIT + datetime.timedelta(hours=2),
        technician=sam,
    )
    work_order.refresh_from_db()
    assert (work_order.scheduled_start, work_order.scheduled_end) == (
        VISIT,
        VISIT + datetime.timedelta(hours=2),
    )
    assert (work_order.technician, work_order.technician_name) == (sam, "Sam Carter")
    facts = Message.objects.get().context["facts"]
    assert (facts["scheduled_start"], facts["technician_name"]) == ("2031-03-04 09:30 UTC", "Sam Carter")
    assert {"field": "Technician", "old": "—", "new": "Sam Carter"} in facts["changes"]
    assert {"field": "Scheduled end", "old": "—", "new": "2031-03-04 11:30 UTC"} in facts["changes"]


@pytest.mark.parametrize(
    ("data", "field", "says"),
    [
        (
            {"scheduled_start": VISIT, "scheduled_end": VISIT - datetime.timedelta(minutes=1)},
            "scheduled_end",
            "The visit cannot end before it starts.",
        ),
        ({"scheduled_end": VISIT}, "scheduled_start", "Scheduling needs the start of the visit"),
        # Moments other time zones could not show are refused (they made every list fail).
        (
            {"scheduled_start": datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)},
            "scheduled_start",
            "A visit between 1900-01-01 and 2999-12-31.",
        ),
        (
            {"scheduled_start": VISIT, "scheduled_end": datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)},
            "scheduled_end",
            "A visit between 1900-01-01 and 2999-12-31.",
        ),
    ],
)
def test_the_end_of_a_visit_needs_its_start_and_is_not_before_it(northwind, dispatcher, data, field, says):
    work_order = at(northwind, "open")
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, status="scheduled", **data)
    assert says in refused.value.errors[field][0]


@pytest.mark.parametrize(
    ("user_fields", "says"),
    [
        ({"is_staff": False}, "is not an active staff user"),
        ({"is_active": False}, "is not an active staff user"),
    ],
)
def test_the_technician_is_an_active_staff_user(northwind, dispatcher, user_fields, says):
    outsider = UserFactory(username="outsider", first_name="Olive", last_name="Outsider", **user_fields)
    work_order = at(northwind, "open")
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, status="scheduled", scheduled_start=VISIT, technician=outsider)
    assert refused.value.errors == {"technician": [f"Olive Outsider {says}."]}


def test_a_scheduled_work_order_is_rescheduled_and_the_contacts_are_told(northwind, dispatcher, sam):
    work_order = at(northwind, "scheduled")
    step(work_order, dispatcher, scheduled_start=VISIT, technician=sam)
    work_order.refresh_from_db()
    assert (work_order.status, work_order.scheduled_start, work_order.technician) == ("scheduled", VISIT, sam)
    changes = Message.objects.get().context["facts"]["changes"]
    assert [change["field"] for change in changes] == ["Scheduled start", "Technician"]


def test_an_open_work_order_has_no_schedule(northwind, dispatcher, sam):
    work_order = at(northwind, "open")
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, scheduled_start=VISIT)
    assert refused.value.errors["scheduled_start"] == [
        "Only a scheduled or started work order has a schedule; this one is open. "
        "Schedule it (status scheduled) to say when the visit is."
    ]
    step(work_order, dispatcher, technician=sam)  # a technician may be named before the visit is set
    work_order.refresh_from_db()
    assert (work_order.status, work_order.technician_name) == ("open", "Sam Carter")


def test_reopening_unschedules_the_visit_and_keeps_the_technician(northwind, dispatcher, sam):
    work_order = at(northwind, "scheduled", technician=sam, technician_name="Sam Carter")
    step(work_order, dispatcher, status="open")
    work_order.refresh_from_db()
    assert (work_order.status, work_order.scheduled_start, work_order.technician) == ("open", None, sam)
    fields = [change["field"] for change in Message.objects.get().context["facts"]["changes"]]
    assert fields == ["Status", "Scheduled start"]


def test_reopening_with_a_schedule_is_refused(northwind, dispatcher):
    work_order = at(northwind, "scheduled")
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, status="open", scheduled_start=VISIT)
    assert "has a schedule" in refused.value.errors["scheduled_start"][0]


def test_starting_may_name_the_technician(northwind, dispatcher, sam):
    work_order = at(northwind, "scheduled")
    step(work_order, dispatcher, status="in_progress", technician=sam)
    work_order.refresh_from_db()
    assert (work_order.status, work_order.technician_name, work_order.scheduled_start is not None) == (
        "in_progress",
        "Sam Carter",
        True,
    )


def test_completing_records_when_and_the_note_and_its_mail_shows_the_note(northwind, dispatcher):
    work_order = at(northwind, "in_progress")
    step(work_order, dispatcher, status="completed", completion_note="Replaced the contactor.\nTested OK.")
    work_order.refresh_from_db()
    assert work_order.completed_at is not None
    assert work_order.completion_note == "Replaced the contactor.\nTested OK."
    message = Message.objects.get()
    assert message.event == "work_order.completed"
    facts = message.context["facts"]
    assert facts["completion_note"] == "Replaced the contactor.\nTested OK."
    assert {"field": "Completion note", "old": "", "new": "Replaced the contactor.\nTested OK."} in facts[
        "changes"
    ]


@pytest.mark.parametrize(
    ("was", "data", "done"),
    [
        ("open", {"status": "scheduled", "scheduled_start": VISIT}, "scheduled"),
        ("scheduled", {"status": "in_progress"}, "started"),
        ("scheduled", {"status": "open"}, "reopened"),
        ("open", {"summary": "Chiller alarm, second unit"}, "updated"),
    ],
)
def test_each_steps_mail_is_titled_with_what_it_did(northwind, dispatcher, was, data, done):
    work_order = at(northwind, was, scheduled_start=VISIT if was == "scheduled" else None)
    step(work_order, dispatcher, **data)
    message = Message.objects.get()
    work_order.refresh_from_db()
    assert message.subject == f"Work order {work_order.number} {done}: {work_order.summary}"
    assert f"This work order has been {done}." in render_bodies(message)[0]


def test_a_message_written_before_its_facts_said_what_was_done_reads_updated(northwind, dispatcher):
    step(at(northwind, "open"), dispatcher, summary="Older")
    message = Message.objects.get()
    del message.context["facts"]["done"]
    assert "This work order has been updated." in render_bodies(message)[0]


def test_completing_needs_no_note(northwind, dispatcher):
    work_order = at(northwind, "in_progress")
    step(work_order, dispatcher, status="completed")
    work_order.refresh_from_db()
    assert (work_order.status, work_order.completion_note) == ("completed", "")


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(northwind, dispatcher, reason):
    work_order = at(northwind, "scheduled")
    data = {"cancel_reason": reason} if reason else {}
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, status="cancelled", **data)
    assert refused.value.errors == {"cancel_reason": ["Say why the work order is cancelled."]}


def test_cancelling_keeps_the_reason_and_closes_the_work_order(northwind, dispatcher):
    work_order = at(northwind, "in_progress")
    step(work_order, dispatcher, status="cancelled", cancel_reason="The tenant moved out.")
    work_order.refresh_from_db()
    assert (work_order.status, work_order.cancel_reason, work_order.completed_at) == (
        "cancelled",
        "The tenant moved out.",
        None,
    )
    message = Message.objects.get()
    assert message.context["facts"]["cancel_reason"] == "The tenant moved out."
    # The mail says what happened: cancelled, not "updated".
    assert message.subject == f"Work order {work_order.number} cancelled: {work_order.summary}"
    text, html = render_bodies(message)
    assert "This work order has been cancelled." in text and "This work order has been cancelled." in html
    with assert_unchanged(work_order, Message), pytest.raises(Conflict, match="closed"):
        step(work_order, dispatcher, summary="Try again")


@pytest.mark.parametrize(
    ("was", "data", "field", "says"),
    [
        (
            "in_progress",
            {"completion_note": "Done."},
            "completion_note",
            "written when the work order is completed",
        ),
        ("open", {"status": "in_progress", "completion_note": "Done."}, "completion_note", "completed"),
        ("open", {"cancel_reason": "No."}, "cancel_reason", "given when the work order is cancelled"),
        ("in_progress", {"status": "completed", "cancel_reason": "No."}, "cancel_reason", "cancelled"),
    ],
)
def test_a_note_or_reason_goes_only_with_its_step(northwind, dispatcher, was, data, field, says):
    work_order = at(northwind, was)
    with assert_unchanged(work_order, Message), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, **data)
    assert says in refused.value.errors[field][0]


def test_the_technicians_name_stays_when_the_user_is_deleted(northwind, dispatcher, sam):
    work_order = at(northwind, "open")
    step(work_order, dispatcher, technician=sam)
    version = WorkOrder.objects.get(pk=work_order.pk).version
    sam.delete()
    work_order.refresh_from_db()
    assert (work_order.technician, work_order.technician_name) == (None, "Sam Carter")
    assert work_order.version == version + 1


def test_a_stale_step_is_refused(northwind, dispatcher):
    work_order = at(northwind, "open")
    loaded = work_order.version
    step(work_order, dispatcher, summary="Changed meanwhile")
    from clientbase.errors import Stale

    with assert_unchanged(WorkOrder, Message), pytest.raises(Stale):
        services.update_work_order(
            work_order=work_order,
            acting_user=dispatcher,
            data={"status": "in_progress"},
            expected_version=loaded,
        )


# Opening --------------------------------------------------------------------------------------------------


def test_a_work_order_may_open_scheduled_with_its_visit(northwind, dispatcher, sam):
    work_order = services.create_work_order(
        acting_user=dispatcher,
        data={
            "customer": northwind["customer"],
            "summary": "Annual inspection",
            "status": "scheduled",
            "scheduled_start": VISIT,
            "technician": sam,
        },
    )
    work_order.refresh_from_db()
    assert (work_order.status, work_order.scheduled_start, work_order.technician_name) == (
        "scheduled",
        VISIT,
        "Sam Carter",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "scheduled"}, "scheduled_start"),
        ({"scheduled_start": VISIT}, "scheduled_start"),
        ({"completion_note": "Done"}, "completion_note"),
        ({"cancel_reason": "No"}, "cancel_reason"),
        ({"status": "in_progress"}, "status"),
    ],
)
def test_opening_refuses_what_the_lifecycle_does_not_allow(northwind, dispatcher, data, field):
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
        services.create_work_order(
            acting_user=dispatcher, data={"customer": northwind["customer"], "summary": "x", **data}
        )
    assert field in refused.value.errors


def test_a_portal_request_sets_nothing_of_the_lifecycle(northwind, portal_user_factory):
    user = portal_user_factory(
        northwind["customer"], permissions=["create_work_order"], email="me@example.com"
    )
    for data, field in (
        ({"status": "scheduled", "scheduled_start": VISIT}, "scheduled_start"),
        ({"status": "scheduled", "scheduled_start": VISIT}, "status"),
        ({"technician": UserFactory(username="t1")}, "technician"),
    ):
        with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
            services.create_work_order(
                acting_user=user, data={"customer": northwind["customer"], "summary": "Leak", **data}
            )
        assert refused.value.errors[field] and refused.value.errors[field][0].startswith(
            ("Set by", "A request")
        )


# The database's own rules ---------------------------------------------------------------------------------


def test_the_database_refuses_a_visit_that_ends_before_it_starts(northwind):
    work_order = at(northwind, "scheduled")
    with transaction.atomic(), pytest.raises(IntegrityError) as refused:
        WorkOrder.objects.filter(pk=work_order.pk).update(
            scheduled_end=work_order.scheduled_start - datetime.timedelta(hours=1)
        )
    assert_refused_by(refused.value, WorkOrder, "workorders_workorder_schedule_in_order")
    assert conflict_from_integrity_error(refused.value).message == (
        "The visit ends before it starts, or has an end without a start."
    )


def test_the_database_refuses_a_cancelled_work_order_without_a_reason(northwind):
    work_order = at(northwind, "open")
    with transaction.atomic(), pytest.raises(IntegrityError) as refused:
        WorkOrder.objects.filter(pk=work_order.pk).update(status="cancelled", cancel_reason="  ")
    assert_refused_by(refused.value, WorkOrder, "workorders_workorder_cancel_reason")
    assert (
        conflict_from_integrity_error(refused.value).message
        == "A cancelled work order says why it was cancelled."
    )


# The contact a quote is addressed to ------------------------------------------------------------------------


def test_a_quote_is_addressed_to_a_contact_of_its_customer_whose_name_stays(
    northwind, accounts_clerk, admin_user
):
    david = ContactFactory(customer=northwind["customer"], first_name="David", last_name="Chen")
    quote = services.create_document(
        Quote,
        acting_user=accounts_clerk,
        data={"customer": northwind["customer"], "amount": Decimal("100"), "contact": david},
    )
    quote.refresh_from_db()
    assert (quote.contact, quote.contact_name) == (david, "David Chen")
    delete_contact(contact=david, acting_user=admin_user)
    quote.refresh_from_db()
    assert (quote.contact, quote.contact_name) == (None, "David Chen")


def test_a_quote_addressed_to_another_customers_contact_is_refused(northwind, accounts_clerk, other_customer):
    stranger = ContactFactory(customer=other_customer, first_name="Olga", last_name="Other")
    with assert_unchanged(Quote), pytest.raises(ValidationFailed) as refused:
        services.create_document(
            Quote,
            acting_user=accounts_clerk,
            data={"customer": northwind["customer"], "amount": Decimal("100"), "contact": stranger},
        )
    assert refused.value.errors == {"contact": ["Olga Other is not a contact of this customer."]}
    quote = QuoteFactory(customer=northwind["customer"])
    with assert_unchanged(quote), pytest.raises(ValidationFailed) as refused:
        services.update_quote(quote=quote, acting_user=accounts_clerk, data={"contact": stranger})
    assert "contact" in refused.value.errors


def test_a_drafts_addressee_changes_and_is_cleared(northwind, accounts_clerk):
    david = ContactFactory(customer=northwind["customer"], first_name="David", last_name="Chen")
    quote = QuoteFactory(customer=northwind["customer"])
    services.update_quote(quote=quote, acting_user=accounts_clerk, data={"contact": david})
    quote.refresh_from_db()
    assert quote.contact_name == "David Chen"
    services.update_quote(quote=quote, acting_user=accounts_clerk, data={"contact": None})
    quote.refresh_from_db()
    assert (quote.contact, quote.contact_name) == (None, "")


def test_an_invoice_has_no_addressee(northwind, accounts_clerk):
    from clientbase.workorders.models import Invoice

    david = ContactFactory(customer=northwind["customer"])
    with assert_unchanged(Invoice), pytest.raises(ValidationFailed) as refused:
        services.create_document(
            Invoice,
            acting_user=accounts_clerk,
            data={"customer": northwind["customer"], "amount": Decimal("1"), "contact": david},
        )
    assert refused.value.errors == {"contact": ["Unknown field."]}


def test_the_database_keeps_a_quotes_contact_at_its_customer(northwind, other_customer):
    stranger = ContactFactory(customer=other_customer)
    quote = QuoteFactory(customer=northwind["customer"])
    with transaction.atomic(), pytest.raises(IntegrityError) as refused:
        Quote.objects.filter(pk=quote.pk).update(contact=stranger)
    assert_refused_by(refused.value, Quote, "quote contact belongs to another customer")
    assert conflict_from_integrity_error(refused.value).message == (
        "The quote is addressed to a contact of another customer."
    )


# A contact that moves to another customer ---------------------------------------------------------------


def test_a_work_order_whose_contacts_moved_away_still_changes_and_keeps_their_names(
    northwind, dispatcher, admin_user, other_customer
):
    lisa = ContactFactory(customer=northwind["customer"], first_name="Lisa", last_name="Martinez")
    work_order = at(northwind, "open", requested_by=lisa, requested_by_name="Lisa Martinez")
    work_order.site_contact, work_order.site_contact_name = northwind["mike"], "Mike Johnson"
    work_order.save()
    move_contact(acting_user=admin_user, contact=lisa, customer=other_customer)
    move_contact(acting_user=admin_user, contact=northwind["mike"], customer=other_customer)
    step(work_order, dispatcher, description="Bring the long ladder.")
    step(work_order, dispatcher, status="scheduled", scheduled_start=VISIT)
    work_order.refresh_from_db()
    assert (work_order.status, work_order.description) == ("scheduled", "Bring the long ladder.")
    assert (work_order.requested_by_name, work_order.site_contact_name) == ("Lisa Martinez", "Mike Johnson")
    # Naming one of them anew is still refused.
    northwind["mike"].refresh_from_db()
    with assert_unchanged(work_order), pytest.raises(ValidationFailed) as refused:
        step(work_order, dispatcher, requested_by=northwind["mike"])
    assert refused.value.errors == {"requested_by": ["Mike Johnson is not a contact of this customer."]}


def test_a_draft_quote_whose_addressee_moved_away_still_changes(
    northwind, accounts_clerk, admin_user, other_customer
):
    david = ContactFactory(customer=northwind["customer"], first_name="David", last_name="Chen")
    quote = QuoteFactory(customer=northwind["customer"], contact=david, contact_name="David Chen")
    move_contact(acting_user=admin_user, contact=david, customer=other_customer)
    services.update_quote(quote=quote, acting_user=accounts_clerk, data={"amount": Decimal("250")})
    quote.refresh_from_db()
    assert (quote.amount, quote.contact_name) == (Decimal("250"), "David Chen")
    david.refresh_from_db()
    services.update_quote(quote=quote, acting_user=accounts_clerk, data={"contact": None})
    quote.refresh_from_db()
    with assert_unchanged(quote), pytest.raises(ValidationFailed) as refused:
        services.update_quote(quote=quote, acting_user=accounts_clerk, data={"contact": david})
    assert refused.value.errors == {"contact": ["David Chen is not a contact of this customer."]}
