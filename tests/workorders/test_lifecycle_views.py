"""The staff pages of a work order's life: a button per allowed step on its page, the step's form
with who will be notified before saving, the message after it, refusals (a step out of order, a
missing field, a stale form), the edit page; whom to call; the list's filters; and starting a work
order or a quote from a contact's page."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest

from clientbase.notifications.models import Message
from clientbase.workorders import views
from clientbase.workorders.models import Quote, WorkOrder
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_unchanged
from tests.workorders.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
MONDAY_NOON = datetime.datetime(2030, 1, 7, 12, 0, tzinfo=datetime.UTC)
SATURDAY_NIGHT = datetime.datetime(2030, 1, 12, 23, 0, tzinfo=datetime.UTC)


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def scene(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    north.access_notes = "Key at the gatehouse; ask for the chief engineer."
    north.save()
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        role_site=True,
        notify_work_orders=True,
        notify_completions=True,
        phone="+13125550142;ext=12",
        locations=[north],
    )
    erin = ContactFactory(
        customer=customer,
        first_name="Erin",
        last_name="Night",
        role_emergency=True,
        notify_completions=True,
        mobile="+13125550199",
        locations=[north],
    )
    ContactFactory(
        customer=customer, first_name="Ed", last_name="South", role_emergency=True, locations=[south]
    )
    ray = ContactFactory(customer=customer, first_name="Ray", last_name="Level", role_emergency=True)
    lisa = ContactFactory(customer=customer, first_name="Lisa", last_name="Martinez", phone="+13125550111")
    work_order = WorkOrderFactory(
        customer=customer,
        location=north,
        summary="Chiller alarm",
        site_contact=mike,
        site_contact_name="Mike Johnson",
        requested_by=lisa,
        requested_by_name="Lisa Martinez",
    )
    return SimpleNamespace(
        customer=customer,
        north=north,
        south=south,
        mike=mike,
        erin=erin,
        ray=ray,
        lisa=lisa,
        work_order=work_order,
    )


def detail(work_order) -> str:
    return f"/work-orders/{work_order.pk}/"


def step_url(work_order, to: str) -> str:
    return f"/work-orders/{work_order.pk}/status/?to={to}"


def text(response) -> str:
    return response.content.decode()


# The buttons and the step forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "labels"),
    [
        ("open", ["Schedule", "Start", "Cancel work order"]),
        ("scheduled", ["Start", "Reopen", "Cancel work order"]),
        ("in_progress", ["Complete", "Cancel work order"]),
        ("completed", []),
        ("cancelled", []),
    ],
)
def test_the_page_offers_one_button_per_allowed_step(staff, scene, status, labels):
    WorkOrder.objects.filter(pk=scene.work_order.pk).update(
        status=status,
        cancel_reason="Not needed" if status == "cancelled" else "",
        scheduled_start=MONDAY_NOON if status == "scheduled" else None,
    )
    page = text(staff.get(detail(scene.work_order)))
    group = re.search(r'aria-label="Next steps">(.*?)</div>', page, re.S)
    found = re.findall(r'href="/work-orders/\d+/status/\?to=(\w+)">([^<]+)</a>', group[1]) if group else []
    assert [label for _, label in found] == labels
    assert [to for to, _ in found] == list(WorkOrder.TRANSITIONS[status])
    assert (f"/work-orders/{scene.work_order.pk}/edit/" in page) is (status not in ("completed", "cancelled"))


def test_a_technician_reads_the_page_without_buttons_and_may_not_take_a_step(client, technician, scene):
    client.force_login(technician)
    page = text(client.get(detail(scene.work_order)))
    assert "Chiller alarm" in page and "/status/?to=" not in page and "/edit/" not in page
    assert client.get(step_url(scene.work_order, "scheduled")).status_code == 403
    with assert_unchanged(WorkOrder, Message):
        response = client.post(step_url(scene.work_order, "in_progress"), {"to": "in_progress"})
    assert response.status_code == 403


def test_the_step_form_shows_who_will_be_notified_before_saving(staff, scene):
    WorkOrder.objects.filter(pk=scene.work_order.pk).update(status="in_progress")
    with assert_unchanged(WorkOrder, Message):
        page = text(staff.get(step_url(scene.work_order, "completed")))
    assert "<h1>Complete W-" in page
    assert "Who will be notified" in page and "When the work order is completed" in page
    assert "Mike Johnson" in page and "Erin Night" in page
    assert "Opted into completion notifications" in page
    assert 'name="completion_note"' in page and 'name="version"' in page


def test_completing_from_the_page_says_how_many_messages_were_queued(staff, scene):
    WorkOrder.objects.filter(pk=scene.work_order.pk).update(status="in_progress")
    form = text(staff.get(step_url(scene.work_order, "completed")))
    version = re.search(r'name="version" value="(\d+)"', form)[1]
    response = staff.post(
        step_url(scene.work_order, "completed"),
        {"to": "completed", "version": version, "completion_note": "Reset the compressor."},
        follow=True,
    )
    assert response.redirect_chain == [(detail(scene.work_order), 302)]
    page = text(response)
    assert f"Work order {scene.work_order.number} completed; 2 messages queued." in page
    assert "Reset the compressor." in page
    work_order = WorkOrder.objects.get(pk=scene.work_order.pk)
    assert (work_order.status, work_order.completion_note) == ("completed", "Reset the compressor.")
    assert Message.objects.filter(event="work_order.completed").count() == 2


def test_scheduling_from_the_page_records_the_visit_and_technician(staff, scene):
    sam = UserFactory(username="sam", first_name="Sam", last_name="Carter")
    UserFactory(username="former", first_name="Former", last_name="Tech", is_active=False)
    form = text(staff.get(step_url(scene.work_order, "scheduled")))
    assert 'type="datetime-local"' in form and "Sam Carter" in form and "Former Tech" not in form
    response = staff.post(
        step_url(scene.work_order, "scheduled"),
        {"to": "scheduled", "scheduled_start": "2031-03-04T09:30", "scheduled_end": "", "technician": sam.pk},
        follow=True,
    )
    assert f"Work order {scene.work_order.number} scheduled; 1 message queued." in text(response)
    work_order = WorkOrder.objects.get(pk=scene.work_order.pk)
    assert work_order.scheduled_start == datetime.datetime(2031, 3, 4, 9, 30, tzinfo=datetime.UTC)
    assert work_order.technician == sam
    assert 'id="technician">Sam Carter<' in text(response)


def test_a_step_without_what_it_needs_is_refused_on_the_form(staff, scene):
    for to, field in (("scheduled", "scheduled_start"), ("cancelled", "cancel_reason")):
        with assert_unchanged(WorkOrder, Message):
            response = staff.post(step_url(scene.work_order, to), {"to": to})
        assert response.status_code == 200
        page = text(response)
        assert "field--invalid" in page and f'name="{field}"' in page


def test_a_service_refusal_is_shown_next_to_its_field(staff, scene):
    with assert_unchanged(WorkOrder, Message):
        response = staff.post(
            step_url(scene.work_order, "scheduled"),
            {"to": "scheduled", "scheduled_start": "2031-03-04T09:30", "scheduled_end": "2031-03-04T08:00"},
        )
    assert response.status_code == 200
    assert "The visit cannot end before it starts." in text(response)


def test_a_step_out_of_order_is_refused_naming_both_statuses(staff, scene):
    work_order = scene.work_order
    with assert_unchanged(WorkOrder, Message):
        page = staff.get(step_url(work_order, "completed"))
    assert page.status_code == 409
    assert f"Work order {work_order.number} cannot go from open to completed" in text(page)
    with assert_unchanged(WorkOrder, Message):
        response = staff.post(step_url(work_order, "completed"), {"to": "completed"}, follow=True)
    assert response.redirect_chain == [(detail(work_order), 302)]
    assert "cannot go from open to completed" in text(response)
    assert staff.get(step_url(work_order, "lost")).status_code == 400


def test_a_step_over_someone_elses_change_is_refused_and_shows_it(staff, scene, admin_user):
    from clientbase.workorders import services

    work_order = scene.work_order
    form = text(staff.get(step_url(work_order, "in_progress")))
    version = re.search(r'name="version" value="(\d+)"', form)[1]
    services.update_work_order(
        work_order=work_order, acting_user=admin_user, data={"summary": "Chiller alarm, loud"}
    )
    with assert_unchanged(WorkOrder, Message):
        response = staff.post(step_url(work_order, "in_progress"), {"to": "in_progress", "version": version})
    assert response.status_code == 409
    page = text(response)
    assert "changed by someone else since you opened this form" in page and "Chiller alarm, loud" in page


def test_a_step_of_a_work_order_out_of_reach_is_404(staff):
    assert staff.get("/work-orders/999999/status/?to=scheduled").status_code == 404


# The edit page ---------------------------------------------------------------------------------------------


def test_the_edit_page_changes_the_details_and_carries_the_version(staff, scene):
    work_order = scene.work_order
    form = text(staff.get(f"/work-orders/{work_order.pk}/edit/"))
    assert f'name="version" value="{work_order.version}"' in form
    assert 'name="scheduled_start"' not in form  # an open work order has no visit yet
    response = staff.post(
        f"/work-orders/{work_order.pk}/edit/",
        {
            "version": work_order.version,
            "location": scene.north.pk,
            "summary": "Chiller alarm at night",
            "description": "Twice this week",
            "requested_by": scene.lisa.pk,
            "site_contact": scene.mike.pk,
        },
        follow=True,
    )
    assert response.redirect_chain == [(detail(work_order), 302)]
    # The contacts told of the change are counted, as after a step.
    assert f"Work order {work_order.number} saved; 1 message queued." in text(response)
    work_order.refresh_from_db()
    assert (work_order.summary, work_order.description) == ("Chiller alarm at night", "Twice this week")


def test_the_edit_page_reschedules_a_scheduled_work_order(staff, scene):
    work_order = scene.work_order
    WorkOrder.objects.filter(pk=work_order.pk).update(status="scheduled", scheduled_start=MONDAY_NOON)
    work_order.refresh_from_db()
    form = text(staff.get(f"/work-orders/{work_order.pk}/edit/"))
    assert 'value="2030-01-07T12:00"' in form
    staff.post(
        f"/work-orders/{work_order.pk}/edit/",
        {
            "version": work_order.version,
            "location": scene.north.pk,
            "summary": work_order.summary,
            "site_contact": scene.mike.pk,
            "requested_by": scene.lisa.pk,
            "scheduled_start": "2030-01-08T08:00",
        },
    )
    work_order.refresh_from_db()
    assert work_order.scheduled_start == datetime.datetime(2030, 1, 8, 8, 0, tzinfo=datetime.UTC)
    assert "Scheduled start" in [c["field"] for c in Message.objects.get().context["facts"]["changes"]]


def test_the_edit_page_refuses_a_stale_save_and_an_asset_of_another_location(staff, scene, admin_user):
    from clientbase.workorders import services
    from tests.factories import AssetFactory

    work_order = scene.work_order
    loaded = work_order.version
    services.update_work_order(
        work_order=work_order, acting_user=admin_user, data={"description": "Meanwhile"}
    )
    body = {"version": loaded, "location": scene.north.pk, "summary": "Mine", "site_contact": scene.mike.pk}
    with assert_unchanged(WorkOrder):
        stale = staff.post(f"/work-orders/{work_order.pk}/edit/", body)
    assert stale.status_code == 409 and "Meanwhile" in text(stale)
    south_unit = AssetFactory(location=scene.south, name="Boiler S-1")
    body = {**body, "version": loaded + 1, "asset": south_unit.pk}
    with assert_unchanged(WorkOrder):
        refused = staff.post(f"/work-orders/{work_order.pk}/edit/", body)
    assert refused.status_code == 200 and "Select a valid choice" in text(refused)


def test_the_edit_page_keeps_a_contact_and_an_asset_that_moved_away(staff, scene, admin_user, other_customer):
    from clientbase.contacts.services import move_contact
    from tests.factories import AssetFactory

    unit = AssetFactory(location=scene.north, name="Chiller N-1")
    work_order = scene.work_order
    WorkOrder.objects.filter(pk=work_order.pk).update(asset=unit)
    move_contact(acting_user=admin_user, contact=scene.lisa, customer=other_customer)
    AssetFactory._meta.model.objects.filter(pk=unit.pk).update(location=scene.south)
    work_order.refresh_from_db()
    edit = f"/work-orders/{work_order.pk}/edit/"
    html = staff.get(edit).content.decode()
    # Both are still chosen, so that a save as the browser sends it keeps them.
    assert re.search(rf'<option value="{scene.lisa.pk}" selected>Lisa Martinez \(now another customer', html)
    assert re.search(rf'<option value="{unit.pk}" selected>Chiller N-1 \(South', html)
    staff.post(
        edit,
        {
            "version": work_order.version,
            "location": scene.north.pk,
            "asset": unit.pk,
            "summary": work_order.summary,
            "description": "Bring the ladder",
            "requested_by": scene.lisa.pk,
            "site_contact": scene.mike.pk,
        },
    )
    work_order.refresh_from_db()
    assert work_order.description == "Bring the ladder"
    assert (work_order.requested_by_id, work_order.requested_by_name) == (scene.lisa.pk, "Lisa Martinez")
    assert work_order.asset_id == unit.pk


def test_the_edit_page_offers_only_the_assets_of_the_location_chosen(staff, scene):
    from tests.factories import AssetFactory

    AssetFactory(location=scene.north, name="Chiller N-1")
    AssetFactory(location=scene.south, name="Boiler S-1")
    edit = f"/work-orders/{scene.work_order.pk}/edit/"
    page = text(staff.get(edit))
    assert "Chiller N-1" in page and "Boiler S-1" not in page
    # Choosing another location refreshes the asset field with that location's assets.
    refreshed = text(staff.get(edit, {"location": scene.south.pk}, headers={"HX-Request": "true"}))
    field = refreshed[refreshed.index('id="asset-field"') :]
    field = field[: field.index("</select>")]
    assert "Boiler S-1" in field and "Chiller N-1" not in field
    # No location, no asset to choose; a bad location is no location.
    for location in ("", "x"):
        none = text(staff.get(edit, {"location": location}))
        field = none[none.index('id="asset-field"') :]
        assert "Choose the location first." in field and "Chiller N-1" not in field


def test_a_closed_work_order_has_no_edit_page(staff, scene):
    WorkOrder.objects.filter(pk=scene.work_order.pk).update(status="completed")
    response = staff.get(f"/work-orders/{scene.work_order.pk}/edit/")
    assert response.status_code == 409 and "a closed work order cannot be changed" in text(response)


def test_the_work_order_page_shows_its_history_in_words(staff, scene, dispatcher):
    from clientbase.workorders import services

    sam = UserFactory(username="sam", first_name="Sam", last_name="Carter", is_staff=True)
    services.update_work_order(
        work_order=scene.work_order,
        acting_user=dispatcher,
        data={"status": "scheduled", "scheduled_start": MONDAY_NOON, "technician": sam},
    )
    page = text(staff.get(detail(scene.work_order)))
    history = page[page.index('id="history"') :]
    assert "Changed" in history and "by dispatcher" in history
    assert "Status</span>: <del>Open</del> → <ins>Scheduled</ins>" in history
    # The technician by the name the work order keeps, once.
    assert "Technician</span>: <del>empty</del> → <ins>Sam Carter</ins>" in history
    assert "Technician name" not in history and "<ins>sam</ins>" not in history
    assert "Created" in history


# Who to call -------------------------------------------------------------------------------------------------


def names_in_order(page: str) -> list[str]:
    section = page[page.index('id="who-to-call"') :]
    section = section[: section.index("</section>")]
    return re.findall(r'<a href="/contacts/\d+/">([^<]+)</a>', section)


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): the work-order pages' “now” is `moment`."""

    def set_to(moment: datetime.datetime) -> None:
        monkeypatch.setattr(views, "timezone", SimpleNamespace(now=lambda: moment))

    return set_to


def test_within_business_hours_the_site_contact_comes_first(staff, scene, clock):
    clock(MONDAY_NOON)
    page = text(staff.get(detail(scene.work_order)))
    assert names_in_order(page) == ["Mike Johnson", "Erin Night", "Ray Level", "Lisa Martinez"]
    assert "Within business hours (Mon-Fri 08:00-18:00)" in page
    assert "Ed South" not in page  # an emergency contact of another site


def test_outside_business_hours_the_emergency_contacts_come_first(staff, scene, clock):
    clock(SATURDAY_NIGHT)
    page = text(staff.get(detail(scene.work_order)))
    assert names_in_order(page) == ["Erin Night", "Ray Level", "Mike Johnson", "Lisa Martinez"]
    assert "Outside business hours</strong> (Mon-Fri 08:00-18:00)" in page


def test_the_business_hours_come_from_the_setting(staff, scene, clock, settings):
    settings.CLIENTBASE_BUSINESS_HOURS = "Sat 20:00-24:00"
    clock(SATURDAY_NIGHT)
    assert names_in_order(text(staff.get(detail(scene.work_order))))[0] == "Mike Johnson"


def test_numbers_are_tel_links_with_their_extension_and_the_access_notes_follow(staff, scene, clock):
    clock(MONDAY_NOON)
    page = text(staff.get(detail(scene.work_order)))
    assert '<a class="tel" href="tel:+13125550142;ext=12">+1 312-555-0142 ext. 12</a>' in page
    assert '<a class="tel" href="tel:+13125550199">+1 312-555-0199</a>' in page
    assert "Key at the gatehouse; ask for the chief engineer." in page
    assert page.count(">Emergency contact<") == 2 and ">Site contact<" in page and ">Requester<" in page


def test_a_person_in_two_roles_is_listed_once_with_both(staff, scene, clock):
    scene.mike.role_emergency = True
    scene.mike.save()
    clock(SATURDAY_NIGHT)
    page = text(staff.get(detail(scene.work_order)))
    # Linked to the site first, then by name; his site-contact role is told beside the emergency one.
    assert names_in_order(page) == ["Mike Johnson", "Erin Night", "Ray Level", "Lisa Martinez"]
    assert page.count("Mike Johnson</a>") == 2  # the "Who" panel and once here
    mike = page[page.index('id="who-to-call"') :]
    mike = mike[mike.index("Mike Johnson</a>") : mike.index("Erin Night</a>")]
    assert '<span class="tag">Emergency contact</span><span class="tag">Site contact</span>' in mike


def test_without_a_location_only_customer_level_emergency_contacts_are_listed(staff, scene, clock):
    clock(SATURDAY_NIGHT)
    work_order = WorkOrderFactory(customer=scene.customer, summary="Anywhere")
    page = text(staff.get(detail(work_order)))
    assert names_in_order(page) == ["Ray Level"]
    assert "Access notes" not in page


def test_who_cannot_see_contacts_gets_the_names_stored_without_numbers(client, scene, clock):
    from django.contrib.auth.models import Permission

    clock(MONDAY_NOON)
    reader = UserFactory(username="reader")
    reader.user_permissions.add(*Permission.objects.filter(codename__in=["view_workorder", "view_location"]))
    client.force_login(reader)
    page = text(client.get(detail(scene.work_order)))
    section = page[page.index('id="who-to-call"') :]
    assert "Mike Johnson" in section and "Lisa Martinez" in section
    assert "tel:" not in section and "Erin Night" not in section


def test_a_contact_moved_to_another_customer_is_listed_by_name_without_numbers(
    staff, scene, clock, admin_user, other_customer
):
    from clientbase.contacts.services import move_contact

    clock(MONDAY_NOON)
    move_contact(acting_user=admin_user, contact=scene.lisa, customer=other_customer)
    page = text(staff.get(detail(scene.work_order)))
    section = page[page.index('id="who-to-call"') :]
    section = section[: section.index("</section>")]
    assert names_in_order(page) == ["Mike Johnson", "Erin Night", "Ray Level"]
    assert "Lisa Martinez" in section and "tel:+13125550111" not in section


def test_the_page_costs_the_same_however_many_emergency_contacts(
    staff, scene, clock, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clock(MONDAY_NOON)
    staff.get(detail(scene.work_order))
    with CaptureQueriesContext(connection) as few:
        staff.get(detail(scene.work_order))
    for number in range(15):
        ContactFactory(
            customer=scene.customer,
            role_emergency=True,
            mobile=f"+1312555{number:04d}",
            locations=[scene.north],
        )
    with django_assert_max_num_queries(len(few)):
        staff.get(detail(scene.work_order))


# The list's filters ------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_technician_and_days(staff, scene):
    sam = UserFactory(username="sam", first_name="Sam", last_name="Carter")
    visit = WorkOrderFactory(
        customer=scene.customer,
        summary="Visit job",
        status="scheduled",
        scheduled_start=MONDAY_NOON,
        technician=sam,
    )
    page = text(staff.get("/work-orders/"))
    assert 'name="technician"' in page and 'name="created_from"' in page and 'name="scheduled_on"' in page
    assert f'<option value="{sam.pk}">Sam Carter</option>' in page
    by_technician = text(staff.get("/work-orders/", {"technician": sam.pk}))
    assert visit.number in by_technician and "Chiller alarm" not in by_technician
    by_day = text(staff.get("/work-orders/", {"scheduled_on": "2030-01-07", "status": "scheduled"}))
    assert visit.number in by_day and "Chiller alarm" not in by_day
    assert "Chiller alarm" not in text(staff.get("/work-orders/", {"created_to": "2001-01-01"}))


def test_a_days_visits_are_listed_by_their_start(staff, scene):
    later = WorkOrderFactory(
        customer=scene.customer, status="scheduled", scheduled_start=MONDAY_NOON + datetime.timedelta(hours=2)
    )
    earlier = WorkOrderFactory(customer=scene.customer, status="scheduled", scheduled_start=MONDAY_NOON)
    page = text(staff.get("/work-orders/"))
    assert page.index(earlier.number) < page.index(later.number)  # newest first
    day = text(staff.get("/work-orders/", {"scheduled_on": "2030-01-07"}))
    assert day.index(earlier.number) < day.index(later.number)
    WorkOrder.objects.filter(pk=later.pk).update(scheduled_start=MONDAY_NOON - datetime.timedelta(hours=2))
    day = text(staff.get("/work-orders/", {"scheduled_on": "2030-01-07"}))
    assert day.index(later.number) < day.index(earlier.number)


# From the contact page -----------------------------------------------------------------------------------------


def test_the_contact_page_starts_a_work_order_and_a_quote_for_the_contact(client, admin_user, scene):
    client.force_login(admin_user)
    lisa, customer = scene.lisa, scene.customer
    page = text(client.get(f"/contacts/{lisa.pk}/"))
    section = page[page.index('id="work-and-quotes"') :]
    new_work_order = f"/work-orders/new/?customer={customer.pk}&amp;requested_by={lisa.pk}"
    new_quote = f"/quotes/new/?customer={customer.pk}&amp;contact={lisa.pk}"
    assert f'href="{new_work_order}">New work order</a>' in section
    assert f'href="{new_quote}">New quote</a>' in section

    wizard = text(client.get(new_work_order.replace("&amp;", "&")))
    assert re.search(rf'<option value="{lisa.pk}" selected>Lisa Martinez</option>', wizard)
    client.post(
        "/work-orders/new/", {"customer": customer.pk, "summary": "Door sticks", "requested_by": lisa.pk}
    )
    assert WorkOrder.objects.get(summary="Door sticks").requested_by_name == "Lisa Martinez"

    form = text(client.get(new_quote.replace("&amp;", "&")))
    assert "Addressed to" in form and re.search(
        rf'<option value="{lisa.pk}" selected>Lisa Martinez</option>', form
    )
    response = client.post(
        "/quotes/new/", {"customer": customer.pk, "amount": "250.00", "contact": lisa.pk}, follow=True
    )
    quote = Quote.objects.get()
    assert (quote.contact, quote.contact_name) == (lisa, "Lisa Martinez")
    assert 'id="addressed-to"><a href="/contacts/' in text(response)
    section = text(client.get(f"/contacts/{lisa.pk}/"))
    assert quote.number in section[section.index('id="work-and-quotes"') :]


def test_the_buttons_are_for_who_may_and_for_active_contacts(as_user_client, technician, scene):
    client = as_user_client(technician)
    page = text(client.get(f"/contacts/{scene.lisa.pk}/"))
    assert "New work order</a>" not in page and "New quote</a>" not in page
    inactive = ContactFactory(customer=scene.customer, status="inactive")
    client = as_user_client(UserFactory(username="boss", is_superuser=True))
    page = text(client.get(f"/contacts/{inactive.pk}/"))
    assert 'id="work-and-quotes"' in page and "New work order</a>" not in page


@pytest.fixture
def as_user_client(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_a_work_order_from_a_contact_of_one_site_starts_at_that_site(client, admin_user, scene):
    client.force_login(admin_user)
    mike = scene.mike  # linked to the north site only
    page = text(client.get(f"/contacts/{mike.pk}/"))
    start = f"/work-orders/new/?customer={scene.customer.pk}&amp;requested_by={mike.pk}&amp;location={scene.north.pk}"
    assert f'href="{start}">New work order</a>' in page
    wizard = text(client.get(start.replace("&amp;", "&")))
    assert re.search(rf'<option value="{scene.north.pk}" selected>', wizard)
