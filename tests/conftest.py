"""Fixtures named for the situation they set up."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from clientbase import groups
from tests.factories import ContactFactory, CustomerFactory, LocationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: counts another test stored (the data-quality snapshot,
    throttles, lockouts) belong to rows that test's transaction took away."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_superuser=True)


@pytest.fixture
def dispatcher(db):
    return UserFactory(username="dispatcher", groups=[groups.DISPATCHER])


@pytest.fixture
def accounts_clerk(db):
    return UserFactory(username="accounts", groups=[groups.ACCOUNTS_RECEIVABLE])


@pytest.fixture
def technician(db):
    return UserFactory(username="technician", groups=[groups.TECHNICIAN])


@pytest.fixture
def location_contact_clerk(db):
    """Maintains contacts but only location-level ones (no maintain_customer_contacts)."""
    user = UserFactory(username="sitesonly")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["contacts", "customers"], codename__startswith="view_"
        ),
        *Permission.objects.filter(
            content_type__app_label="contacts",
            codename__in=["add_contact", "change_contact", "delete_contact"],
        ),
    )
    return user


@pytest.fixture
def nobody(db):
    """A staff user without any permission."""
    return UserFactory(username="nobody")


@pytest.fixture
def customer_with_two_sites(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus", code="N")
    south = LocationFactory(customer=customer, name="South Campus", code="S")
    return customer, north, south


@pytest.fixture
def other_customer(db):
    customer = CustomerFactory(name="Contoso Offices")
    LocationFactory(customer=customer, name="Contoso HQ")
    return customer


@pytest.fixture
def portal_user_factory(db):
    """make(customer, permissions) -> a non-staff user whose contact has portal access."""

    def make(customer, permissions=("edit_contacts",), **contact_fields):
        user = UserFactory(username=f"portal-{customer.pk}-{len(permissions)}", is_staff=False)
        ContactFactory(
            customer=customer,
            user=user,
            portal_enabled=True,
            portal_permissions=list(permissions),
            **contact_fields,
        )
        return user

    return make


def api_client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated as `user` (anonymous for None)."""
    return api_client_for
