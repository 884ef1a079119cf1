"""factory_boy factories. They write through the ORM (fast set-up); the behaviour under test goes
through services and URLs."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from clientbase.contacts.models import Contact
from clientbase.customers.models import Asset, AssetPart, Customer, Location


def restore_staff_groups() -> None:
    """Replay the staff-group data migrations. Transactional tests (threads, the live server of the
    browser tests) end with a flush that empties every table, groups included; tests after them
    get the groups back exactly as `migrate` makes them."""

    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython

    from clientbase import groups

    loader = MigrationLoader(None, ignore_no_migrations=True)
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        if app_label in {
            "customers",
            "contacts",
            "contracts",
            "workorders",
            "notifications",
            "transfer",
            "portal",
            "audit",
        } and name.endswith("staff_groups"):
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, None)
    # Replayed today, the grants of whole apps above include permissions that `migrate` created only
    # later, with groups of their own: approval authority is the Administrators' and Accounts
    # receivable's alone (contacts 0007).
    groups.revoke_from_groups(apps, "contacts", ["set_approval_authority"])
    for group in (groups.ADMINISTRATOR, groups.ACCOUNTS_RECEIVABLE):
        groups.grant(apps, group, "contacts", ["set_approval_authority"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@staff.example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            if Group.objects.filter(name__in=extracted).count() < len(set(extracted)):
                restore_staff_groups()
            self.groups.add(*[Group.objects.get(name=name) for name in extracted])
        if create:
            self.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n} Facilities")
    status = Customer.Status.ACTIVE


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Site {n}")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Rooftop unit {n}")
    serial_number = factory.Sequence(lambda n: f"SN-{n:06d}")
    manufacturer = "Carrier"
    model = "48FC"
    installed_on = datetime.date(2020, 5, 1)


class AssetPartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssetPart

    asset = factory.SubFactory(AssetFactory)
    name = factory.Sequence(lambda n: f"Compressor {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = factory.Sequence(lambda n: f"Lee{n}")
    email = factory.LazyAttribute(lambda c: f"{c.first_name.lower()}.{c.last_name.lower()}@example.com")

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)
