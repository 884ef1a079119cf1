"""The staff page `/reports/`: the navigation entry, the filters as a GET form, the table and its
chart (SVG, no style attributes), the download links keeping the filters, the idle assets with their
months, the empty states, and the refusals (bad filters named next to their field, a customer that
does not exist, who may not see the page)."""

from __future__ import annotations

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from tests.factories import AssetFactory, CustomerFactory, LocationFactory
from tests.reports.conftest import at, work_order

pytestmark = pytest.mark.django_db

PAGE = "/reports/"


@pytest.fixture
def signed_in(client, dispatcher):
    client.force_login(dispatcher)
    return client


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_navigation_offers_reports_to_who_may_view_work_orders(client, dispatcher, nobody):
    client.force_login(dispatcher)
    assert '<a href="/reports/"' in client.get("/customers/").content.decode()
    client.force_login(nobody)
    assert '<a href="/reports/"' not in client.get("/").content.decode()


def test_by_customer_by_default(scene, signed_in):
    response = signed_in.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="page">Reports</a>' in html
    text = text_of(response)
    assert "Work orders per customer" in text
    assert "Acme Cooling per site of Acme Cooling 7 3 3 1 2.3 2024-04-05" in text
    assert "Birch Offices per site of Birch Offices 2 1 1 0 0.5 2024-03-05" in text
    assert "All customers 9 4 4 1" in text
    assert "Cedar Foods" not in text
    # The chart: a bar per row, its segments as SVG rectangles of the largest total (7).
    assert (
        '<rect class="report-chart__seg report-chart__seg--completed" x="0" width="42.86" height="1">' in html
    )
    assert (
        '<rect class="report-chart__seg report-chart__seg--open" x="42.86" width="42.86" height="1">' in html
    )
    assert 'class="report-chart__rows" aria-hidden="true"' in html
    assert "style=" not in html
    # Downloads keep the filters.
    assert 'href="/reports/service/download/?group_by=customer&amp;format=csv"' in html


def test_filtered_by_location_of_one_customer_in_a_period(scene, signed_in):
    response = signed_in.get(
        PAGE,
        {"group_by": "location", "customer": scene.acme.number, "from": "2024-03-01", "to": "2024-03-31"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert "Service reports: Acme Cooling" in text
    assert "North Plant Acme Cooling 3 1 2 0 1.8 2024-03-11" in text
    assert "South Plant Acme Cooling 2 1 0 1 none completed none" in text
    assert "Not at one particular site Acme Cooling 1 1 0 0" in text
    assert "Birch" not in text
    assert f'value="{scene.acme.number}"' in html
    assert '<option value="location" selected>' in html
    assert 'value="2024-03-01"' in html
    query = f"group_by=location&amp;customer={scene.acme.pk}&amp;from=2024-03-01&amp;to=2024-03-31"
    assert f'href="/reports/service/download/?{query}&amp;format=csv"' in html
    assert f'href="/reports/service/download/?{query}&amp;format=xlsx"' in html
    # A customer given by its id reads the same, shown by its number.
    by_id = signed_in.get(PAGE, {"group_by": "location", "customer": scene.acme.pk})
    assert f'value="{scene.acme.number}"' in by_id.content.decode()


def test_a_customer_row_leads_to_its_sites(scene, signed_in):
    html = signed_in.get(PAGE, {"from": "2024-03-01"}).content.decode()
    assert f'href="?group_by=location&amp;customer={scene.acme.pk}&amp;from=2024-03-01"' in html


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"group_by": "contact"}, "group_by", "“contact” is none of customer, location, asset."),
        ({"from": "2024-02-30"}, "from", "Not a date: write it as YYYY-MM-DD (a day from 1900-01-01 on)."),
        (
            {"from": "2024-03-02", "to": "2024-03-01"},
            "to",
            "Before “from” (2024-03-02): a period cannot end before it starts.",
        ),
        ({"customer": "Acme"}, "customer", "A customer's number, such as C-000042."),
    ],
)
def test_a_bad_filter_is_named_and_the_report_not_shown(scene, signed_in, query, field, message):
    response = signed_in.get(PAGE, query)
    assert response.status_code == 400
    text = text_of(response)
    assert message in text
    assert f"{field}: {message}" in text  # the summary names the parameter
    assert "Work orders per" not in text and "Birch Offices" not in text
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "field--invalid" in html
    # The idle assets have their own filter: a bad period leaves them listed.
    assert ("Chiller 1" in text) is (field != "customer")


def test_a_bad_months_is_named_and_leaves_the_report(scene, signed_in):
    response = signed_in.get(PAGE, {"months": "0"})
    assert response.status_code == 400
    text = text_of(response)
    assert "A whole number of months from 1 to 120." in text
    assert "field--invalid" in response.content.decode()
    # The report is still there; only the idle list waits for a right number.
    assert "Work orders per customer" in text and "Acme Cooling" in text
    assert "Chiller 1" not in text and "No idle assets." not in text


def test_a_customer_that_does_not_exist(scene, signed_in):
    response = signed_in.get(PAGE, {"customer": "C-999999"})
    assert response.status_code == 404
    assert "No customer C-999999." in text_of(response)
    assert "Acme Cooling" not in text_of(response)


def test_empty_states(db, signed_in):
    response = signed_in.get(PAGE)
    text = text_of(response)
    assert "No work orders. Work orders appear here once they are opened." in text
    assert "No idle assets." in text
    assert "report-chart" not in response.content.decode()
    customer = CustomerFactory(name="Lark Studios")
    work_order(customer, created=at(2024, 1, 1))
    text = text_of(signed_in.get(PAGE, {"from": "2025-01-01"}))
    assert "No work orders created in this period. Widen the period or clear the filters" in text


def test_the_idle_assets_with_their_months(db, signed_in):
    customer = CustomerFactory(name="Moss Hotels")
    site = LocationFactory(customer=customer, name="Moss Inn")
    pump = AssetFactory(location=site, name="Moss pump", installed_on=datetime.date(2018, 2, 3))
    served = timezone.now() - datetime.timedelta(days=100)
    work_order(customer, location=site, asset=pump, status="completed", created=served, completed=served)
    text = text_of(signed_in.get(PAGE))
    assert "No idle assets." in text
    response = signed_in.get(PAGE, {"months": "3", "group_by": "location"})
    text = text_of(response)
    last = timezone.localtime(served).date()
    assert "Moss pump SN-" in text
    assert f"Moss Inn Moss Hotels 2018-02-03 {last:%Y-%m-%d}" in text
    assert "without a completed work order for 3 months" in text
    html = response.content.decode()
    # The months form keeps the report's filters; the report's form keeps the months.
    assert '<input type="hidden" name="group_by" value="location">' in html
    assert '<input type="hidden" name="months" value="3">' in html


def test_the_idle_assets_page_by_their_own_cursor(db, signed_in):
    customer = CustomerFactory(name="Nettle Farms")
    site = LocationFactory(customer=customer, name="Nettle Barn")
    for number in range(30):
        AssetFactory(location=site, name=f"Tractor {number:02d}")
    html = signed_in.get(PAGE).content.decode()
    assert "Tractor 24" in html and "Tractor 25" not in html
    link = unescape(re.search(r'href="(\?idle_cursor=[^"]+)" rel="next"', html).group(1))
    later = signed_in.get(PAGE + link).content.decode()
    assert "Tractor 25" in later and "Tractor 24" not in later
    # A position that names nothing starts from the first page.
    assert "Tractor 00" in signed_in.get(PAGE, {"idle_cursor": "nonsense"}).content.decode()


def test_who_may_not_see_the_page(scene, client, nobody, portal_user_factory):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(nobody)
    assert client.get(PAGE).status_code == 403
    client.force_login(portal_user_factory(scene.acme, ("admin",)))
    response = client.get(PAGE)
    assert response.status_code == 403
    assert "Acme Cooling" not in response.content.decode()


@pytest.mark.parametrize("user", ["accounts_clerk", "technician"])
def test_other_staff_groups_see_the_page(scene, client, request, user):
    client.force_login(request.getfixturevalue(user))
    response = client.get(PAGE, {"group_by": "asset"})
    assert response.status_code == 200
    assert "Chiller 1" in response.content.decode()
