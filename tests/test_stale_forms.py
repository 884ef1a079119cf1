"""Edit forms carry the version they were loaded at; a save over someone else's change is refused
with what changed since, nothing is saved, the input is kept, and saving again applies it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db.models import Model

from clientbase.contacts.models import Contact
from clientbase.contacts.services import update_contact
from clientbase.customers import services as customer_services
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from tests.factories import (
    AssetFactory,
    AssetPartFactory,
    ContactFactory,
    CustomerFactory,
    LocationFactory,
    UserFactory,
)
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


class FormReader(HTMLParser):
    """What a browser would post from each `<form method="post">` of a page, as (action, data)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._form: dict[str, list[str]] | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.setdefault(a["name"], []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a)
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form.setdefault(self._select[0], []).append(value)
                self._select_chosen = True
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple = self._select
            if not self._select_chosen and not multiple and self._select_first is not None:
                self._form.setdefault(name, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.setdefault(self._textarea, []).append("".join(self._text).removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def edit_form(html: str) -> dict[str, list[str]]:
    """The data of the page's edit form (the one that carries the version)."""
    reader = FormReader()
    reader.feed(html)
    forms = [form for form in reader.forms if "version" in form]
    assert len(forms) == 1, "the edit form carries its version"
    return forms[0]


def text(response) -> str:
    """The page's text, as read: tags gone, spaces collapsed, none before punctuation."""
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))
    return re.sub(r"\( ", "(", re.sub(r" ([:,.)])", r"\1", words))


@pytest.fixture
def other():
    """Someone else, who changes the record while the form is open."""
    return UserFactory(username="morgan", is_superuser=True)


@dataclass(frozen=True)
class Edit:
    """A staff edit page: its record, the change someone else makes meanwhile (field label, old,
    new), and the change the user types (form field, value)."""

    name: str
    make: Callable[[], Model]
    path: str
    meddle: Callable[[Model, Any], None]
    label: str
    old: str
    new: str
    field: str
    value: str
    history: bool = True

    def __str__(self) -> str:
        return self.name


EDITS = [
    Edit(
        "customer",
        lambda: CustomerFactory(name="Northwind", notes=""),
        "/customers/{pk}/edit/",
        lambda obj, user: customer_services.update_customer(
            customer=obj, acting_user=user, data={"name": "Northwind Health"}
        ),
        "Name",
        "Northwind",
        "Northwind Health",
        "notes",
        "Call before visiting.",
    ),
    Edit(
        "location",
        lambda: LocationFactory(name="North", access_notes=""),
        "/locations/{pk}/edit/",
        lambda obj, user: customer_services.update_location(
            location=obj, acting_user=user, data={"name": "North Campus"}
        ),
        "Name",
        "North",
        "North Campus",
        "access_notes",
        "Gate 4",
    ),
    Edit(
        "asset",
        lambda: AssetFactory(name="Chiller", asset_tag=""),
        "/assets/{pk}/edit/",
        lambda obj, user: customer_services.update_asset(
            asset=obj, acting_user=user, data={"name": "Chiller CH-1"}
        ),
        "Name",
        "Chiller",
        "Chiller CH-1",
        "asset_tag",
        "TAG-7",
        history=False,
    ),
    Edit(
        "part",
        lambda: AssetPartFactory(name="Motor", part_number=""),
        "/asset-parts/{pk}/edit/",
        lambda obj, user: customer_services.update_asset_part(
            part=obj, acting_user=user, data={"name": "Compressor motor"}
        ),
        "Name",
        "Motor",
        "Compressor motor",
        "part_number",
        "PN-9",
        history=False,
    ),
    Edit(
        "contact",
        lambda: ContactFactory(last_name="Chen", title=""),
        "/contacts/{pk}/edit/",
        lambda obj, user: update_contact(contact=obj, acting_user=user, data={"last_name": "Chen-Wu"}),
        "Last name",
        "Chen",
        "Chen-Wu",
        "title",
        "Facilities Manager",
    ),
]
MODELS = {"customer": Customer, "location": Location, "asset": Asset, "part": AssetPart, "contact": Contact}


def row(edit: Edit, obj: Model) -> dict[str, Any]:
    return MODELS[edit.name].objects.filter(pk=obj.pk).values().get()


@pytest.mark.parametrize("edit", EDITS, ids=str)
def test_a_form_posted_over_someone_elses_change_is_refused_with_the_change_shown(
    client, admin_user, other, edit
):
    obj = edit.make()
    client.force_login(admin_user)
    path = edit.path.format(pk=obj.pk)
    data = edit_form(client.get(path).content.decode())
    assert data["version"] == ["1"]

    edit.meddle(obj, other)  # someone else saves first: version 2
    after_meddling = row(edit, obj)
    data[edit.field] = [edit.value]
    response = client.post(path, data)

    assert response.status_code == 409
    page = text(response)
    assert "was changed by someone else since you opened this form" in page
    if edit.history:
        # What changed, from the history: field, old and new value, who.
        assert f"{edit.label}: {edit.old} → {edit.new}" in page
        assert "morgan" in page
    else:
        # No history kept: the fields whose stored value differs from the input, with that value.
        assert f"{edit.label}: stored now: {edit.new}" in page
    assert row(edit, obj) == after_meddling  # nothing saved
    kept = edit_form(response.content.decode())
    assert kept[edit.field] == [edit.value]  # the input is kept
    assert kept["version"] == ["2"]  # saving again applies it over the change shown

    again = client.post(path, kept)
    assert again.status_code == 302
    saved = row(edit, obj)
    assert saved[edit.field] == edit.value
    assert saved["version"] == 3
    meddled = next(name for name, value in after_meddling.items() if value == edit.new)
    if edit.history:
        # The field the user had left as loaded took the value stored since: nothing is lost.
        assert saved[meddled] == edit.new
    else:
        # Without history the form cannot tell whose change a difference is: the input as shown.
        assert saved[meddled] == edit.old


def test_a_field_both_changed_keeps_the_input_and_says_so(client, admin_user, other):
    customer = CustomerFactory(name="Northwind")
    client.force_login(admin_user)
    path = f"/customers/{customer.pk}/edit/"
    data = edit_form(client.get(path).content.decode())
    customer_services.update_customer(customer=customer, acting_user=other, data={"name": "Northwind Health"})
    data["name"] = ["Northwind Hospitals"]
    response = client.post(path, data)
    assert response.status_code == 409
    page = text(response)
    assert "Name: Northwind → Northwind Health" in page
    assert "You changed this field too: your input is kept." in page
    assert edit_form(response.content.decode())["name"] == ["Northwind Hospitals"]
    assert Customer.objects.get(pk=customer.pk).name == "Northwind Health"


@pytest.mark.parametrize("edit", EDITS, ids=str)
def test_a_form_saved_without_a_change_meanwhile_is_saved(client, admin_user, edit):
    obj = edit.make()
    client.force_login(admin_user)
    path = edit.path.format(pk=obj.pk)
    data = edit_form(client.get(path).content.decode())
    data[edit.field] = [edit.value]
    assert client.post(path, data).status_code == 302
    saved = row(edit, obj)
    assert saved[edit.field] == edit.value
    assert saved["version"] == 2


def test_a_form_redisplayed_with_errors_keeps_the_version_it_was_loaded_at(client, admin_user, other):
    customer = CustomerFactory(name="Northwind")
    client.force_login(admin_user)
    path = f"/customers/{customer.pk}/edit/"
    data = edit_form(client.get(path).content.decode())
    customer_services.update_customer(customer=customer, acting_user=other, data={"notes": "Net 30"})
    data["name"] = [""]  # refused by the form itself
    response = client.post(path, data)
    assert response.status_code == 200
    assert edit_form(response.content.decode())["version"] == ["1"]
    data["name"] = ["Northwind Hospitals"]
    assert client.post(path, data).status_code == 409
    assert Customer.objects.get(pk=customer.pk).name == "Northwind"


def test_a_technician_saving_notes_over_a_change_is_refused_too(client, technician, other):
    contact = ContactFactory(last_name="Chen", notes="")
    client.force_login(technician)
    path = f"/contacts/{contact.pk}/edit/"
    data = edit_form(client.get(path).content.decode())
    update_contact(contact=contact, acting_user=other, data={"notes": "Prefers mornings."})
    data["notes"] = ["Gate code 1234"]
    response = client.post(path, data)
    assert response.status_code == 409
    assert "Notes: empty → Prefers mornings." in text(response)
    assert Contact.objects.get(pk=contact.pk).notes == "Prefers mornings."


# The portal's contact form ------------------------------------------------------------------------


@pytest.fixture
def portal_editor(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(
        customer=customer,
        first_name="Eddie",
        last_name="Editor",
        email="eddie@northwind.example",
        portal_enabled=True,
        portal_permissions=["edit_contacts"],
    )
    contact.user = UserFactory(username="eddie@northwind.example", is_staff=False)
    contact.save(update_fields=["user"])
    return contact


def test_the_portal_contact_form_refuses_a_stale_save_without_naming_staff(portal_editor, other):
    colleague = ContactFactory(customer=portal_editor.customer, last_name="Builder", title="")
    client = signed_in(portal_editor)
    path = f"/portal/contacts/{colleague.pk}/edit/"
    data = edit_form(client.get(path).content.decode())
    update_contact(
        contact=colleague, acting_user=other, data={"last_name": "Builder-Smith", "notes": "Internal note"}
    )
    after_meddling = Contact.objects.filter(pk=colleague.pk).values().get()
    data["title"] = ["Facilities Manager"]

    response = client.post(path, data)

    assert response.status_code == 409
    page = text(response)
    assert "Last name: Builder → Builder-Smith" in page
    assert "our staff" in page
    assert "morgan" not in page  # staff usernames stay out of the portal
    assert "Internal note" not in page  # a field the portal form does not show
    assert "Other details were changed as well." in page
    assert Contact.objects.filter(pk=colleague.pk).values().get() == after_meddling
    kept = edit_form(response.content.decode())
    assert kept["title"] == ["Facilities Manager"]
    assert client.post(path, kept).status_code == 302
    assert Contact.objects.get(pk=colleague.pk).title == "Facilities Manager"
    assert Contact.objects.get(pk=colleague.pk).last_name == "Builder-Smith"
