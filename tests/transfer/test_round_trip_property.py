"""Property: whatever contacts hold (quotes, delimiters, line breaks, formulas, any script, phone
extensions, empty values), exporting them and importing the file back unchanged reports every
row unchanged and writes nothing, in CSV and in XLSX."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clientbase.contacts import services as contact_services
from clientbase.contacts.models import NOTIFY_CATEGORIES, ROLES, Contact
from clientbase.errors import ServiceError
from clientbase.transfer.exporters import contacts_for_export, export_contacts
from clientbase.transfer.services import import_file
from tests.factories import CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db

# Letters of several scripts and what files treat specially: quotes, delimiters, formula starts.
LETTERS = "abcXYZéüßØЖжΩ中文ع日本 '\",;=+-@#()&|01"
line = st.text(alphabet=LETTERS, max_size=24)
name = line.filter(lambda text: text.strip() != "")
notes = st.text(alphabet=LETTERS + "\n\t", max_size=80)
PHONES = ["", "+13125550142", "+13125550142;ext=12", "+442079460018", "+81312345678", "+13125550199"]


@st.composite
def contacts(draw):
    count = draw(st.integers(min_value=1, max_value=4))
    people = []
    for index in range(count):
        roles = draw(st.lists(st.sampled_from(ROLES), unique=True))
        people.append(
            {
                "customer": draw(st.sampled_from(["first", "second", None])),
                "first_name": draw(line),
                "last_name": draw(name),
                "title": draw(line),
                "department": draw(line),
                "salutation": draw(st.sampled_from(["", "Dr.", "Ms.", "=1+1"])),
                "email": draw(st.sampled_from(["", f"P{index}.Person@Example.com", f"p{index}@例え.jp"])),
                "phone": draw(st.sampled_from(PHONES)),
                "mobile": draw(st.sampled_from(PHONES)),
                "external_id": draw(st.sampled_from(["", f"X-{index}", f"=X{index}"])),
                "roles": roles,
                "approval_limit": draw(st.sampled_from([None, Decimal("0.00"), Decimal("25000.50")]))
                if "approver" in roles
                else None,
                "notify": {category: draw(st.booleans()) for category in NOTIFY_CATEGORIES},
                "status": draw(st.sampled_from(["active", "inactive"])),
                "notes": draw(notes),
                "address": {
                    "city": draw(line),
                    "postal_code": draw(st.sampled_from(["", "01234", "SW1A 1AA"])),
                },
                "with_location": draw(st.booleans()),
            }
        )
    return people


def store(people, admin_user) -> int:
    customers = {
        "first": CustomerFactory(name="First, Inc."),
        "second": CustomerFactory(name="Second “Quoted”"),
    }
    sites = {
        key: LocationFactory(customer=customer, code=f"{key[:1].upper()}-1")
        for key, customer in customers.items()
    }
    stored = 0
    for person in people:
        key = person.pop("customer")
        with_location = person.pop("with_location")
        data = {**person, "customer": customers[key] if key else None}
        if key and with_location:
            data["locations"] = [sites[key]]
        try:
            with transaction.atomic():
                contact_services.create_contact(acting_user=admin_user, data=data)
            stored += 1
        except ServiceError:
            continue  # values the rules refuse are not stored, so not exported either
    return stored


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=contacts())
def test_an_export_imported_back_unchanged_reports_every_row_unchanged(admin_user, fmt, people):
    with transaction.atomic():
        stored = store(people, admin_user)
        event(f"{stored} stored")
        before = list(Contact.objects.order_by("pk").values())
        out = io.BytesIO()
        export_contacts(contacts_for_export(admin_user, {}), fmt, out)
        out.seek(0)
        report = import_file(
            acting_user=admin_user, kind="contacts", file=out, dry_run=False, filename=f"contacts.{fmt}"
        ).as_dict()
        assert report["errors"] == []
        assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, stored)
        assert list(Contact.objects.order_by("pk").values()) == before
        transaction.set_rollback(True)
