"""The text rules of `clientbase.text` on every text field of every model services write, and
through every surface: no control, bidirectional or zero-width character (a line break, tab or
NUL in a single-line field either), and text stored in NFC so that the NFC and NFD forms of a
value are one value.

The fields are enumerated from the models, so a new text field is covered without touching this
file."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from typing import Any

import pytest
from django.db import models

from clientbase import text, writes
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from clientbase.customers import services as customer_services
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.errors import ValidationFailed
from clientbase.notifications import services as notification_services
from clientbase.notifications.models import Activity
from clientbase.transfer.services import import_file
from clientbase.workorders import services as work_services
from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import AssetFactory, AssetPartFactory, ContactFactory, CustomerFactory, LocationFactory
from tests.portal.conftest import signed_in
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

# Refused everywhere.
ALWAYS_REFUSED = {
    "NUL": "\x00",
    "escape": "\x1b",
    "DEL": "\x7f",
    "C1 next line": "\x85",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "right-to-left mark": "\u200f",
    "Arabic letter mark": "\u061c",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
}
# Refused in single-line fields only.
LINE_BREAKS = {"line feed": "\n", "carriage return": "\r", "tab": "\t", "line separator": "\u2028"}

# The models services write: their factory, their update service (None: created only), the
# keyword of the object, and the fields the service takes as input.
SERVICES: dict[type[models.Model], tuple[Any, Any, str, tuple[str, ...]]] = {
    Customer: (
        CustomerFactory,
        customer_services.update_customer,
        "customer",
        customer_services.CUSTOMER_FIELDS,
    ),
    Location: (
        LocationFactory,
        customer_services.update_location,
        "location",
        customer_services.LOCATION_FIELDS,
    ),
    Asset: (AssetFactory, customer_services.update_asset, "asset", customer_services.ASSET_FIELDS),
    AssetPart: (
        AssetPartFactory,
        customer_services.update_asset_part,
        "part",
        customer_services.ASSET_PART_FIELDS,
    ),
    Contact: (ContactFactory, contact_services.update_contact, "contact", contact_services.CONTACT_FIELDS),
    WorkOrder: (
        WorkOrderFactory,
        work_services.update_work_order,
        "work_order",
        work_services.WORK_ORDER_FIELDS,
    ),
    Quote: (QuoteFactory, work_services.update_quote, "quote", work_services.DOCUMENT_FIELDS),
    Invoice: (InvoiceFactory, work_services.update_invoice, "invoice", work_services.DOCUMENT_FIELDS),
    Activity: (None, None, "", notification_services.ACTIVITY_FIELDS),
}
TEXT_FIELDS = [
    (model, field.name)
    for model in SERVICES
    for field in model._meta.concrete_fields
    if text.is_text_field(field)
]


def field_of(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def value_with(model: type[models.Model], name: str, char: str) -> Any:
    """A value `field` would take, with `char` in its middle."""
    field = field_of(model, name)
    if isinstance(field, models.JSONField):
        return [f"a{char}b"] if field.default is list else {"street": f"Main{char}Street"}
    if isinstance(field, models.EmailField):
        return f"ab{char}cd@example.com"
    if isinstance(field, models.URLField):
        return f"https://example.com/a{char}b"
    if type(field).__name__ == "PhoneNumberField":
        return f"+1 312 555{char}0142"
    if field.choices:
        choice = str(field.choices[0][0])
        return choice[:2] + char + choice[2:]
    return f"Ab{char}cd"


def refused_chars(model: type[models.Model], name: str) -> dict[str, str]:
    multiline = text.is_multiline(field_of(model, name))
    return ALWAYS_REFUSED if multiline else {**ALWAYS_REFUSED, **LINE_BREAKS}


def stored(obj: models.Model) -> dict[str, Any]:
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def activity_data(customer: Customer, name: str, value: Any) -> dict[str, Any]:
    return {"customer": customer, "kind": "note", "summary": "Called about the boiler", name: value}


@pytest.mark.parametrize(("model", "name"), TEXT_FIELDS, ids=[f"{m.__name__}.{n}" for m, n in TEXT_FIELDS])
def test_every_text_field_refuses_what_text_may_not_hold_and_nothing_changes(admin_user, model, name):
    factory, update, keyword, inputs = SERVICES[model]
    customer = CustomerFactory()
    obj = factory() if factory is not None else None
    for label, char in refused_chars(model, name).items():
        value = value_with(model, name, char)
        if obj is None:  # an activity: recorded, never changed
            before = Activity.objects.count()
            if name in inputs:
                with pytest.raises(ValidationFailed) as refused:
                    notification_services.record_activity(
                        acting_user=admin_user, data=activity_data(customer, name, value)
                    )
            else:  # derived by the service (the contact's name): the check every service runs
                activity = Activity(customer=customer, kind="note", summary="Called", **{name: value})
                with pytest.raises(ValidationFailed) as refused:
                    writes.validate(activity)
            assert Activity.objects.count() == before
        else:
            before = stored(obj)
            fresh = type(obj)._default_manager.get(pk=obj.pk)
            if name in inputs:
                with pytest.raises(ValidationFailed) as refused:
                    update(acting_user=admin_user, data={name: value}, **{keyword: fresh})
            else:  # set by the service itself (numbers, statuses, names copied from contacts)
                setattr(fresh, name, value)
                with pytest.raises(ValidationFailed) as refused:
                    writes.validate(fresh)
            assert stored(obj) == before, label
        errors = refused.value.errors
        assert name in errors, (label, errors)
        if not field_of(model, name).choices or name not in inputs:
            assert f"U+{ord(char):04X}" in " ".join(errors[name]), (label, errors)


MULTI_LINE_FIELDS = [
    (model, name)
    for model, name in TEXT_FIELDS
    if text.is_multiline(field_of(model, name)) and name in SERVICES[model][3]
]


@pytest.mark.parametrize(
    ("model", "name"), MULTI_LINE_FIELDS, ids=[f"{m.__name__}.{n}" for m, n in MULTI_LINE_FIELDS]
)
def test_multi_line_fields_keep_line_breaks_and_tabs(admin_user, model, name):
    """Line breaks are kept as line feeds, whichever way a system wrote them (`\r\n`, `\r`)."""
    factory, update, keyword, _ = SERVICES[model]
    value = "First line\r\nsecond line\rthird\n\tindented"
    if model is Activity:
        obj = notification_services.record_activity(
            acting_user=admin_user, data=activity_data(CustomerFactory(), name, value)
        )
    else:
        obj = update(acting_user=admin_user, data={name: value}, **{keyword: factory()})
    assert stored(obj)[name] == "First line\nsecond line\nthird\n\tindented"


PLAIN_INPUTS = [
    (model, name)
    for model, name in TEXT_FIELDS
    if name in SERVICES[model][3]
    and not field_of(model, name).choices
    and type(field_of(model, name)).__name__ != "PhoneNumberField"
    and not (isinstance(field_of(model, name), models.JSONField) and field_of(model, name).default is list)
]


@pytest.mark.parametrize(("model", "name"), PLAIN_INPUTS, ids=[f"{m.__name__}.{n}" for m, n in PLAIN_INPUTS])
def test_text_is_stored_in_nfc(admin_user, model, name):
    factory, update, keyword, _ = SERVICES[model]
    decomposed = value_with(model, name, "Jose\u0301")  # “José” as a letter and a combining accent
    composed = value_with(model, name, "Jos\u00e9")
    if model is Activity:
        obj = notification_services.record_activity(
            acting_user=admin_user, data=activity_data(CustomerFactory(), name, decomposed)
        )
    else:
        obj = update(acting_user=admin_user, data={name: decomposed}, **{keyword: factory()})
    value = stored(obj)[name]
    assert value == composed or (isinstance(value, str) and value.lower() == composed.lower())


def test_the_same_text_in_another_form_is_no_change(admin_user):
    contact = ContactFactory(first_name="Jos\u00e9", last_name="Mu\u00f1oz")
    versions = contact.history.count()
    contact_services.update_contact(
        contact=contact, acting_user=admin_user, data={"first_name": "Jose\u0301", "last_name": "Mun\u0303oz"}
    )
    assert contact.history.count() == versions
    assert stored(contact)["first_name"] == "Jos\u00e9"


# The rules themselves ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["Müller-Lüdenscheidt", "O'Brien & Söhne", "東京", "Zoë", "שלום", "", " spaced "]
)
def test_ordinary_text_passes(value):
    assert text.problem(value) is None
    assert text.clean(value) == unicodedata.normalize("NFC", value)


def test_messages_name_the_character():
    assert text.problem("Jane\nDoe") == "Contains a line break (U+000A); this field is a single line."
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in text.problem("invoice\u202efdp.exe")
    assert "U+200B ZERO WIDTH SPACE" in text.problem("ad\u200bmin")
    assert "U+0000" in text.problem("a\x00b", multiline=True)
    assert "U+D800" in text.problem("a\ud800b")
    assert text.problem("two\nlines\r\n\tand a tab", multiline=True) is None


def test_scrub_drops_what_text_may_not_hold():
    assert text.scrub("report\u202e\x00vsc.csv") == "reportvsc.csv"
    assert text.scrub("Jose\u0301.csv") == "Jos\u00e9.csv"


# Through the surfaces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/contacts/", {"last_name": "Doe\r\nBcc: all@example.com"}, "last_name"),
        ("/api/v1/contacts/", {"last_name": "Doe", "first_name": "Ja\u202ene"}, "first_name"),
        ("/api/v1/contacts/", {"last_name": "Doe", "external_id": "E\u200b1"}, "external_id"),
        ("/api/v1/contacts/", {"last_name": "Doe", "address": {"city": "Chi\ncago"}}, "address"),
        ("/api/v1/contacts/", {"last_name": "Doe", "notes": "ok\n\u2066hidden\u2069"}, "notes"),
        ("/api/v1/contacts/", {"last_name": "Doe\ud800"}, "last_name"),  # no database stores it
        ("/api/v1/contacts/", {"last_name": "Doe", "address": {"street": "a\u0000b"}}, "address"),
        ("/api/v1/customers/", {"name": "Acme\tCorp"}, "name"),
        ("/api/v1/customers/", {"name": "Acme", "tax_id": "DE\u200f123"}, "tax_id"),
        (
            "/api/v1/customers/",
            {"name": "Acme", "billing_address": {"street": "Main\u0085St"}},
            "billing_address",
        ),
    ],
)
def test_api_refuses_with_a_field_error_naming_the_character(api, admin_user, path, body, field):
    client = api(admin_user)
    existing = ContactFactory(last_name="Johnson")
    contacts, customers = list(Contact.objects.values()), list(Customer.objects.values())
    raw = json.dumps(body)  # \u escapes: a lone surrogate travels as JSON allows
    created = client.post(path, raw, content_type="application/json")
    assert created.status_code == 400, created.content
    assert list(created.json()) == [field]
    assert re.search(r"U\+[0-9A-F]{4}", created.json()[field][0])
    target = existing if "contacts" in path else existing.customer
    changed = client.patch(f"{path}{target.pk}/", raw, content_type="application/json")
    assert changed.status_code == 400, changed.content
    assert field in changed.json()
    assert "Johnson" not in created.content.decode() + changed.content.decode()
    assert list(Contact.objects.values()) == contacts
    assert list(Customer.objects.values()) == customers


def test_api_stores_nfc_and_an_nfd_external_id_is_the_same_id(api, admin_user):
    client = api(admin_user)
    customer = CustomerFactory()
    composed = client.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "last_name": "Mu\u00f1oz", "external_id": "ERP-\u00e91"},
        format="json",
    )
    assert composed.status_code == 201, composed.content
    nfc_twin = client.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "last_name": "Other", "external_id": "ERP-\u00e91"},
        format="json",
    )
    nfd_twin = client.post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "last_name": "Mun\u0303oz", "external_id": "ERP-e\u03011"},
        format="json",
    )
    assert nfd_twin.status_code == nfc_twin.status_code != 201
    assert nfd_twin.json() == nfc_twin.json()
    assert Contact.objects.get().external_id == "ERP-\u00e91"
    named = client.post("/api/v1/customers/", {"name": "Caf\u0065\u0301 Central"}, format="json")
    assert named.json()["name"] == "Caf\u00e9 Central"
    assert Customer.objects.filter(name="Caf\u00e9 Central").exists()


def staff_contact_form(customer: Customer, **overrides: str) -> dict[str, str]:
    data = {
        "customer": str(customer.pk),
        "salutation": "",
        "first_name": "Mike",
        "last_name": "Johnson",
        "title": "",
        "department": "",
        "email": "",
        "phone": "",
        "mobile": "",
        "secondary_phone": "",
        "preferred_channel": "email",
        "reports_to": "",
        "status": "active",
        "approval_limit": "",
        "notify_from_roles": "on",
        "notes": "",
        "external_id": "",
        "address_street": "",
        "address_street2": "",
        "address_city": "",
        "address_region": "",
        "address_postal_code": "",
        "address_country": "",
        "support_start": "",
        "support_end": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("last_name", "John\u202eson"),
        ("first_name", "Mi\u200bke"),
        ("title", "Head\u0085of"),
        ("external_id", "E\u20601"),
        ("notes", "fine\nbut \u202ehidden"),
    ],
)
def test_the_staff_contact_form_shows_the_refusal_next_to_the_field(client, admin_user, field, value):
    customer = CustomerFactory()
    client.force_login(admin_user)
    response = client.post("/contacts/new/", staff_contact_form(customer, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html
    assert re.search(r"U\+[0-9A-F]{4}", html)
    assert not Contact.objects.exists()


def test_the_staff_contact_form_refuses_a_line_break_in_an_address_line(client, admin_user):
    customer = CustomerFactory()
    client.force_login(admin_user)
    response = client.post("/contacts/new/", staff_contact_form(customer, address_city="Chi\u2028cago"))
    assert response.status_code == 200
    assert "U+2028" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("last_name", "Buil\u202eder"), ("title", "Boss\u200d")])
def test_the_portal_contact_form_shows_the_refusal(portal_user_factory, field, value):
    customer = CustomerFactory()
    user = portal_user_factory(customer, ("admin",))
    contact = Contact.objects.get(user=user)
    contacts = list(Contact.objects.values())
    response = signed_in(contact).post(
        "/portal/contacts/new/", {"last_name": "Builder", "status": "active", field: value}
    )
    assert response.status_code == 200
    assert re.search(r"U\+[0-9A-F]{4}", response.content.decode())
    assert list(Contact.objects.values()) == contacts


def test_an_import_row_with_a_refused_character_is_a_row_error(admin_user):
    customer = CustomerFactory()
    csv = (
        "customer,first_name,last_name,external_id\n"
        f'{customer.number},"Mi\nke",Johnson,E-1\n'
        f"{customer.number},Susan,Wil\u202eliams,E-2\n"
        f"{customer.number},Ann,Lee,E\u200b3\n"
    )
    report = import_file(
        acting_user=admin_user, kind="contacts", file=io.BytesIO(csv.encode()), dry_run=False
    )
    assert [(error["row"], error["field"]) for error in report.errors] == [
        (2, "first_name"),
        (3, "last_name"),
        (4, "external_id"),
    ]
    assert all(re.search(r"U\+[0-9A-F]{4}", error["message"]) for error in report.errors)
    assert not Contact.objects.exists()


def test_an_import_matches_the_nfc_value_whatever_form_the_file_has(admin_user):
    customer = CustomerFactory()
    by_id = ContactFactory(
        customer=customer, last_name="Old", external_id="ERP-\u00e91", email="a@example.com"
    )
    by_mail = ContactFactory(customer=customer, last_name="Old", email="jos\u00e9@example.com")
    csv = (
        "customer,last_name,external_id,email\n"
        f"{customer.number},Mun\u0303oz,ERP-e\u03011,\n"
        f"{customer.number},Garci\u0301a,,jose\u0301@example.com\n"
    )
    report = import_file(
        acting_user=admin_user, kind="contacts", file=io.BytesIO(csv.encode()), dry_run=False
    )
    assert (report.created, report.updated, report.errors) == (0, 2, [])
    assert stored(by_id)["last_name"] == "Mu\u00f1oz"
    assert stored(by_mail)["last_name"] == "Garc\u00eda"
    assert Contact.objects.count() == 2
