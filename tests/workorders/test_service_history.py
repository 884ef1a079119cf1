"""Service history: the asset, location, customer and contact pages list their work orders, newest
first, a page at a time, with number, summary, status and the days they were created, scheduled
and completed; their cost does not grow with the rows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.workorders.models import WorkOrder
from clientbase.workorders.views import HISTORY_PAGE_SIZE
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory
from tests.workorders.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
VISIT = datetime.datetime(2030, 5, 6, 8, 15, tzinfo=datetime.UTC)


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def place(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    return {
        "customer": customer,
        "north": north,
        "south": south,
        "unit": AssetFactory(location=north, name="Chiller N-1"),
        "other_unit": AssetFactory(location=north, name="Boiler N-2"),
        "contact": ContactFactory(
            customer=customer, first_name="Lisa", last_name="Martinez", locations=[north]
        ),
    }


def page_of(place, key: str) -> str:
    return {
        "asset": f"/assets/{place['unit'].pk}/",
        "location": f"/locations/{place['north'].pk}/",
        "customer": f"/customers/{place['customer'].pk}/",
        "contact": f"/contacts/{place['contact'].pk}/",
    }[key]


SECTION_ID = {
    "asset": "service-history",
    "location": "service-history",
    "customer": "work-orders",
    "contact": "work-and-quotes",
}


def section_of(html: str, key: str) -> str:
    start = html.index(f'id="{SECTION_ID[key]}"')
    return html[start : html.index("</section>", start)]


def belonging(place, key: str, **fields) -> WorkOrder:
    """A work order that belongs to the page `key` is about."""
    fields.setdefault("customer", place["customer"])
    if key in ("asset", "location"):
        fields.setdefault("location", place["north"])
    if key == "asset":
        fields.setdefault("asset", place["unit"])
    if key == "contact":
        fields.setdefault("requested_by", place["contact"])
    return WorkOrderFactory(**fields)


def aged(work_order: WorkOrder, days: int) -> WorkOrder:
    """Created `days` days before now."""
    when = work_order.created_at - datetime.timedelta(days=days)
    WorkOrder.objects.filter(pk=work_order.pk).update(created_at=when)
    work_order.refresh_from_db()
    return work_order


KEYS = ["asset", "location", "customer", "contact"]


@pytest.mark.parametrize("key", KEYS)
def test_the_page_lists_its_work_orders_newest_first_with_their_days(staff, place, key):
    old = aged(belonging(place, key, summary="Old leak"), days=30)
    done = aged(
        belonging(place, key, summary="Done job", status="completed", scheduled_start=VISIT),
        days=10,
    )
    newest = belonging(place, key, summary="New noise", status="scheduled", scheduled_start=VISIT)
    elsewhere = WorkOrderFactory(customer=CustomerFactory(), summary="Not here")
    section = section_of(staff.get(page_of(place, key)).content.decode(), key)
    numbers = re.findall(r'href="/work-orders/\d+/">(W-\d+)</a>', section)
    assert numbers == [newest.number, done.number, old.number]
    assert elsewhere.summary not in section
    row = section[section.index(done.number) :]
    row = row[: row.index("</tr>")]
    assert "Done job" in row and "Completed" in row
    assert done.created_at.strftime("%Y-%m-%d %H:%M") in row
    assert "2030-05-06 08:15" in row  # scheduled
    assert done.completed_at.strftime("%Y-%m-%d %H:%M") in row


def test_the_asset_page_lists_only_that_assets_work_orders(staff, place):
    mine = belonging(place, "asset", summary="Chiller trips")
    other = belonging(place, "asset", summary="Boiler cold", asset=place["other_unit"])
    section = section_of(staff.get(page_of(place, "asset")).content.decode(), "asset")
    assert mine.number in section and other.number not in section
    new = (
        f"/work-orders/new/?customer={place['customer'].pk}&amp;location={place['north'].pk}"
        f"&amp;asset={place['unit'].pk}"
    )
    assert f'href="{new}">New work order</a>' in section


def test_the_location_page_links_a_new_work_order_there(staff, place):
    section = section_of(staff.get(page_of(place, "location")).content.decode(), "location")
    assert "No work orders yet." in section
    assert f"/work-orders/new/?customer={place['customer'].pk}&amp;location={place['north'].pk}" in section


@pytest.mark.parametrize("key", KEYS)
def test_the_history_pages_and_costs_the_same_for_few_and_many(
    staff, place, key, django_assert_max_num_queries
):
    belonging(place, key, summary="First")
    url = page_of(place, key)
    staff.get(url)
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    rows = [aged(belonging(place, key, summary=f"Job {n}"), days=n) for n in range(1, HISTORY_PAGE_SIZE + 5)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = staff.get(url).content.decode()
    section = section_of(first, key)
    assert len(re.findall(r'href="/work-orders/\d+/"', section)) == HISTORY_PAGE_SIZE
    assert f'href="?page=2#{SECTION_ID[key]}" rel="next">Older' in section
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = staff.get(url, {"page": 2}).content.decode()
    section = section_of(second, key)
    assert rows[-1].number in section and 'rel="prev"' in section
    assert rows[0].number not in section


def test_who_may_not_see_work_orders_sees_no_history(client, place):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    reader = UserFactory(username="assets-only")
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_asset", "view_location", "view_customer"])
    )
    belonging(place, "asset", summary="Secret job")
    client.force_login(reader)
    for key in ("asset", "location"):
        page = client.get(page_of(place, key)).content.decode()
        assert 'id="service-history"' not in page and "Secret job" not in page


def test_a_technician_sees_the_history_without_the_new_button(client, technician, place):
    belonging(place, "asset", summary="Chiller trips")
    client.force_login(technician)
    section = section_of(client.get(page_of(place, "asset")).content.decode(), "asset")
    assert "Chiller trips" in section and "New work order" not in section


def test_an_asset_at_another_customer_shows_none_of_ours(staff, place):
    foreign = AssetFactory(location=LocationFactory(customer=CustomerFactory()), name="Foreign unit")
    belonging(place, "asset", summary="Ours")
    section = section_of(staff.get(f"/assets/{foreign.pk}/").content.decode(), "asset")
    assert "Ours" not in section and "No work orders yet." in section
