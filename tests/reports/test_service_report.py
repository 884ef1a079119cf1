"""The service report's figures on a hand-built set (the same exact numbers on SQLite and
PostgreSQL), its period in TIME_ZONE, its order, its pages, and its constant number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.reports import selectors
from clientbase.reports.params import ServiceQuery
from tests.factories import CustomerFactory, LocationFactory
from tests.reports.conftest import (
    at,
    expected_by_asset,
    expected_by_customer,
    expected_by_location,
    expected_in_march_6_to_21,
    work_order,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/service/"


def report(user, **query) -> list[dict]:
    rows = selectors.service_report(user, ServiceQuery(**query))
    return [selectors.service_row(query["group_by"], row).as_dict() for row in rows]


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [("customer", expected_by_customer), ("location", expected_by_location), ("asset", expected_by_asset)],
)
def test_the_figures_of_each_grouping(scene, dispatcher, api, group_by, expected):
    assert report(dispatcher, group_by=group_by) == expected(scene)
    response = api(dispatcher).get(URL, {"group_by": group_by})
    assert response.status_code == 200, response.content
    assert response.json() == {"results": expected(scene), "next": None, "previous": None}


def test_from_and_to_are_whole_days_both_included(scene, dispatcher, api):
    query = {"group_by": "customer", "from": "2024-03-06", "to": "2024-03-21"}
    response = api(dispatcher).get(URL, query)
    assert response.json()["results"] == expected_in_march_6_to_21(scene)
    # The same day as start and end: order 9 alone (created at midnight on the 6th).
    one_day = api(dispatcher).get(URL, {"group_by": "customer", "from": "2024-03-06", "to": "2024-03-06"})
    assert [(row["group"]["name"], row["total"]) for row in one_day.json()["results"]] == [
        ("Birch Offices", 1)
    ]
    # Open-ended on either side.
    since = api(dispatcher).get(URL, {"group_by": "customer", "from": "2024-04-01"}).json()["results"]
    assert [(row["group"]["name"], row["total"]) for row in since] == [("Acme Cooling", 1)]
    until = api(dispatcher).get(URL, {"group_by": "customer", "to": "2024-03-05"}).json()["results"]
    assert [(row["group"]["name"], row["total"]) for row in until] == [
        ("Acme Cooling", 1),
        ("Birch Offices", 1),
    ]


def test_days_are_those_of_the_time_zone(db, dispatcher, api, settings):
    """In New York, 02:00 UTC on 6 March is still the 5th; the last service is a day there too."""
    settings.TIME_ZONE = "America/New_York"
    customer = CustomerFactory(name="Delta Foods")
    work_order(customer, status="completed", created=at(2024, 3, 6, 2), completed=at(2024, 3, 9, 3))
    on_the_6th = api(dispatcher).get(URL, {"group_by": "customer", "from": "2024-03-06"}).json()["results"]
    assert on_the_6th == []
    on_the_5th = api(dispatcher).get(URL, {"group_by": "customer", "to": "2024-03-05"}).json()["results"]
    assert [(row["total"], row["last_service"]) for row in on_the_5th] == [(1, "2024-03-08")]


def test_another_customer_is_left_out_when_one_is_named(scene, dispatcher, api):
    response = api(dispatcher).get(URL, {"group_by": "location", "customer": scene.birch.pk})
    assert [row["group"]["name"] for row in response.json()["results"]] == ["Birch HQ"]
    acme = api(dispatcher).get(URL, {"group_by": "customer", "customer": scene.acme.pk}).json()["results"]
    assert acme == expected_by_customer(scene)[:1]


def test_a_customer_without_work_orders_answers_no_rows(scene, dispatcher, api):
    response = api(dispatcher).get(URL, {"group_by": "location", "customer": scene.cedar.pk})
    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None, "previous": None}


def test_the_mean_is_rounded_half_up_to_one_decimal():
    assert selectors.days(1.75) == 1.8
    assert selectors.days(Decimal("1.75")) == 1.8
    assert selectors.days(1.7499999999) == 1.8  # a float's error in day arithmetic
    assert selectors.days(2.04) == 2.0
    assert selectors.days(0.05) == 0.1
    assert selectors.days(0.0499) == 0.0
    assert selectors.days(None) is None


def test_the_databases_take_each_difference_in_days(db, dispatcher):
    """To the millisecond on SQLite, exactly on PostgreSQL: 1 day, 6 hours and 1.5 seconds."""
    customer = CustomerFactory(name="Fig Bakeries")
    created = at(2024, 2, 28, 23)
    work_order(
        customer,
        status="completed",
        created=created,
        completed=created + datetime.timedelta(days=1, hours=6, seconds=1.5),
    )
    row = selectors.service_report(dispatcher, ServiceQuery(group_by="customer")).get()
    assert abs(float(row["report_mean"]) - (1 + 6 / 24 + 1.5 / 86400)) < 1e-9
    assert selectors.service_row("customer", row).mean_days_to_complete == 1.3


def test_only_completed_orders_count_towards_the_mean_and_the_last_service(db, dispatcher):
    """A cancelled order that carries a completion time (data from elsewhere) counts for neither."""
    customer = CustomerFactory(name="Elm Clinics")
    work_order(customer, status="completed", created=at(2024, 1, 1), completed=at(2024, 1, 3))
    work_order(customer, status="cancelled", created=at(2024, 1, 1), completed=at(2024, 6, 1))
    (row,) = report(dispatcher, group_by="customer")
    assert (row["mean_days_to_complete"], row["last_service"], row["cancelled"]) == (2.0, "2024-01-03", 1)


def test_pages_by_number_in_the_report_order(db, dispatcher, api):
    """Five customers with 5, 4, 3, 3 and 1 orders: pages of two by total, then name."""
    for name, count in (("Fir", 3), ("Oak", 5), ("Ash", 3), ("Yew", 1), ("Elm", 4)):
        customer = CustomerFactory(name=name)
        for day in range(count):
            work_order(customer, created=at(2024, 5, day + 1))
    client = api(dispatcher)
    first = client.get(URL, {"group_by": "customer", "page_size": 2}).json()
    assert [row["group"]["name"] for row in first["results"]] == ["Oak", "Elm"]
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [row["group"]["name"] for row in second["results"]] == ["Ash", "Fir"]
    third = client.get(second["next"]).json()
    assert [row["group"]["name"] for row in third["results"]] == ["Yew"]
    assert third["next"] is None
    assert client.get(third["previous"]).json() == second


def test_one_query_whatever_the_number_of_groups(db, dispatcher, django_assert_num_queries):
    def add(count: int) -> None:
        for number in range(count):
            customer = CustomerFactory()
            site = LocationFactory(customer=customer)
            work_order(
                customer, location=site, status="completed", created=at(2024, 2, 1), completed=at(2024, 2, 2)
            )
            work_order(customer, location=site, created=at(2024, 2, number % 27 + 1))

    add(2)
    report(dispatcher, group_by="customer")  # the user's permissions, read once and kept
    for group_by in ("customer", "location", "asset"):
        with django_assert_num_queries(1):
            assert len(report(dispatcher, group_by=group_by, start=datetime.date(2024, 1, 1))) == 2
    add(40)
    for group_by in ("customer", "location", "asset"):
        with django_assert_num_queries(1):
            rows = report(dispatcher, group_by=group_by, start=datetime.date(2024, 1, 1))
        assert len(rows) == 42  # by asset: each customer's work on no particular asset


def test_the_api_asks_the_same_number_of_queries_for_2_and_40_groups(db, dispatcher, api):
    client = api(dispatcher)
    client.get(URL, {"group_by": "customer"})  # the user's permissions, read once and kept

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"group_by": "location", "customer": customer.pk, "page_size": 200})
        assert response.status_code == 200
        return len(captured)

    customer = CustomerFactory(name="Grove Hotels")
    for number in range(2):
        work_order(customer, location=LocationFactory(customer=customer), created=at(2024, 1, number + 1))
    few = queries()
    for number in range(38):
        work_order(
            customer, location=LocationFactory(customer=customer), created=at(2024, 2, number % 27 + 1)
        )
    assert queries() == few
    # The report's own read is one of them: the rest is the sign-in and the customer.
    assert few <= 4


def test_the_widest_period_a_date_holds(scene, dispatcher, api):
    response = api(dispatcher).get(URL, {"group_by": "customer", "from": "1900-01-01", "to": "9999-12-31"})
    assert response.status_code == 200
    assert response.json()["results"] == expected_by_customer(scene)
    late = api(dispatcher).get(URL, {"group_by": "customer", "from": "9999-12-31"})
    assert late.json()["results"] == []
