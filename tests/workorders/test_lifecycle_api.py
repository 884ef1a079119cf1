"""The lifecycle over REST: `PATCH work-orders/{id}/` with `status` follows `WorkOrder.TRANSITIONS`
(409 naming both statuses, 400 on a missing or bad field, nothing changed after a refusal), the
list's filters of the technician and the days, what portal users read of it; and a quote's
`contact`."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientbase.notifications.models import Message
from clientbase.workorders.models import Quote, WorkOrder
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_unchanged
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
WORK_ORDERS, QUOTES, INVOICES = "/api/v1/work-orders/", "/api/v1/quotes/", "/api/v1/invoices/"
VISIT = "2031-03-04T09:30:00Z"
NEEDS = {"scheduled": {"scheduled_start": VISIT}, "cancelled": {"cancel_reason": "The site is closed."}}
ALLOWED = [(was, to) for was, following in WorkOrder.TRANSITIONS.items() for to in following]
STATUSES = [status for status, _ in WorkOrder.Status.choices]
REFUSED = [(was, to) for was in STATUSES for to in STATUSES if was != to and (was, to) not in ALLOWED]


def url(work_order) -> str:
    return f"{WORK_ORDERS}{work_order.pk}/"


@pytest.fixture
def scene(customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    ContactFactory(customer=customer, notify_work_orders=True, notify_completions=True, locations=[north])
    return {"customer": customer, "north": north}


@pytest.fixture
def sam(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Carter")


@pytest.mark.parametrize(("was", "to"), ALLOWED, ids=[f"{w}-{t}" for w, t in ALLOWED])
def test_patch_takes_every_allowed_step(api, dispatcher, scene, was, to):
    work_order = WorkOrderFactory(customer=scene["customer"], location=scene["north"], status=was)
    response = api(dispatcher).patch(url(work_order), {"status": to, **NEEDS.get(to, {})}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == to
    assert response["ETag"] == f'"{work_order.version + 1}"'
    assert (body["completed_at"] is not None) is (to == "completed")
    expected = "work_order.completed" if to == "completed" else "work_order.updated"
    assert list(Message.objects.values_list("event", flat=True)) == [expected]


@pytest.mark.parametrize(("was", "to"), REFUSED, ids=[f"{w}-{t}" for w, t in REFUSED])
def test_patch_refuses_every_other_step_with_409_naming_both(api, dispatcher, scene, was, to):
    work_order = WorkOrderFactory(customer=scene["customer"], status=was)
    with assert_unchanged(work_order, Message):
        response = api(dispatcher).patch(url(work_order), {"status": to, **NEEDS.get(to, {})}, format="json")
    assert response.status_code == 409
    labels = dict(WorkOrder.Status.choices)
    assert response.json()["detail"].startswith(
        f"Work order {work_order.number} cannot go from {labels[was].lower()} to {labels[to].lower()}"
    )


@pytest.mark.parametrize(
    ("was", "body", "field", "says"),
    [
        ("open", {"status": "scheduled"}, "scheduled_start", "Scheduling needs the start"),
        ("open", {"status": "cancelled"}, "cancel_reason", "Say why"),
        ("scheduled", {"status": "cancelled", "cancel_reason": " "}, "cancel_reason", "Say why"),
        (
            "open",
            {"status": "scheduled", "scheduled_start": VISIT, "scheduled_end": "2031-03-04T09:00:00Z"},
            "scheduled_end",
            "cannot end before it starts",
        ),
        ("open", {"scheduled_start": VISIT}, "scheduled_start", "Only a scheduled or started"),
        ("in_progress", {"completion_note": "Done"}, "completion_note", "completed"),
        ("open", {"status": "scheduled", "scheduled_start": "next tuesday"}, "scheduled_start", "format"),
        ("open", {"status": "lost"}, "status", "is not a valid choice"),
        ("open", {"technician": 999999}, "technician", "does not exist"),
    ],
)
def test_patch_names_the_field_a_step_misses_or_gets_wrong(api, dispatcher, scene, was, body, field, says):
    work_order = WorkOrderFactory(customer=scene["customer"], status=was)
    with assert_unchanged(work_order, Message):
        response = api(dispatcher).patch(url(work_order), body, format="json")
    assert response.status_code == 400, response.json()
    assert says in " ".join(response.json()[field])


def test_the_technician_must_be_active_staff(api, dispatcher, scene):
    portal_login = UserFactory(username="someone", is_staff=False)
    work_order = WorkOrderFactory(customer=scene["customer"])
    with assert_unchanged(work_order, Message):
        response = api(dispatcher).patch(url(work_order), {"technician": portal_login.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"technician": ["someone is not an active staff user."]}


def test_a_work_order_goes_through_its_life_and_answers_what_it_recorded(api, dispatcher, scene, sam):
    client = api(dispatcher)
    created = client.post(WORK_ORDERS, {"customer": scene["customer"].pk, "summary": "Boiler"}, format="json")
    assert created.status_code == 201
    work_order = WorkOrder.objects.get(pk=created.json()["id"])
    scheduled = client.patch(
        url(work_order),
        {
            "status": "scheduled",
            "scheduled_start": VISIT,
            "scheduled_end": "2031-03-04T11:00:00Z",
            "technician": sam.pk,
        },
        format="json",
    ).json()
    assert (scheduled["scheduled_start"], scheduled["scheduled_end"]) == (VISIT, "2031-03-04T11:00:00Z")
    assert (scheduled["technician"], scheduled["technician_name"]) == (sam.pk, "Sam Carter")
    assert client.patch(url(work_order), {"status": "in_progress"}, format="json").status_code == 200
    done = client.patch(
        url(work_order), {"status": "completed", "completion_note": "Burner cleaned."}, format="json"
    ).json()
    assert (done["status"], done["completion_note"], done["cancel_reason"]) == (
        "completed",
        "Burner cleaned.",
        "",
    )
    completion = Message.objects.filter(event="work_order.completed").get()
    assert completion.context["facts"]["completion_note"] == "Burner cleaned."
    refused = client.patch(url(work_order), {"technician_name": "x"}, format="json")
    assert refused.status_code == 400 and refused.json()["technician_name"] == ["This field is read-only."]


def test_filters_by_technician_and_days(api, dispatcher, scene, sam):
    customer = scene["customer"]
    today = timezone.localdate()
    january = WorkOrderFactory(customer=customer, summary="January job")
    WorkOrder.objects.filter(pk=january.pk).update(
        created_at=datetime.datetime(2020, 1, 15, 12, tzinfo=datetime.UTC)
    )
    visit = WorkOrderFactory(
        customer=customer,
        summary="Visit job",
        status="scheduled",
        scheduled_start=datetime.datetime(2031, 3, 4, 9, 30, tzinfo=datetime.UTC),
        technician=sam,
    )
    client = api(dispatcher)

    def numbers(**params) -> set[str]:
        response = client.get(WORK_ORDERS, params)
        assert response.status_code == 200, response.json()
        return {row["number"] for row in response.json()["results"]}

    assert numbers(technician=sam.pk) == {visit.number}
    assert numbers(scheduled_on="2031-03-04") == {visit.number}
    assert numbers(scheduled_on="2031-03-05") == set()
    assert numbers(created_from="2020-01-15", created_to="2020-01-15") == {january.number}
    assert numbers(created_from=today.isoformat()) == {visit.number}
    assert numbers(created_to="2020-01-14") == set()
    bad = client.get(WORK_ORDERS, {"created_from": "15/01/2020"})
    assert bad.status_code == 400 and "created_from" in bad.json()
    assert client.get(WORK_ORDERS, {"technician": "x"}).status_code == 400


def test_portal_users_read_the_technicians_name_not_its_account(api, portal_user_factory, scene, sam):
    user = portal_user_factory(scene["customer"], permissions=["reports"], email="me@example.com")
    work_order = WorkOrderFactory(customer=scene["customer"], technician=sam, technician_name="Sam Carter")
    client = api(user)
    body = client.get(url(work_order)).json()
    assert body["technician_name"] == "Sam Carter" and "technician" not in body
    # Nor does the list's filter tell them which account did the job.
    assert len(client.get(WORK_ORDERS).json()["results"]) == 1
    listed = client.get(WORK_ORDERS, {"technician": sam.pk})
    assert listed.status_code == 200 and listed.json()["results"] == []


def test_a_portal_request_cannot_schedule_itself(api, portal_user_factory, scene):
    user = portal_user_factory(scene["customer"], permissions=["create_work_order"], email="me@example.com")
    with assert_unchanged(WorkOrder, Message):
        response = api(user).post(
            WORK_ORDERS,
            {
                "customer": scene["customer"].pk,
                "summary": "Leak",
                "status": "scheduled",
                "scheduled_start": VISIT,
            },
            format="json",
        )
    assert response.status_code == 400
    assert response.json()["scheduled_start"] == ["Set by the service provider."]


# A quote's contact ----------------------------------------------------------------------------------------


def test_a_quote_is_addressed_to_a_contact_by_id(api, accounts_clerk, scene, other_customer):
    customer = scene["customer"]
    david = ContactFactory(customer=customer, first_name="David", last_name="Chen")
    client = api(accounts_clerk)
    created = client.post(
        QUOTES, {"customer": customer.pk, "amount": "100.00", "contact": david.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["contact"], created.json()["contact_name"]) == (david.pk, "David Chen")
    quote = Quote.objects.get(pk=created.json()["id"])
    cleared = client.patch(f"{QUOTES}{quote.pk}/", {"contact": None}, format="json")
    assert cleared.status_code == 200 and (cleared.json()["contact"], cleared.json()["contact_name"]) == (
        None,
        "",
    )

    stranger = ContactFactory(customer=other_customer, first_name="Olga", last_name="Other")
    with assert_unchanged(Quote):
        refused = client.post(
            QUOTES, {"customer": customer.pk, "amount": "1.00", "contact": stranger.pk}, format="json"
        )
        again = client.patch(f"{QUOTES}{quote.pk}/", {"contact": stranger.pk}, format="json")
    assert refused.status_code == 400 and refused.json() == {
        "contact": ["Olga Other is not a contact of this customer."]
    }
    assert again.status_code == 400 and "contact" in again.json()
    read_only = client.patch(f"{QUOTES}{quote.pk}/", {"contact_name": "Someone"}, format="json")
    assert read_only.status_code == 400 and read_only.json()["contact_name"] == ["This field is read-only."]


def test_only_a_draft_quotes_addressee_changes_and_invoices_have_none(api, accounts_clerk, scene):
    customer = scene["customer"]
    david = ContactFactory(customer=customer)
    sent = QuoteFactory(customer=customer, status="sent")
    with assert_unchanged(sent):
        response = api(accounts_clerk).patch(f"{QUOTES}{sent.pk}/", {"contact": david.pk}, format="json")
    assert response.status_code == 409
    invoice = InvoiceFactory(customer=customer)
    response = api(accounts_clerk).patch(f"{INVOICES}{invoice.pk}/", {"contact": david.pk}, format="json")
    assert response.status_code == 400 and response.json() == {"contact": ["Unknown field."]}


def test_quotes_filter_by_their_addressee(api, accounts_clerk, scene):
    david = ContactFactory(customer=scene["customer"])
    mine = QuoteFactory(customer=scene["customer"], contact=david, contact_name=david.full_name)
    QuoteFactory(customer=scene["customer"])
    results = api(accounts_clerk).get(QUOTES, {"contact": david.pk}).json()["results"]
    assert [row["number"] for row in results] == [mine.number]
