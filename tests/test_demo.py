"""`clientbase demo` and `clientbase.demo.load_demo`."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from clientbase import groups
from clientbase.contacts.models import ROLES, Contact
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.demo import PASSWORD_ENV, DemoDataPresent, load_demo
from clientbase.errors import Conflict
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-7391"
USERNAMES = ("admin", "dispatcher", "accounts", "technician")


@pytest.fixture(autouse=True)
def _no_password_from_environment(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def database_counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "locations": Location.objects.count(),
        "assets": Asset.objects.count(),
        "parts": AssetPart.objects.count(),
        "contacts": Contact.objects.count(),
        "users": get_user_model().objects.count(),
    }


def test_loads_customers_with_locations_assets_and_parts():
    output = run_demo("--password", PASSWORD)

    customers = list(Customer.objects.all())
    assert len(customers) >= 5
    for customer in customers:
        assert customer.locations.count() >= 2, customer
        assert customer.legal_name and customer.tax_id and customer.email and customer.phone
        assert customer.billing_address["city"]
    assert {"prospect", "inactive", "active"} <= {customer.status for customer in customers}
    for asset in Asset.objects.all():
        assert asset.serial_number and asset.model and asset.manufacturer and asset.installed_on, asset
        assert asset.warranty_until >= asset.installed_on
        assert 1 <= asset.parts.count() <= 3, asset
    for location in Location.objects.all():
        assert location.assets.exists(), location
    assert AssetPart.objects.exclude(part_number="").exclude(serial_number="").count() == (
        AssetPart.objects.count()
    )
    counts = database_counts()
    assert (
        f"Loaded {counts['customers']} customers, {counts['locations']} locations, "
        f"{counts['assets']} assets, {counts['parts']} asset parts and {counts['contacts']} contacts."
    ) in output


def test_every_customer_except_the_prospect_has_exactly_one_primary_contact():
    run_demo("--password", PASSWORD)

    for customer in Customer.objects.exclude(status=Customer.Status.PROSPECT):
        primaries = customer.contacts.filter(is_primary=True)
        assert primaries.count() == 1, customer
        assert primaries.get().status == Contact.Status.ACTIVE


def test_each_role_appears_and_approvers_have_limits():
    run_demo("--password", PASSWORD)

    for role in ROLES:
        assert Contact.objects.filter(**{f"role_{role}": True}).exists(), role
    assert Contact.objects.filter(role_approver=True, approval_limit__isnull=False).exists()
    assert not Contact.objects.filter(role_approver=False, approval_limit__isnull=False).exists()
    # notify was left to default from the roles
    billing = Contact.objects.filter(role_billing=True).first()
    assert billing.notify_invoices


def test_emergency_contacts_have_a_mobile_in_e164():
    run_demo("--password", PASSWORD)

    # Bob Taylor is the demo's data-quality example: a duplicate without a mobile number.
    emergency = Contact.objects.filter(role_emergency=True).exclude(first_name="Bob", last_name="Taylor")
    assert emergency.exists()
    for contact in emergency:
        assert re.fullmatch(r"\+\d{8,15}", contact.mobile), contact
    assert emergency.filter(mobile__startswith="+1").exists()
    # numbers abroad were given with their country code
    assert Contact.objects.filter(phone__startswith="+44").exists()
    assert Contact.objects.filter(phone__startswith="+49").exists()


def test_contacts_follow_the_reference_guides_practices():
    run_demo("--password", PASSWORD)

    # a line manager of the same customer
    reports = Contact.objects.filter(reports_to__isnull=False).select_related("reports_to")
    assert reports.exists()
    assert all(contact.customer_id == contact.reports_to.customer_id for contact in reports)
    # a customer with several sites has contacts linked to specific locations
    multi_site = Customer.objects.get(name="St. Luke's Health")
    linked = Contact.objects.filter(customer=multi_site, locations__isnull=False).distinct()
    assert linked.count() >= 3
    assert {loc.customer_id for contact in linked for loc in contact.locations.all()} == {multi_site.pk}
    # billing contacts are customer-level
    assert not Contact.objects.filter(role_billing=True, locations__isnull=False).exists()
    # an unaffiliated contact, an inactive one, and documented preferences
    assert Contact.objects.filter(customer__isnull=True).count() >= 1
    assert Contact.objects.filter(status=Contact.Status.INACTIVE).count() >= 1
    assert Contact.objects.filter(notes__icontains="Prefers text messages for scheduling").exists()
    assert Contact.objects.filter(notes__icontains="Only call after 10 AM").exists()
    assert {"email", "phone", "sms"} <= set(Contact.objects.values_list("preferred_channel", flat=True))


def test_a_second_run_without_if_empty_fails_and_changes_nothing():
    run_demo("--password", PASSWORD)
    before = database_counts()

    with pytest.raises(CommandError, match=r"already holds \d+ customers"):
        run_demo("--password", "another-password-1")

    assert database_counts() == before
    assert get_user_model().objects.get(username="admin").check_password(PASSWORD)


def test_with_if_empty_a_second_run_exits_quietly():
    run_demo("--password", PASSWORD)
    before = database_counts()

    output = run_demo("--if-empty", "--url", "http://127.0.0.1:8123/")

    assert output.startswith("Demo data already loaded; skipping.")
    assert "changepassword USERNAME" in output
    assert "Log in at http://127.0.0.1:8123/ as `admin`" in output  # where `make run PORT=8123` serves
    assert database_counts() == before


def test_the_password_option_is_the_password_of_every_staff_user():
    output = run_demo("--password", PASSWORD)

    for username in USERNAMES:
        assert get_user_model().objects.get(username=username).check_password(PASSWORD), username
    assert "http://127.0.0.1:8000/" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert all(username in output for username in USERNAMES)
    assert "shown only once" not in output


def test_a_generated_password_is_printed_once_and_works():
    output = run_demo()

    match = re.search(r"Password \(all of them\): (\S+)", output)
    assert match, output
    assert get_user_model().objects.get(username="admin").check_password(match.group(1))
    assert "shown only once" in output


def test_the_password_from_the_environment_is_used_and_not_printed(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "from-the-environment-42")

    output = run_demo()

    assert get_user_model().objects.get(username="technician").check_password("from-the-environment-42")
    assert "from-the-environment-42" not in output
    assert PASSWORD_ENV in output


def test_staff_users_are_in_their_groups():
    run_demo("--password", PASSWORD)

    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    expected = {
        "dispatcher": groups.DISPATCHER,
        "accounts": groups.ACCOUNTS_RECEIVABLE,
        "technician": groups.TECHNICIAN,
    }
    for username, group in expected.items():
        user = users.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]


def test_an_existing_admin_is_used_and_left_unchanged():
    UserFactory(username="admin", is_superuser=True)  # password "correct horse battery"

    output = run_demo("--password", PASSWORD)

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("correct horse battery")
    assert get_user_model().objects.get(username="dispatcher").check_password(PASSWORD)
    assert re.search(r"admin +already existed", output)
    assert Customer.objects.count() >= 5


def test_load_demo_refuses_a_database_with_customers():
    CustomerFactory()

    with pytest.raises(Conflict) as raised:
        load_demo(admin_password=PASSWORD)

    assert isinstance(raised.value, DemoDataPresent)
    assert "already holds 1 customer;" in raised.value.message
    assert not get_user_model().objects.exists()
    assert Customer.objects.count() == 1


def test_the_data_set_is_the_same_on_every_run():
    class RolledBack(Exception):
        pass

    def load_and_describe():
        try:
            with transaction.atomic():
                result = load_demo(admin_password=PASSWORD)
                assets = list(
                    Asset.objects.order_by("asset_tag").values_list(
                        "asset_tag", "serial_number", "installed_on", "warranty_until"
                    )
                )
                parts = sorted(AssetPart.objects.values_list("serial_number", "installed_on"))
                raise RolledBack
        except RolledBack:
            return result.counts, assets, parts

    assert load_and_describe() == load_and_describe()


def test_the_rows_and_the_drawn_values_stay_put():
    result = load_demo(admin_password=PASSWORD)

    assert result.counts == {"customers": 7, "locations": 19, "assets": 55, "parts": 143, "contacts": 32}
    assert list(Customer.objects.order_by("pk").values_list("name", flat=True)) == [
        "St. Luke's Health",
        "Brightwater Office Parks",
        "Cedar Valley School District",
        "Harborview Hotels",
        "Kessler Precision Manufacturing",
        "Northgate Outfitters",
        "Lakeshore Cold Storage",
    ]
    # The seeded generator draws in the order the rows are written: these values pin that order.
    assets = Asset.objects.order_by("asset_tag").values_list(
        "asset_tag", "serial_number", "installed_on", "warranty_until"
    )
    assert assets.first() == (
        "BWP-HARBOR-001",
        "5227Q54431",
        datetime.date(2009, 12, 28),
        datetime.date(2014, 12, 28),
    )
    assert assets.last() == (
        "SLH-OAK-CLINIC-002",
        "ISU3752346",
        datetime.date(2022, 8, 18),
        datetime.date(2024, 8, 18),
    )
    last_part = AssetPart.objects.order_by("pk").last()
    assert (last_part.name, last_part.serial_number, last_part.installed_on) == (
        "Standby battery set",
        "B5774-45",
        datetime.date(2023, 8, 22),
    )


def test_the_demo_shows_findings_and_merging_the_duplicate_clears_them(admin_user):
    """The data-quality example of the demo: Bob Taylor, entered again for Robert Taylor, lacks a
    mobile number and is listed as his likely duplicate; merging him into Robert clears both."""
    from clientbase.contacts.duplicates import duplicate_pairs
    from clientbase.quality import selectors
    from clientbase.quality.merge import merge_contacts

    run_demo("--password", PASSWORD)
    bob = Contact.objects.get(first_name="Bob", last_name="Taylor")
    robert = Contact.objects.get(first_name="Robert", last_name="Taylor")
    rules = selectors.visible_rules(admin_user, rule="key_contact_without_mobile")
    assert [f.object_id for f in selectors.findings_page(admin_user, rules).findings] == [bob.pk]
    [pair] = [
        p for p in duplicate_pairs(admin_user, robert.customer_id) if {p.first, p.second} == {bob, robert}
    ]
    assert pair.score == 100

    merge_contacts(acting_user=admin_user, into=robert.pk, others=[bob.pk])
    assert selectors.findings_page(admin_user, rules).findings == []
    assert not [p for p in duplicate_pairs(admin_user, robert.customer_id) if robert in (p.first, p.second)]
