"""Fixtures of the portal's tests: portal users of a customer (with a password, signed in or not),
another customer to probe, and the real SMTP server of the notifications tests."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from clientbase.contacts.models import Contact
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory, UserFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 (fixtures)

PASSWORD = "tulip-harbour-9-lantern"
BACKEND = "clientbase.portal.backends.PortalBackend"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """The sign-in throttle lives in the cache; each test starts without failures."""
    cache.clear()
    yield
    cache.clear()


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def make_portal_contact(db):
    """make(customer, permissions, **contact fields) -> a contact with portal access and a login
    (username = its e-mail, password PASSWORD), as `grant_portal_access` leaves it once the
    invitation was followed."""

    def make(customer, permissions=(), **fields) -> Contact:
        contact = ContactFactory(
            customer=customer, portal_enabled=True, portal_permissions=list(permissions), **fields
        )
        user = UserFactory(username=contact.email.lower(), email=contact.email, is_staff=False)
        user.set_password(PASSWORD)
        user.save()
        contact.user = user
        contact.save(update_fields=["user"])
        return contact

    return make


@pytest.fixture
def northwind(db):
    """A customer with two sites, an asset, and three contacts (one of them the portal admin)."""
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus")
    south = LocationFactory(customer=customer, name="South Campus")
    AssetFactory(location=north, name="Rooftop unit 1")
    return customer, north, south


@pytest.fixture
def contoso(db):
    """Another customer, with a site, an asset and a contact: what a Northwind user must never see."""
    customer = CustomerFactory(name="Contoso Offices")
    site = LocationFactory(customer=customer, name="Contoso HQ")
    AssetFactory(location=site, name="Contoso boiler")
    ContactFactory(customer=customer, first_name="Olga", last_name="Outsider", email="olga@contoso.example")
    return customer


@pytest.fixture
def admin_contact(make_portal_contact, northwind):
    customer, _, _ = northwind
    return make_portal_contact(
        customer,
        ["admin"],
        first_name="Alice",
        last_name="Admin",
        email="alice@northwind.example",
        salutation="Ms.",
        phone="+13125550101",
    )


@pytest.fixture
def colleague(northwind):
    customer, north, _ = northwind
    return ContactFactory(
        customer=customer,
        first_name="Bob",
        last_name="Builder",
        email="bob@northwind.example",
        salutation="Mr.",
        title="Facilities Manager",
        locations=[north],
    )


def signed_in(contact: Contact) -> Client:
    """A test client signed in as `contact`'s portal login."""
    client = Client()
    client.force_login(contact.user, backend=BACKEND)
    return client


def login(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/portal/login/", {"email": email, "password": password}, **extra)


AMOUNT = Decimal("1200.00")
