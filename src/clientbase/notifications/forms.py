"""The compose forms of the e-mail staff write from a record (`services.send_email`): to one contact
from its page, and to a contact chosen among a customer's from the customer page. They check the
shape of the input; the rules (blank, lengths, characters, who may be written to) are the
service's, whose refusals the page puts next to these fields."""

from __future__ import annotations

from typing import Any

from django import forms

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.notifications.services import EMAIL_BODY_MAX, EMAIL_SUBJECT_MAX, email_blocker
from clientbase.pages import ServiceForm

# How many contacts the customer form offers (the rest are written to from their own pages).
CUSTOMER_FORM_CONTACTS = 200


class EmailForm(ServiceForm):
    """Subject and text. `to`, hidden, is the address the form showed: a stale form (the address
    changed since) is refused by the service, and shown again with the current address."""

    to = forms.CharField(required=False, widget=forms.HiddenInput)
    subject = forms.CharField(
        label="Subject",
        max_length=EMAIL_SUBJECT_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label="Text",
        max_length=EMAIL_BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text, sent as written, whatever the contact's notification choices; "
        "it is recorded in the contact's activity history with your name.",
    )

    def service_data(self) -> dict[str, Any]:
        return {
            "subject": self.cleaned_data["subject"],
            "body": self.cleaned_data["body"],
            "expected_email": self.cleaned_data.get("to") or None,
        }


class ContactOption(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} <{obj.email}>"


class CustomerEmailForm(EmailForm):
    """Subject and text to one contact of a customer. The list offers the contacts that may be
    written to now (active, with an address that has not bounced; `sendable`); the others with an
    address are named apart with the reason (`unsendable`), those without one counted
    (`without_address`). Any contact of the customer the user sees is accepted,
    so that one posted anyway is refused by the service with its reason."""

    field_order = ["contact", "subject", "body"]

    contact = ContactOption(
        label="To",
        queryset=Contact.objects.none(),
        empty_label="Choose a contact…",
        help_text="Its active contacts with an e-mail address that has not bounced.",
    )

    def __init__(self, *args: Any, user: Any, customer: Customer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        del self.fields["to"]
        visible = access.restrict(user, Contact.objects.filter(customer=customer), access.VIEW)
        field: Any = self.fields["contact"]
        field.queryset = visible
        rows = list(
            visible.exclude(email="").order_by("-is_primary", "last_name", "first_name", "id")[
                : CUSTOMER_FORM_CONTACTS + 1
            ]
        )
        self.limit = CUSTOMER_FORM_CONTACTS
        self.more = len(rows) > CUSTOMER_FORM_CONTACTS
        self.without_address = visible.filter(email="").count()
        rows = rows[:CUSTOMER_FORM_CONTACTS]
        blockers = [(contact, email_blocker(contact)) for contact in rows]
        self.sendable = [contact for contact, blocker in blockers if blocker is None]
        self.unsendable = [
            {"contact": contact, "reason": blocker} for contact, blocker in blockers if blocker is not None
        ]
        field.widget.choices = [("", field.empty_label)] + [
            (contact.pk, field.label_from_instance(contact)) for contact in self.sendable
        ]

    def service_data(self) -> dict[str, Any]:
        return {**super().service_data(), "contact": self.cleaned_data["contact"]}
