"""Idle assets: the assets whose latest completed work order (or none) is older than N months,
with their site, customer, installation day and last service; retired assets and those installed
since left out; scoped; one query a page; paged by keyset."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientbase.reports import selectors
from clientbase.reports.params import IdleQuery
from tests.factories import AssetFactory, CustomerFactory, LocationFactory
from tests.reports.conftest import work_order

pytestmark = pytest.mark.django_db

IDLE = "/api/v1/reports/idle-assets/"


def days_ago(count: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=count)


@pytest.fixture
def fleet(db):
    """At Ivy Towers' Ivy Yard: serviced 60 days ago, 430 days ago, never (installed 2020), never
    (installed a month ago), retired; an open order and a recent cancelled one do not count as
    service. At Juniper Labs: one never serviced."""
    ivy = CustomerFactory(name="Ivy Towers")
    yard = LocationFactory(customer=ivy, name="Ivy Yard")
    recent = AssetFactory(location=yard, name="A recently serviced chiller")
    old = AssetFactory(
        location=yard, name="B long ago serviced boiler", installed_on=datetime.date(2019, 4, 1)
    )
    never = AssetFactory(location=yard, name="C never serviced pump", installed_on=datetime.date(2020, 5, 1))
    new = AssetFactory(
        location=yard, name="D new fan", installed_on=timezone.localdate() - datetime.timedelta(days=30)
    )
    AssetFactory(location=yard, name="E retired tower", status="retired", installed_on=None)
    unknown = AssetFactory(location=yard, name="F undated lift", installed_on=None)
    work_order(
        ivy, location=yard, asset=recent, status="completed", created=days_ago(62), completed=days_ago(60)
    )
    work_order(
        ivy, location=yard, asset=recent, status="completed", created=days_ago(500), completed=days_ago(499)
    )
    work_order(
        ivy, location=yard, asset=old, status="completed", created=days_ago(431), completed=days_ago(430)
    )
    work_order(ivy, location=yard, asset=old, status="open", created=days_ago(3))
    work_order(ivy, location=yard, asset=old, status="cancelled", created=days_ago(20), completed=days_ago(2))
    juniper = CustomerFactory(name="Juniper Labs")
    lab = LocationFactory(customer=juniper, name="Juniper Lab")
    lift = AssetFactory(location=lab, name="Juniper lift")
    return {"ivy": ivy, "juniper": juniper, "yard": yard, "lab": lab, "recent": recent, "old": old,
            "never": never, "new": new, "unknown": unknown, "lift": lift}  # fmt: skip


def names(results: list[dict]) -> list[str]:
    return [row["asset"]["name"] for row in results]


def test_idle_for_a_year_by_default(fleet, dispatcher, api):
    response = api(dispatcher).get(IDLE, {"customer": fleet["ivy"].pk})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert names(results) == ["B long ago serviced boiler", "C never serviced pump", "F undated lift"]
    old = results[0]
    assert old == {
        "asset": {
            "id": fleet["old"].pk,
            "name": "B long ago serviced boiler",
            "serial_number": fleet["old"].serial_number,
        },
        "location": {"id": fleet["yard"].pk, "name": "Ivy Yard"},
        "customer": {"id": fleet["ivy"].pk, "name": "Ivy Towers"},
        "installed_on": "2019-04-01",
        "last_service": timezone.localtime(days_ago(430)).date().isoformat(),
    }
    assert (results[1]["last_service"], results[1]["installed_on"]) == (None, "2020-05-01")
    assert (results[2]["last_service"], results[2]["installed_on"]) == (None, None)


def test_months_moves_the_cut_off(fleet, dispatcher, api):
    client = api(dispatcher)
    one = client.get(IDLE, {"customer": fleet["ivy"].pk, "months": 1}).json()["results"]
    # Serviced 60 days ago: idle for a month; the fan installed a month ago is not (yet).
    assert names(one) == ["A recently serviced chiller", "B long ago serviced boiler", "C never serviced pump",
                          "F undated lift"]  # fmt: skip
    assert one[0]["last_service"] == timezone.localtime(days_ago(60)).date().isoformat()
    twenty = client.get(IDLE, {"customer": fleet["ivy"].pk, "months": 20}).json()["results"]
    assert names(twenty) == ["C never serviced pump", "F undated lift"]
    # Ten years: the pump, installed in 2020, has not been in place that long.
    most = client.get(IDLE, {"customer": fleet["ivy"].pk, "months": 120}).json()["results"]
    assert names(most) == ["F undated lift"]


def test_every_visible_customer_unless_one_is_named(fleet, dispatcher, api):
    everyone = api(dispatcher).get(IDLE).json()["results"]
    assert "Juniper lift" in names(everyone)
    juniper = api(dispatcher).get(IDLE, {"customer": fleet["juniper"].pk}).json()["results"]
    assert names(juniper) == ["Juniper lift"]


def test_the_cut_off_is_calendar_months_before_today():
    assert selectors.months_before(datetime.date(2025, 3, 31), 1) == datetime.date(2025, 2, 28)
    assert selectors.months_before(datetime.date(2024, 3, 31), 1) == datetime.date(2024, 2, 29)
    assert selectors.months_before(datetime.date(2025, 1, 15), 12) == datetime.date(2024, 1, 15)
    assert selectors.months_before(datetime.date(2025, 1, 15), 120) == datetime.date(2015, 1, 15)
    assert selectors.months_before(datetime.date(2025, 1, 15), 1) == datetime.date(2024, 12, 15)


def test_served_on_the_cut_off_day_is_not_idle(db, dispatcher):
    """Idle: the last service before the cut-off day (in TIME_ZONE); on that day it is not."""
    today = datetime.date(2025, 6, 15)
    customer = CustomerFactory()
    site = LocationFactory(customer=customer)
    on_the_day = AssetFactory(location=site, name="On the day")
    the_day_before = AssetFactory(location=site, name="The day before")
    cutoff = selectors.day_start(datetime.date(2024, 6, 15))
    work_order(
        customer, location=site, asset=on_the_day, status="completed", created=cutoff, completed=cutoff
    )
    before = cutoff - datetime.timedelta(seconds=1)
    work_order(
        customer, location=site, asset=the_day_before, status="completed", created=before, completed=before
    )
    idle = selectors.idle_assets(dispatcher, IdleQuery(months=12), today=today)
    assert [asset.name for asset in idle] == ["The day before"]


def test_one_query_a_page_and_pages_by_keyset(db, dispatcher, api, django_assert_num_queries):
    customer = CustomerFactory(name="Kelp Marine")
    site = LocationFactory(customer=customer, name="Kelp Dock")
    for number in range(7):
        asset = AssetFactory(location=site, name=f"Winch {number}")
        work_order(
            customer,
            location=site,
            asset=asset,
            status="completed",
            created=days_ago(800),
            completed=days_ago(799),
        )
    list(selectors.idle_assets(dispatcher, IdleQuery()))  # the user's permissions, read once and kept
    with django_assert_num_queries(1):
        rows = [
            selectors.idle_asset_dict(asset) for asset in selectors.idle_assets(dispatcher, IdleQuery())[:50]
        ]
    assert len(rows) == 7
    client = api(dispatcher)
    first = client.get(IDLE, {"page_size": 3}).json()
    assert names(first["results"]) == ["Winch 0", "Winch 1", "Winch 2"]
    assert "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert names(second["results"]) == ["Winch 3", "Winch 4", "Winch 5"]
    third = client.get(second["next"]).json()
    assert (names(third["results"]), third["next"]) == (["Winch 6"], None)
    assert names(client.get(third["previous"]).json()["results"]) == ["Winch 3", "Winch 4", "Winch 5"]
