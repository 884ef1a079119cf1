"""Every integer query parameter of every list, on every surface, given a number no database holds,
a negative number or something that is no number: pages ignore it (never a 500), the API answers
400 naming the parameter.

The URLs are walked from the URL configuration and the parameters gathered from every FilterSet,
so a new list or a new filter is covered without touching this file."""

from __future__ import annotations

import re

import django_filters
import pytest
from django.urls import URLResolver, get_resolver
from rest_framework import serializers

from clientbase.contacts.filters import ContactFilterSet
from clientbase.notifications.api import PreviewQuerySerializer
from clientbase.pages import ListPage
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db

BAD_VALUES = ["99999999999999999999", "-1", "\u00b2"]  # huge, negative, not a number (yet a digit)
PAGINATION = ("page", "page_size")


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def integer_filters(filterset_class: type | None) -> set[str]:
    if filterset_class is None:
        return set()
    return {
        name
        for name, spec in filterset_class.base_filters.items()
        if isinstance(spec, django_filters.NumberFilter | django_filters.ModelChoiceFilter)
    }


def _project_filtersets() -> list[type]:
    return [
        cls for cls in _all_subclasses(django_filters.FilterSet) if cls.__module__.startswith("clientbase.")
    ]


# Every integer parameter any list of the project takes; each URL is tried with all of them, since a
# page may read one from the query string itself.
INTEGER_PARAMETERS = sorted(
    set().union(*(integer_filters(cls) for cls in _project_filtersets())) | set(PAGINATION)
)


def _walk(patterns, prefix=""):
    for pattern in patterns:
        text = str(pattern.pattern).removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + text)
        else:
            yield "/" + prefix + text, pattern


def urls_without_arguments() -> dict[str, object]:
    """Every URL of the project that takes no argument, with its view."""
    return {
        url: pattern.callback
        for url, pattern in _walk(get_resolver().url_patterns)
        if not re.search(r"[<(\[\\?*]", url)
    }


URLS = urls_without_arguments()
NOT_LISTS = ("/admin/", "/api/schema/", "/api/docs/", "/accounts/logout/", "/portal/logout/")
STAFF_PAGES = sorted(
    url
    for url in URLS
    if not url.startswith(("/api/", "/portal/"))
    and not url.startswith(NOT_LISTS)
    and url != "/accounts/login/"
)
PORTAL_PAGES = sorted(url for url in URLS if url.startswith("/portal/") and not url.startswith(NOT_LISTS))
API_ENDPOINTS = sorted(
    url
    for url, view in URLS.items()
    if url.startswith("/api/v1/")
    and url not in ("/api/v1/", "/api/v1/auth/token/")
    and "get" in (getattr(view, "actions", None) or {"get": "list"})
)

# The API endpoints that read integer parameters without a FilterSet of their own.
API_EXTRA = {
    "/api/v1/exports/contacts/": integer_filters(ContactFilterSet),
    "/api/v1/notifications/preview/": {
        name
        for name, field in PreviewQuerySerializer().fields.items()
        if isinstance(field, serializers.IntegerField)
    },
}


# Endpoints whose query is their own, not their viewset's filters: its integer parameters.
API_OWN = {"/api/v1/contacts/duplicates/": {"customer", "exclude"}}


def declared_parameters(url: str) -> set[str]:
    """The integer parameters the API endpoint at `url` takes (its filters, its pages)."""
    if url in API_OWN:
        return API_OWN[url]
    view = URLS[url]
    cls = getattr(view, "cls", None)
    declared = integer_filters(getattr(cls, "filterset_class", None)) | API_EXTRA.get(url, set())
    if getattr(cls, "pagination_class", None) is not None and url not in API_EXTRA:
        declared |= set(PAGINATION)
    return declared


@pytest.fixture
def data(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    LocationFactory(customer=customer, name="North Campus")
    ContactFactory(customer=customer, last_name="Johnson")
    return customer


def test_the_walk_finds_the_lists_and_their_parameters():
    assert {"/contacts/", "/customers/", "/locations/", "/work-orders/", "/quotes/", "/outbox/"} <= set(
        STAFF_PAGES
    )
    assert {"/api/v1/contacts/", "/api/v1/messages/", "/api/v1/notifications/preview/"} <= set(API_ENDPOINTS)
    assert {"customer", "location", "asset", "work_order", "contact", "approved_by", "page"} <= set(
        INTEGER_PARAMETERS
    )
    assert declared_parameters("/api/v1/contacts/") >= {"customer", "location", "page", "page_size"}


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_ignore_integers_no_database_holds(client, admin_user, data, url):
    client.force_login(admin_user)
    client.raise_request_exception = False
    is_list = issubclass(getattr(URLS[url], "view_class", object), ListPage)
    for name in INTEGER_PARAMETERS:
        for value in BAD_VALUES:
            response = client.get(url, {name: value})
            assert response.status_code < 500, (url, name, value, response.status_code)
            if is_list:  # the list, without the bad filter's rows
                assert response.status_code == 200, (url, name, value, response.status_code)
            else:  # a page about the object the parameter names: not found, or the reason shown
                assert response.status_code in (200, 302, 400, 404, 409), (url, name, value)


@pytest.mark.parametrize("url", PORTAL_PAGES)
def test_portal_pages_ignore_integers_no_database_holds(client, portal_user_factory, data, url):
    """Portal pages take no id from the query string (a portal user's customer is its own), so all
    the parameters go in one request per value."""
    client.force_login(portal_user_factory(data, ("admin",)))
    client.raise_request_exception = False
    for value in BAD_VALUES:
        response = client.get(url, dict.fromkeys(INTEGER_PARAMETERS, value))
        assert response.status_code < 500, (url, value, response.status_code)


@pytest.mark.parametrize("url", API_ENDPOINTS)
def test_api_lists_answer_400_naming_the_integer_parameter(api, admin_user, data, url):
    client = api(admin_user)
    client.raise_request_exception = False
    declared = declared_parameters(url)
    base = {"event": "work_order.created", "customer": str(data.pk)} if "preview" in url else {}
    for value in BAD_VALUES:
        # The filters are checked together: one answer names every bad one.
        filters = declared - set(PAGINATION)
        if filters:
            response = client.get(url, {**base, **dict.fromkeys(filters, value)})
            assert response.status_code == 400, (url, value, response.status_code)
            assert filters <= set(response.json()), (url, value, response.json())
            assert "Johnson" not in response.content.decode()
        for name in declared & set(PAGINATION):
            response = client.get(url, {**base, name: value})
            assert response.status_code == 400, (url, name, value, response.status_code)
            assert name in response.json(), (url, name, value, response.json())
        # Parameters the endpoint does not take are ignored.
        others = set(INTEGER_PARAMETERS) - declared
        response = client.get(url, {**dict.fromkeys(others, value), **base})
        assert response.status_code < 500, (url, value, response.status_code)
