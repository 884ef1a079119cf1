"""The work orders done under a contract, on the contract's page: newest first, a page at a time, at
the same cost for few and many, linked to the work-order list filtered by the contract; nothing for
users who may not see work orders. A contract that work orders name is not deleted from its page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contracts.models import Contract
from clientbase.workorders.models import WorkOrder
from clientbase.workorders.views import HISTORY_PAGE_SIZE
from tests.contracts.factories import ContractFactory
from tests.factories import AssetFactory, UserFactory
from tests.helpers import assert_unchanged
from tests.test_stale_forms import text
from tests.workorders.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def contract(customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    return ContractFactory(customer=customer, name="North care", locations=[north])


def section_of(html: str) -> str:
    start = html.index('id="work-orders"')
    return html[start : html.index("</section>", start)]


def under(contract: Contract, days_ago: int = 0, **fields) -> WorkOrder:
    """A work order done under `contract`, created `days_ago` days before now."""
    work_order = WorkOrderFactory(customer=contract.customer, contract=contract, **fields)
    if days_ago:
        WorkOrder.objects.filter(pk=work_order.pk).update(
            created_at=work_order.created_at - datetime.timedelta(days=days_ago)
        )
    return work_order


def test_the_contract_page_lists_its_work_orders_newest_first(staff, contract):
    north = contract.locations.get()
    chiller = AssetFactory(location=north, name="Chiller N-1")
    old = under(contract, days_ago=20, summary="Old leak", location=north)
    newest = under(contract, summary="Chiller trips", location=north, asset=chiller, status="completed")
    elsewhere = WorkOrderFactory(customer=contract.customer, summary="Not under it")
    html = staff.get(f"/contracts/{contract.pk}/").content.decode()
    section = section_of(html)
    assert re.findall(r'href="/work-orders/\d+/">(W-\d+)</a>', section) == [newest.number, old.number]
    assert elsewhere.summary not in section
    row = section[section.index(newest.number) :]
    row = row[: row.index("</tr>")]
    assert "Chiller trips" in row and "North Campus" in row and "Chiller N-1" in row and "Completed" in row
    assert f'href="/work-orders/?contract={contract.pk}"' in section
    # The section comes before the history.
    assert html.index('id="work-orders"') < html.index('id="history"')


def test_a_contract_without_work_orders_says_so(staff, contract):
    section = text(staff.get(f"/contracts/{contract.pk}/"))
    assert "No work orders yet." in section
    assert (
        "Work orders opened at a place this contract covers, while it is in force, are listed here."
        in section
    )


def test_the_list_of_its_work_orders_is_the_work_order_list_filtered(staff, contract):
    mine = under(contract, summary="Mine")
    other = WorkOrderFactory(customer=contract.customer, summary="Not mine")
    listed = staff.get("/work-orders/", {"contract": contract.pk}).content.decode()
    assert mine.number in listed and other.number not in listed


def test_the_section_pages_and_costs_the_same_for_few_and_many(
    staff, contract, django_assert_max_num_queries
):
    under(contract, summary="First")
    url = f"/contracts/{contract.pk}/"
    staff.get(url)
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    rows = [under(contract, days_ago=n, summary=f"Job {n}") for n in range(1, HISTORY_PAGE_SIZE + 5)]
    with django_assert_max_num_queries(len(few.captured_queries)):
        first = section_of(staff.get(url).content.decode())
    assert len(re.findall(r'href="/work-orders/\d+/"', first)) == HISTORY_PAGE_SIZE
    assert 'href="?page=2#work-orders" rel="next">Older' in first
    with django_assert_max_num_queries(len(few.captured_queries)):
        second = section_of(staff.get(url, {"page": 2}).content.decode())
    assert rows[-1].number in second and rows[0].number not in second


def test_who_may_not_see_work_orders_sees_no_section(client, contract):
    reader = UserFactory(username="contracts-only")
    reader.user_permissions.add(*Permission.objects.filter(codename__in=["view_contract", "view_customer"]))
    under(contract, summary="Secret job")
    client.force_login(reader)
    html = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert 'id="work-orders"' not in html and "Secret job" not in html


def test_a_contract_with_work_orders_is_not_deleted_from_its_page(client, admin_user, contract):
    under(contract)
    client.force_login(admin_user)
    url = f"/contracts/{contract.pk}/delete/"
    with assert_unchanged(Contract, WorkOrder):
        response = client.post(url, {"version": str(contract.version)}, follow=True)
    assert Contract.objects.filter(pk=contract.pk).exists()
    assert "This is still referenced by 1 work order; delete or move them first." in text(response)
    # The confirmation says so before the button is pressed, and offers the ways out instead.
    page = client.get(url).content.decode()
    assert "This is still referenced by 1 work order" in page
    assert f"/work-orders/?contract={contract.pk}" in page and f"/contracts/{contract.pk}/edit/" in page
    assert "Delete contract</button>" not in page


def test_the_confirmation_of_a_free_contract_offers_the_button(client, admin_user, contract):
    client.force_login(admin_user)
    page = client.get(f"/contracts/{contract.pk}/delete/").content.decode()
    assert "Delete contract</button>" in page and "still referenced" not in page
    assert " , from" not in text(client.get(f"/contracts/{contract.pk}/delete/"))
