"""Every refusal of the reports' API: bad and unknown parameters (400 naming each), who may ask
(401, 403; portal users never, whatever their capabilities), a customer out of scope (404); and
that a refusal reports nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from clientbase.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SERVICE = "/api/v1/reports/service/"
IDLE = "/api/v1/reports/idle-assets/"


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({}, {"group_by": ["Required: one of customer, location, asset."]}),
        ({"group_by": ""}, {"group_by": ["Required: one of customer, location, asset."]}),
        ({"group_by": "contact"}, {"group_by": ["“contact” is none of customer, location, asset."]}),
        (
            {"group_by": "customer", "from": "2024-13-01"},
            {"from": ["Not a date: write it as YYYY-MM-DD (a day from 1900-01-01 on)."]},
        ),
        (
            {"group_by": "customer", "to": "yesterday"},
            {"to": ["Not a date: write it as YYYY-MM-DD (a day from 1900-01-01 on)."]},
        ),
        (
            {"group_by": "customer", "from": "0001-01-01"},
            {"from": ["Not a date: write it as YYYY-MM-DD (a day from 1900-01-01 on)."]},
        ),
        (
            {"group_by": "customer", "from": "2024-03-02", "to": "2024-03-01"},
            {"to": ["Before “from” (2024-03-02): a period cannot end before it starts."]},
        ),
        (
            {"group_by": "customer", "customer": "acme"},
            {"customer": [f"A customer's id: a whole number from 1 to {2**63 - 1}."]},
        ),
        (
            {"group_by": "customer", "customer": "C-000001"},
            {"customer": [f"A customer's id: a whole number from 1 to {2**63 - 1}."]},
        ),
        (
            {"group_by": "customer", "customer": str(2**63)},
            {"customer": [f"A customer's id: a whole number from 1 to {2**63 - 1}."]},
        ),
        ({"group_by": "customer", "format": "pdf"}, {"format": ["One of csv, xlsx (none: JSON)."]}),
        (
            {"group_by": "customer", "customers": "1"},
            {
                "customers": [
                    "Unknown parameter; this report takes group_by, customer, from, to, format, page, page_size."
                ]
            },
        ),
        ({"group_by": "customer", "page_size": "500"}, {"page_size": ["At most 200."]}),
        ({"group_by": "customer", "page": "0"}, {"page": ["A positive whole number."]}),
    ],
)
def test_bad_parameters_are_named(scene, dispatcher, api, query, errors):
    before = AuditEvent.objects.count()
    response = api(dispatcher).get(SERVICE, query)
    assert response.status_code == 400, response.content
    assert response.json() == errors
    assert AuditEvent.objects.count() == before


def test_every_bad_parameter_is_named_at_once(dispatcher, api):
    response = api(dispatcher).get(
        SERVICE, {"group_by": "site", "from": "3/1/2024", "to": "x", "format": "doc", "y": "1"}
    )
    assert response.status_code == 400
    assert set(response.json()) == {"group_by", "from", "to", "format", "y"}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ({"months": "0"}, {"months": ["A whole number of months from 1 to 120."]}),
        ({"months": "121"}, {"months": ["A whole number of months from 1 to 120."]}),
        ({"months": "1.5"}, {"months": ["A whole number of months from 1 to 120."]}),
        ({"months": "-3"}, {"months": ["A whole number of months from 1 to 120."]}),
        ({"months": "twelve"}, {"months": ["A whole number of months from 1 to 120."]}),
        ({"customer": "0"}, {"customer": [f"A customer's id: a whole number from 1 to {2**63 - 1}."]}),
        (
            {"month": "3"},
            {"month": ["Unknown parameter; this report takes months, customer, cursor, page, page_size."]},
        ),
        (
            {"cursor": "not-a-position"},
            {"cursor": ["Not a position in this list; follow its next and previous links."]},
        ),
    ],
)
def test_bad_parameters_of_the_idle_assets_are_named(scene, dispatcher, api, query, errors):
    response = api(dispatcher).get(IDLE, query)
    assert response.status_code == 400, response.content
    assert response.json() == errors


def with_query(url: str, **params) -> str:
    """`url` with `params` added to its query."""
    from urllib.parse import urlencode

    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


@pytest.mark.parametrize("url", [f"{SERVICE}?group_by=customer", IDLE])
def test_a_customer_that_does_not_exist_is_a_404(scene, dispatcher, api, url):
    response = api(dispatcher).get(with_query(url, customer=999_999))
    assert response.status_code == 404
    assert response.json() == {"detail": "Customer not found."}


@pytest.mark.parametrize(
    "url", [f"{SERVICE}?group_by=customer", f"{SERVICE}?group_by=customer&format=csv", IDLE]
)
def test_without_a_login_401(scene, api, url):
    assert api(None).get(url).status_code == 401


@pytest.mark.parametrize(
    "url", [f"{SERVICE}?group_by=customer", f"{SERVICE}?group_by=customer&format=csv", IDLE]
)
def test_staff_who_may_not_view_work_orders_are_refused(scene, nobody, api, url):
    response = api(nobody).get(url)
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not see the figures of work orders."}
    refusal = AuditEvent.objects.get(type="access.denied")
    assert refusal.detail["path"] == url.split("?")[0]


@pytest.mark.parametrize("user", ["dispatcher", "accounts_clerk", "technician", "admin_user"])
def test_every_staff_group_that_views_work_orders_has_the_reports(scene, request, api, user):
    client = api(request.getfixturevalue(user))
    assert client.get(SERVICE, {"group_by": "asset"}).status_code == 200
    assert client.get(IDLE).status_code == 200


def test_staff_who_may_not_view_locations_get_no_report_per_location(scene, api):
    """The report names what it groups by: only for those who may view it."""
    clerk = UserFactory(username="wo-only")
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_workorder", "view_customer"],
            content_type__app_label__in=["workorders", "customers"],
        )
    )
    client = api(clerk)
    assert client.get(SERVICE, {"group_by": "customer"}).status_code == 200
    for group_by, things in (("location", "locations"), ("asset", "assets")):
        response = client.get(SERVICE, {"group_by": group_by})
        assert response.status_code == 403
        assert response.json() == {"detail": f"You may not view {things}."}
    assert client.get(IDLE).json() == {"detail": "You may not view assets."}


@pytest.mark.parametrize("capabilities", [("reports",), ("admin",), ("billing",)])
@pytest.mark.parametrize(
    "url", [f"{SERVICE}?group_by=customer", f"{SERVICE}?group_by=location&format=csv", IDLE]
)
def test_portal_users_are_refused_even_about_their_own_customer(
    scene, portal_user_factory, api, capabilities, url
):
    user = portal_user_factory(scene.acme, capabilities)
    client = api(user)
    for asked in (url, with_query(url, customer=scene.acme.pk)):
        response = client.get(asked)
        assert response.status_code == 403, response.content
        assert "Acme" not in response.content.decode()
    assert AuditEvent.objects.filter(type="data.export").count() == 0


@pytest.mark.parametrize("url", [f"{SERVICE}?group_by=customer", IDLE])
def test_another_customer_is_out_of_a_portal_users_scope(scene, portal_user_factory, api, url):
    user = portal_user_factory(scene.birch, ("reports",))
    response = api(user).get(with_query(url, customer=scene.acme.pk))
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()
