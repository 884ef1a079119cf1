"""The demo data set behind `clientbase demo`: staff users, and field-service customers with their
locations, assets, asset parts, contacts, service contracts and work orders (one or more in each
status).

`data` holds the data set as tables; `loader` writes it through the services, as the admin user, in
one transaction, so the demo obeys the same rules as any other data and a failure leaves the
database as it was."""

from clientbase.demo.data import ADMIN_USERNAME, STAFF_USERS
from clientbase.demo.loader import (
    FROM_ARGUMENT,
    FROM_ENVIRONMENT,
    GENERATED,
    PASSWORD_ENV,
    SEED,
    DemoDataPresent,
    DemoResult,
    demo_counts,
    load_demo,
)

__all__ = [
    "ADMIN_USERNAME",
    "FROM_ARGUMENT",
    "FROM_ENVIRONMENT",
    "GENERATED",
    "PASSWORD_ENV",
    "SEED",
    "STAFF_USERS",
    "DemoDataPresent",
    "DemoResult",
    "demo_counts",
    "load_demo",
]
