"""A work order's service contract on the staff and portal pages: the work-order page shows it
(number, name, response time, a link) to users who may see contracts; the wizard says which one the
rules choose and lets staff choose another; the edit form offers the customer's contracts, names the
one covering the place, refuses another customer's and says when a move leaves the work order under
a contract that no longer covers it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission

from clientbase.notifications.models import Message
from clientbase.workorders.models import WorkOrder
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory, UserFactory
from tests.helpers import assert_unchanged
from tests.test_stale_forms import edit_form, text
from tests.workorders.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
CREATE = "/work-orders/new/"


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def covered(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    chiller = AssetFactory(location=north, name="Chiller N-1")
    return SimpleNamespace(
        customer=customer,
        north=north,
        south=south,
        chiller=chiller,
        wide=ContractFactory(customer=customer, name="Portfolio care", response_hours=24),
        chiller_care=ContractFactory(
            customer=customer, name="Chiller care", assets=[chiller], response_hours=4
        ),
        expired=ContractFactory(
            customer=customer,
            name="Old boilers",
            start_date=days_from_today(-400),
            end_date=days_from_today(-30),
        ),
        contoso=ContractFactory(customer=other_customer, name="Contoso lifts"),
    )


def page(client, work_order) -> str:
    return client.get(f"/work-orders/{work_order.pk}/").content.decode()


def contract_row(html: str) -> str:
    start = html.index('id="contract"')
    return html[start : html.index("</dd>", start)]


# The work order's page ---------------------------------------------------------------------------------


def test_the_work_order_page_shows_its_contract(staff, covered):
    work_order = WorkOrderFactory(
        customer=covered.customer,
        location=covered.north,
        asset=covered.chiller,
        contract=covered.chiller_care,
    )
    row = contract_row(page(staff, work_order))
    contract = covered.chiller_care
    assert f'<a href="/contracts/{contract.pk}/">{contract.number}</a> Chiller care' in row
    assert "On site within 4 hours of a call" in row
    none = WorkOrderFactory(customer=covered.customer)
    assert "None: no contract covered it when it was opened" in contract_row(page(staff, none))
    expired = WorkOrderFactory(customer=covered.customer, contract=covered.expired)
    row = contract_row(page(staff, expired))
    assert "Old boilers" in row and "Expired" in row and "No response time agreed" in row


def test_who_may_not_see_contracts_sees_no_contract_on_the_page(client, covered):
    reader = UserFactory(username="work-orders-only")
    reader.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_workorder", "view_customer", "view_location"])
    )
    client.force_login(reader)
    work_order = WorkOrderFactory(customer=covered.customer, contract=covered.wide)
    html = page(client, work_order)
    assert 'id="contract"' not in html and "Portfolio care" not in html


# Opening a work order ----------------------------------------------------------------------------------


def test_the_wizard_names_the_contract_of_the_rules_and_opens_the_work_order_with_it(staff, covered):
    place = {"customer": covered.customer.pk, "location": covered.north.pk, "asset": covered.chiller.pk}
    html = staff.get(CREATE, place).content.decode()
    hint = text(staff.get(CREATE, place))
    assert f"Contract by the rules: {covered.chiller_care.number} Chiller care (names the asset)" in hint
    choices = re.findall(
        r'<option value="(\d*)"[^>]*>([^<]*)</option>', html[html.index('name="contract"') :]
    )
    # The contracts in force first (the latest start, then the newest, first), then the others.
    assert choices[0] == ("", "Chosen by the rules")
    assert [label for value, label in choices[1:4]] == [
        f"{covered.chiller_care.number} Chiller care (active, open-ended)",
        f"{covered.wide.number} Portfolio care (active, open-ended)",
        f"{covered.expired.number} Old boilers (expired on {covered.expired.end_date.isoformat()})",
    ]
    assert "Contoso lifts" not in html
    response = staff.post(CREATE, {**place, "summary": "Not cooling"})
    work_order = WorkOrder.objects.get()
    assert response.status_code == 302 and work_order.contract == covered.chiller_care
    assert "Chiller care" in contract_row(page(staff, work_order))


def test_the_wizard_opens_it_under_the_contract_chosen(staff, covered):
    place = {"customer": covered.customer.pk, "location": covered.north.pk, "asset": covered.chiller.pk}
    staff.post(CREATE, {**place, "summary": "Not cooling", "contract": covered.wide.pk})
    assert WorkOrder.objects.get().contract == covered.wide


def test_the_wizard_refuses_another_customers_contract(staff, covered):
    with assert_unchanged(WorkOrder, Message):
        response = staff.post(
            CREATE,
            {"customer": covered.customer.pk, "summary": "Not cooling", "contract": covered.contoso.pk},
        )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)


# Editing it ------------------------------------------------------------------------------------------


def test_the_edit_form_offers_the_customers_contracts_and_names_the_covering_one(staff, covered):
    work_order = WorkOrderFactory(
        customer=covered.customer, location=covered.north, asset=covered.chiller, contract=covered.wide
    )
    response = staff.get(f"/work-orders/{work_order.pk}/edit/")
    html = response.content.decode()
    form = edit_form(html)
    assert form["contract"] == [str(covered.wide.pk)]
    select = html[html.index('name="contract"') : html.index("</select>", html.index('name="contract"'))]
    assert "Portfolio care" in select and "Chiller care" in select and "Old boilers" in select
    assert "expired on" in select and "Contoso lifts" not in select
    assert (
        f"Covering the location and asset chosen today: {covered.chiller_care.number} Chiller care (names the "
        "asset). A new location or asset leaves the contract as it is" in text(response)
    )


def test_choosing_another_place_on_the_edit_form_names_the_contract_covering_it(staff, covered):
    work_order = WorkOrderFactory(customer=covered.customer, location=covered.north, contract=covered.wide)
    edit = f"/work-orders/{work_order.pk}/edit/"
    # The page's refresh of "Where" after choosing the chiller (htmx): its contract is named, the
    # contract chosen so far stays chosen.
    query = {"location": covered.north.pk, "asset": covered.chiller.pk, "contract": covered.wide.pk}
    refreshed = staff.get(edit, query, headers={"HX-Request": "true"})
    html = refreshed.content.decode()
    assert f"chosen today: {covered.chiller_care.number} Chiller care" in text(refreshed)
    assert re.search(rf'<option value="{covered.chiller.pk}" selected>', html)
    assert re.search(rf'<option value="{covered.wide.pk}" selected>', html)
    # Another site, no asset there: the customer-wide contract covers it.
    moved = staff.get(edit, {"location": covered.south.pk, "asset": covered.chiller.pk, "contract": ""})
    assert f"chosen today: {covered.wide.number} Portfolio care" in text(moved)
    assert not re.search(rf'<option value="{covered.chiller.pk}" selected>', moved.content.decode())


def test_the_edit_form_changes_the_contract(staff, covered):
    work_order = WorkOrderFactory(customer=covered.customer, location=covered.north, contract=covered.wide)
    form = edit_form(staff.get(f"/work-orders/{work_order.pk}/edit/").content.decode())
    body = {name: values[0] for name, values in form.items() if values}
    response = staff.post(f"/work-orders/{work_order.pk}/edit/", {**body, "contract": covered.expired.pk})
    assert response.status_code == 302
    assert WorkOrder.objects.get(pk=work_order.pk).contract == covered.expired
    work_order.refresh_from_db()
    response = staff.post(
        f"/work-orders/{work_order.pk}/edit/", {**body, "version": work_order.version, "contract": ""}
    )
    assert response.status_code == 302
    assert WorkOrder.objects.get(pk=work_order.pk).contract is None


def test_the_edit_form_refuses_another_customers_contract(staff, covered):
    work_order = WorkOrderFactory(customer=covered.customer, location=covered.north, contract=covered.wide)
    form = edit_form(staff.get(f"/work-orders/{work_order.pk}/edit/").content.decode())
    body = {name: values[0] for name, values in form.items() if values}
    with assert_unchanged(WorkOrder, Message):
        response = staff.post(f"/work-orders/{work_order.pk}/edit/", {**body, "contract": covered.contoso.pk})
    assert response.status_code == 200 and "Select a valid choice" in text(response)


def test_a_move_keeps_the_contract_and_says_which_covers_the_new_place(staff, covered):
    work_order = WorkOrderFactory(customer=covered.customer, location=covered.south, contract=covered.wide)
    form = edit_form(staff.get(f"/work-orders/{work_order.pk}/edit/").content.decode())
    body = {name: values[0] for name, values in form.items() if values}
    response = staff.post(
        f"/work-orders/{work_order.pk}/edit/",
        {**body, "location": covered.north.pk, "asset": covered.chiller.pk},
        follow=True,
    )
    assert WorkOrder.objects.get(pk=work_order.pk).contract == covered.wide
    assert (
        f"It stays under contract {covered.wide.number}; {covered.chiller_care.number} Chiller care covers "
        "the new place: choose it on the edit page if the work falls under it." in text(response)
    )
    # A move within what its contract covers says nothing more.
    work_order.refresh_from_db()
    response = staff.post(
        f"/work-orders/{work_order.pk}/edit/",
        {**body, "version": work_order.version, "location": covered.south.pk, "asset": ""},
        follow=True,
    )
    assert "It stays under" not in text(response) and "saved" in text(response)


# The portal --------------------------------------------------------------------------------------------


def test_portal_users_see_the_contract_only_when_they_may_see_contracts(client, portal_user_factory, covered):
    work_order = WorkOrderFactory(customer=covered.customer, contract=covered.chiller_care)
    billing = portal_user_factory(covered.customer, ("billing", "create_work_order"))
    client.force_login(billing)
    html = client.get(f"/portal/work-orders/{work_order.pk}/").content.decode()
    row = contract_row(html)
    assert covered.chiller_care.number in row and "Chiller care" in row
    assert f'href="/portal/contracts/{covered.chiller_care.pk}/"' in row
    requester = portal_user_factory(covered.customer, ("create_work_order",))
    client.force_login(requester)
    html = client.get(f"/portal/work-orders/{work_order.pk}/").content.decode()
    assert (
        'id="contract"' not in html and "Chiller care" not in html and covered.chiller_care.number not in html
    )
