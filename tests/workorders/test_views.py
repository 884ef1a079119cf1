"""The staff pages of work orders: the list, the wizard (customer, then location, then asset), the
detail page, and the work-orders section of the customer page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.notifications.models import Message
from clientbase.workorders.models import WorkOrder
from tests.factories import AssetFactory, ContactFactory, CustomerFactory
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
LIST, CREATE = "/work-orders/", "/work-orders/new/"


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def scene(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    return {
        "customer": customer,
        "north": north,
        "south": south,
        "unit": AssetFactory(location=north, name="Chiller N-1"),
        "south_unit": AssetFactory(location=south, name="Boiler S-1"),
        "mike": ContactFactory(
            customer=customer,
            first_name="Mike",
            last_name="Johnson",
            role_site=True,
            notify_work_orders=True,
            locations=[north],
        ),
        "other": other_customer,
    }


def test_the_list_shows_work_orders_and_filters_them(staff, scene):
    mine = WorkOrderFactory(customer=scene["customer"], summary="Chiller alarm", location=scene["north"])
    WorkOrderFactory(customer=scene["other"], summary="Fire panel fault", status="completed")
    page = staff.get(LIST)
    assert page.status_code == 200
    assert mine.number in page.content.decode() and "Fire panel fault" in page.content.decode()
    filtered = staff.get(LIST, {"status": "open"}).content.decode()
    assert "Chiller alarm" in filtered and "Fire panel fault" not in filtered
    partial = staff.get(LIST, {"search": "chiller"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "Chiller alarm" in partial.content.decode()


def test_the_list_costs_the_same_for_few_and_many(staff, scene):
    WorkOrderFactory(
        customer=scene["customer"], location=scene["north"], asset=scene["unit"], site_contact=scene["mike"]
    )
    staff.get(LIST)
    with CaptureQueriesContext(connection) as few:
        staff.get(LIST)
    for _ in range(20):
        WorkOrderFactory(
            customer=scene["customer"],
            location=scene["north"],
            asset=scene["unit"],
            site_contact=scene["mike"],
        )
    with CaptureQueriesContext(connection) as many:
        staff.get(LIST)
    assert len(few) == len(many)


def test_the_pages_are_for_staff_who_may_view_work_orders(client, nobody, portal_user_factory, scene):
    work_order = WorkOrderFactory(customer=scene["customer"])
    assert client.get(LIST).status_code == 302
    assert client.get(CREATE).status_code == 302
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{work_order.pk}/").status_code == 403
    client.force_login(portal_user_factory(scene["customer"], permissions=["admin"], email="me@example.com"))
    assert client.get(LIST).status_code == 403


def test_a_technician_reads_but_may_not_open_work_orders(client, technician, scene):
    client.force_login(technician)
    assert client.get(LIST).status_code == 200
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, {"customer": scene["customer"].pk, "summary": "x"})
    assert response.status_code == 403
    assert not WorkOrder.objects.exists()


# The wizard --------------------------------------------------------------------------------------------


def test_the_wizard_offers_the_locations_of_the_chosen_customer_then_the_assets_of_the_location(staff, scene):
    first = staff.get(CREATE).content.decode()
    assert scene["customer"].name in first and "North Campus" not in first
    second = staff.get(CREATE, {"customer": scene["customer"].pk}).content.decode()
    assert "North Campus" in second and "South Campus" in second and "Contoso HQ" not in second
    assert "Chiller N-1" not in second
    third = staff.get(
        CREATE, {"customer": scene["customer"].pk, "location": scene["north"].pk}
    ).content.decode()
    assert "Chiller N-1" in third and "Boiler S-1" not in third
    assert "Site contact by the rules: <strong>Mike Johnson</strong>" in third
    assert "Who will be notified" in third and "Opted into work order notifications" in third


def test_the_wizard_ignores_a_location_of_another_customer_in_the_address(staff, scene):
    foreign = scene["other"].locations.get()
    page = staff.get(CREATE, {"customer": scene["customer"].pk, "location": foreign.pk}).content.decode()
    assert "Contoso HQ" not in page and "3. Asset" not in page


def test_the_wizard_refreshes_only_itself_for_htmx(staff, scene):
    partial = staff.get(
        CREATE, {"customer": scene["customer"].pk, "summary": "Typed before"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and 'id="work-order-wizard"' in partial
    assert "North Campus" in partial and 'value="Typed before"' in partial


def test_opening_a_work_order_writes_it_and_its_messages(staff, scene):
    response = staff.post(
        CREATE,
        {
            "customer": scene["customer"].pk,
            "location": scene["north"].pk,
            "asset": scene["unit"].pk,
            "summary": "Chiller alarm",
            "description": "Since 6 am",
        },
    )
    work_order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/work-orders/{work_order.pk}/"
    assert (work_order.asset, work_order.site_contact) == (scene["unit"], scene["mike"])
    assert list(Message.objects.values_list("contact", flat=True)) == [scene["mike"].pk]
    detail = staff.get(response["Location"]).content.decode()
    assert "Chiller alarm" in detail and "Chiller N-1" in detail and "Mike Johnson" in detail


def test_an_asset_of_another_location_is_refused_on_the_form(staff, scene):
    response = staff.post(
        CREATE,
        {
            "customer": scene["customer"].pk,
            "location": scene["north"].pk,
            "asset": scene["south_unit"].pk,
            "summary": "x",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not WorkOrder.objects.exists() and not Message.objects.exists()


def test_a_missing_summary_is_refused_on_the_form(staff, scene):
    response = staff.post(CREATE, {"customer": scene["customer"].pk, "summary": ""})
    assert response.status_code == 200 and "field--invalid" in response.content.decode()
    assert not WorkOrder.objects.exists()


# Detail and the customer page --------------------------------------------------------------------------


def test_the_detail_page_shows_quotes_and_invoices(client, admin_user, scene):
    client.force_login(admin_user)
    work_order = WorkOrderFactory(customer=scene["customer"], location=scene["north"], asset=scene["unit"])
    quote = QuoteFactory(customer=scene["customer"], work_order=work_order)
    invoice = InvoiceFactory(customer=scene["customer"], work_order=work_order)
    page = client.get(f"{LIST}{work_order.pk}/").content.decode()
    assert quote.number in page and invoice.number in page and "Chiller N-1" in page
    assert client.get(f"{LIST}999999/").status_code == 404


def test_the_customer_page_lists_its_work_orders(staff, scene, client, nobody):
    work_order = WorkOrderFactory(customer=scene["customer"], summary="Chiller alarm")
    WorkOrderFactory(customer=CustomerFactory(), summary="Elsewhere")
    page = staff.get(f"/customers/{scene['customer'].pk}/").content.decode()
    assert 'id="work-orders"' in page and work_order.number in page and "Elsewhere" not in page
    assert f"/work-orders/new/?customer={scene['customer'].pk}" in page
