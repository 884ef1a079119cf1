"""The staff pages of contacts, and the start page: the search over contacts, customers and
locations."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from clientbase import access, history
from clientbase.api.filters import SEARCH_MAX_LENGTH, parse_id
from clientbase.contacts import duplicates, privacy, selectors, services
from clientbase.contacts.filters import ContactFilterSet
from clientbase.contacts.forms import (
    APPROVER_NOT_NOTIFIED,
    ContactForm,
    ContactNotesForm,
    MoveContactForm,
    notify_warning,
    role_notify_json,
)
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer, Location
from clientbase.customers.selectors import search_customers, search_locations
from clientbase.keyset import first_rows
from clientbase.pages import (
    ActionView,
    DetailPage,
    FormPage,
    ListPage,
    PageSection,
    StaffPage,
    allowed_ids,
    flags,
    register_section,
    safe_next,
    sections_for,
    wants_partial,
)
from clientbase.phones import format_phone
from clientbase.vocabulary import ContactRole

PHONE_LABELS = (("phone", "Phone"), ("mobile", "Mobile"), ("secondary_phone", "Other phone"))

# Sections other apps add to the contact page (portal access, work orders requested, ...), before
# its history.
ContactSection = PageSection
CONTACT_SECTIONS: list[PageSection] = []


def register_contact_section(section: PageSection) -> None:
    """Add a section to every contact page (call it from an AppConfig.ready())."""
    register_section(CONTACT_SECTIONS, section)


def contact_url(contact: Contact | int) -> str:
    return reverse("contacts:contact-detail", args=[getattr(contact, "pk", contact)])


def contact_rows(user: Any, contacts: list[Contact]) -> list[Contact]:
    """Add to each contact what a row shows: readable phones with their `tel:` target, role
    labels, and whether the user may make it primary (one query for the whole page)."""
    changeable = allowed_ids(user, Contact.objects.filter(pk__in=[c.pk for c in contacts]), access.CHANGE)
    for contact in contacts:
        contact.phone_links = phone_links(contact)  # type: ignore[attr-defined]
        contact.role_labels = ContactRole.labels_of(contact.roles)  # type: ignore[attr-defined]
        contact.may_make_primary = (  # type: ignore[attr-defined]
            contact.pk in changeable
            and not contact.is_primary
            and contact.customer_id is not None
            and contact.status == Contact.Status.ACTIVE
        )
    return contacts


def phone_links(contact: Contact) -> list[dict[str, str]]:
    return [
        {"label": label, "tel": getattr(contact, name), "text": format_phone(getattr(contact, name))}
        for name, label in PHONE_LABELS
        if getattr(contact, name)
    ]


# Contacts on the customer and location pages and in the customer list ----------------------------
# (registered in ContactsConfig.ready() with `clientbase.customers.views`)

# How many contacts a customer page shows before linking to the full list.
CUSTOMER_SECTION_SIZE = 50


def customer_contacts_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The contacts of a customer for its page: the primary first, then the active ones, each by
    name, at most `CUSTOMER_SECTION_SIZE` (`more` when there are others), and its primary contact
    for the page's details; None when the user may not see contacts."""
    user = request.user
    if not access.can(user, access.VIEW, Contact):
        return None
    contacts = list(
        access.restrict(user, Contact.objects.filter(customer=customer), access.VIEW)
        .prefetch_related("locations")
        .order_by("-is_primary", "status", "last_name", "first_name", "id")[: CUSTOMER_SECTION_SIZE + 1]
    )
    return {
        "contacts": contact_rows(user, contacts[:CUSTOMER_SECTION_SIZE]),
        "more": len(contacts) > CUSTOMER_SECTION_SIZE,
        "primary": next((contact for contact in contacts if contact.is_primary), None),
        "can_add": access.can(user, access.ADD, Contact),
    }


def location_contacts_section(request: HttpRequest, location: Location) -> dict[str, Any] | None:
    """The contacts of a location for its page: emergency and site contacts first, those linked to
    it and the customer-level ones (`selectors.contacts_for_location_by_role`); None when the user
    may not see contacts."""
    user = request.user
    if not access.can(user, access.VIEW, Contact):
        return None
    contacts = list(
        selectors.contacts_for_location_by_role(
            access.restrict(user, Contact.objects.all(), access.VIEW),
            location,
        )
    )
    return {"contacts": contact_rows(user, contacts), "can_add": access.can(user, access.ADD, Contact)}


def customer_list_primary_contacts(request: HttpRequest, customers: list[Customer]) -> dict[str, Any] | None:
    """The primary contact of each customer on a page of the customer list, as
    `customer.primary_contacts` (a list of at most one, in one query for the page); None when the
    user may not see contacts."""
    user = request.user
    if not access.can(user, access.VIEW, Contact):
        return None
    primary = access.restrict(user, Contact.objects.filter(is_primary=True), access.VIEW)
    prefetch_related_objects(customers, Prefetch("contacts", queryset=primary, to_attr="primary_contacts"))
    return {}


# The start page -----------------------------------------------------------------------------------


class SearchView(StaffPage):
    """The start page: one search box over contacts, customers and locations, results grouped.
    htmx asks for the results only, as the user types."""

    section = "search"

    template_name = "contacts/search.html"
    partial_template_name = "contacts/_partials/search_results.html"
    group_size = 8

    def get_template_names(self) -> list[str]:
        return [self.partial_template_name] if wants_partial(self.request) else [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Printable characters only (no NUL, no control characters).
        typed = "".join(
            char for char in self.request.GET.get("q", "") if char.isprintable() or char.isspace()
        )
        query = " ".join(typed.split())
        too_long = len(query) > SEARCH_MAX_LENGTH  # refused, as the lists and the API refuse it
        groups = self.search(query) if query and not too_long else []
        context.update(
            q=query,
            too_long=too_long,
            search_max_length=SEARCH_MAX_LENGTH,
            partial=wants_partial(self.request),
            groups=groups,
            result_count=sum(len(group["results"]) for group in groups),
            more=any(group["more_url"] for group in groups),
        )
        return context

    def search(self, query: str) -> list[dict[str, Any]]:
        user = self.user
        size = self.group_size
        groups = []
        if self.can(access.VIEW, Contact):
            contacts, more_contacts = first_rows(
                selectors.search_contacts(
                    access.restrict(user, Contact.objects.select_related("customer"), access.VIEW), query
                ),
                size,
            )
            groups.append(
                self._group(
                    "contacts",
                    "Contacts",
                    [self._contact_result(contact) for contact in contacts],
                    reverse("contacts:contact-list") if more_contacts else "",
                    {"search": query},
                )
            )
        if self.can(access.VIEW, Customer):
            customers, more_customers = first_rows(
                search_customers(access.restrict(user, Customer.objects.all(), access.VIEW), query), size
            )
            groups.append(
                self._group(
                    "customers",
                    "Customers",
                    [
                        {
                            "url": reverse("customers:customer-detail", args=[customer.pk]),
                            "title": customer.name,
                            "meta": [customer.number, customer.get_status_display(), customer.email],
                            "badge": "",
                        }
                        for customer in customers
                    ],
                    reverse("customers:customer-list") if more_customers else "",
                    {"search": query},
                )
            )
        if self.can(access.VIEW, Location):
            locations, more_locations = first_rows(
                search_locations(
                    access.restrict(user, Location.objects.select_related("customer"), access.VIEW), query
                ),
                size,
            )
            groups.append(
                self._group(
                    "locations",
                    "Locations",
                    [
                        {
                            "url": reverse("customers:location-detail", args=[location.pk]),
                            "title": location.name,
                            "meta": [location.customer.name, location.code, location.address.get("city", "")],
                            "badge": "" if location.is_active else "Inactive",
                        }
                        for location in locations
                    ],
                    reverse("customers:location-list") if more_locations else "",
                    {"search": query},
                )
            )
        return groups

    @staticmethod
    def _group(key: str, title: str, results: list[dict[str, Any]], more: str, params: dict[str, str]):
        from urllib.parse import urlencode

        return {
            "key": key,
            "title": title,
            "results": results,
            "more_url": f"{more}?{urlencode(params)}" if more else "",
        }

    @staticmethod
    def _contact_result(contact: Contact) -> dict[str, Any]:
        phones = phone_links(contact)
        return {
            "url": contact_url(contact),
            "title": contact.full_name,
            "meta": [
                contact.title,
                contact.customer.name if contact.customer else "No customer",
                phones[0]["text"] if phones else "",
                contact.email,
            ],
            "badge": "Primary" if contact.is_primary else ("Inactive" if contact.status != "active" else ""),
        }


# Contacts -----------------------------------------------------------------------------------------

# The choices of the contact list's filter `is_primary`.
PRIMARY_CHOICES = [("true", "Primary only"), ("false", "Not primary")]


class ContactListView(ListPage):
    section = "contacts"
    model = Contact
    queryset = Contact.objects.select_related("customer").prefetch_related("locations")
    filterset_class = ContactFilterSet
    template_name = "contacts/contact_list.html"
    partial_template_name = "contacts/_partials/contact_results.html"
    url_name = "contacts:contact-list"
    search_placeholder = "Name, e-mail, phone, title, customer"
    add_url_name = "contacts:contact-create"
    add_label = "Add contact"

    def decorate(self, rows: list[Any]) -> None:
        contact_rows(self.user, rows)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        params = self.request.GET
        customers = access.restrict(user, Customer.objects.all(), access.VIEW)
        customer_id = parse_id(params.get("customer"))
        locations: list[tuple[int, str]] = []
        if customer_id is not None:
            locations = list(
                access.restrict(
                    user, Location.objects.filter(customer_id=customer_id), access.VIEW
                ).values_list("pk", "name")
            )
        context.update(
            customer_choices=list(customers.values_list("pk", "name")),
            location_choices=locations,
            role_choices=ContactRole.choices,
            primary_choices=PRIMARY_CHOICES,
            show_customer=True,
        )
        return context


# How many recorded changes a contact page shows, newest first.
HISTORY_SIZE = 50


class ContactDetailView(DetailPage):
    section = "contacts"
    model = Contact
    queryset = Contact.objects.select_related("customer", "reports_to", "details_confirmed_by")
    template_name = "contacts/contact_detail.html"
    context_object_name = "contact"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        contact: Contact = self.object
        contact_rows(user, [contact])
        may = flags(
            user,
            contact,
            [access.CHANGE, access.CHANGE_NOTES, access.DELETE, access.MOVE, access.CONFIRM_DETAILS],
        )
        context.update(
            can=may,
            can_duplicate=self.may_duplicate(contact),
            can_read_personal_data=privacy.may_read_personal_data(user, contact),
            can_erase=privacy.may_erase(user, contact),
            locations=list(access.restrict(user, contact.locations.all(), access.VIEW)),
            direct_reports=list(access.restrict(user, contact.direct_reports.all(), access.VIEW)),
            history=history.for_display(selectors.contact_history(contact.pk, limit=HISTORY_SIZE), Contact),
            notify_labels=[label for key, label in NOTIFY_LABELS if contact.notify[key]],
            notify_warning=notify_warning(contact.roles, contact.notify),
            extra_sections=sections_for(self.request, contact, CONTACT_SECTIONS),
        )
        return context

    def may_duplicate(self, contact: Contact) -> bool:
        """The copy keeps the locations, so a customer-level contact can only be copied by someone
        who may maintain customer-level contacts."""
        if not self.can(access.ADD, Contact):
            return False
        return bool(
            contact.customer_id is None
            or access.may_maintain_customer_contacts(self.user)
            or contact.locations.exists()
        )


NOTIFY_LABELS = (
    ("work_orders", "Work orders"),
    ("completions", "Completions"),
    ("quotes", "Quotes"),
    ("invoices", "Invoices"),
)


def duplicate_hint_values(form: Any, customer: Customer | None, contact: Contact | None) -> str:
    """What the form's "looks like …" asks with besides the fields typed (JSON for `hx-vals`): the
    customer when the form has no field for it or a disabled one (which the browser does not
    send), the contact being edited (not its own duplicate)."""
    values: dict[str, int] = {}
    field = form.fields.get("customer")
    if customer is not None and (field is None or field.disabled):
        values["customer"] = customer.pk
    if contact is not None:
        values["exclude"] = contact.pk
    return json.dumps(values)


class ContactCreateView(FormPage):
    """A new contact; `?customer=` (and `?location=`) pre-fill it, as "Add contact" on a customer
    or location page does. Picking another customer reloads its locations and line managers
    (htmx; without JavaScript, the "Show its locations" button)."""

    section = "contacts"

    form_class = ContactForm
    template_name = "contacts/contact_form.html"
    success_message = "Contact “{obj.full_name}” created."

    def prepare(self) -> None:
        user = self.user
        access.require_model(user, access.ADD, Contact)
        self.customer: Customer | None = None
        self.location: Location | None = None
        if customer_id := self.request.GET.get("customer"):
            self.customer = access.fetch(user, Customer.objects.all(), customer_id)
        if (location_id := self.request.GET.get("location")) and self.customer is not None:
            self.location = access.fetch(
                user,
                Location.objects.filter(customer=self.customer),
                location_id,
            )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "customer": self.customer}

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        if "customer" in form.fields:
            # Another customer: reload its locations and line managers in place (htmx).
            form.fields["customer"].widget.attrs.update(
                {
                    "hx-post": self.request.get_full_path(),
                    "hx-trigger": "change",
                    "hx-include": "closest form",
                    "hx-vals": '{"_refresh": "1"}',
                    "hx-target": "#customer-fields",
                    "hx-swap": "outerHTML",
                }
            )
        return form

    def get_initial(self) -> dict[str, Any]:
        return {
            "customer": self.customer.pk if self.customer else None,
            "locations": [self.location.pk] if self.location else [],
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(customer=self.customer, creating=True, **kwargs)
        form = context["form"]
        context["duplicate_hint_values"] = duplicate_hint_values(form, self.customer, None)
        if isinstance(form, ContactForm):
            context.update(
                notify_warning=form.warning(),
                approver_not_notified=APPROVER_NOT_NOTIFIED,
                role_notify=role_notify_json(),
            )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "_refresh" in request.POST:
            self.prepare()
            return self.refreshed()
        return super().post(request, *args, **kwargs)

    def refreshed(self) -> HttpResponse:
        """The form again with what was typed, its choices those of the customer now picked."""
        bound = self.get_form()
        form = ContactForm(initial=bound.values_kept(), user=self.user, customer=bound.chosen_customer)
        if wants_partial(self.request):
            return render(self.request, "contacts/_partials/customer_fields.html", {"form": form})
        return self.render_to_response(self.get_context_data(form=form))

    def perform(self, form: ContactForm) -> Contact:
        return services.create_contact(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: Contact) -> str:
        return contact_url(obj)


class ContactUpdateView(ContactCreateView):
    """Edit a contact: every field for users who may change it, only the notes for those who may
    change only notes (technicians)."""

    edits = "contact"
    success_message = "Contact “{obj.full_name}” saved."

    def prepare(self) -> None:
        user = self.user
        self.contact = access.fetch(
            user,
            Contact.objects.select_related("customer"),
            self.kwargs["pk"],
        )
        self.customer = self.contact.customer
        self.location = None
        if access.allowed(user, access.CHANGE, self.contact):
            self.notes_only = False
        elif access.allowed(user, access.CHANGE_NOTES, self.contact):
            self.notes_only = True
        else:
            access.require(user, access.CHANGE, self.contact)

    def get_form_class(self) -> Any:
        return ContactNotesForm if self.notes_only else ContactForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contact": self.contact}

    def get_initial(self) -> dict[str, Any]:
        return self.get_form_class().initial_for(self.contact)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            contact=self.contact,
            creating=False,
            notes_only=self.notes_only,
            duplicate_hint_values=duplicate_hint_values(context["form"], self.contact.customer, self.contact),
        )
        return context

    def refreshed(self) -> HttpResponse:
        if self.notes_only:
            return HttpResponseRedirect(self.request.path)
        bound = self.get_form()
        form = ContactForm(
            initial=bound.values_kept(), user=self.user, customer=bound.chosen_customer, contact=self.contact
        )
        if wants_partial(self.request):
            return render(self.request, "contacts/_partials/customer_fields.html", {"form": form})
        return self.render_to_response(self.get_context_data(form=form))

    def perform(self, form: ContactForm) -> Contact:
        return services.update_contact(
            contact=self.contact,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )


class ContactMakePrimaryView(ActionView):
    """Make a contact its customer's primary contact. htmx swaps the row and, out of band, the
    row of the previous primary and, on the customer page (`primary_card`), its primary contact;
    without JavaScript the page reloads with a message."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.user
        contact = access.fetch(user, Contact.objects.select_related("customer"), pk)
        previous_ids = list(
            Contact.objects.filter(customer=contact.customer, is_primary=True)
            .exclude(pk=contact.pk)
            .values_list("pk", flat=True)
        )
        services.make_primary(contact=contact, acting_user=user)
        text = f"{contact.full_name} is now the primary contact of {contact.customer}."
        if not wants_partial(request):
            messages.success(request, text)
            return HttpResponseRedirect(safe_next(request, contact_url(contact)))
        previous = list(
            access.restrict(
                user,
                Contact.objects.filter(pk__in=previous_ids)
                .select_related("customer")
                .prefetch_related("locations"),
                access.VIEW,
            )
        )
        rows = contact_rows(user, [contact, *previous])
        # The rows of a location page say whether each contact is at that location.
        row_location = request.POST.get("row_location", "")
        for row in rows:
            row.at_location = row_location.isdigit() and any(  # type: ignore[attr-defined]
                site.pk == int(row_location) for site in row.locations.all()
            )
        return render(
            request,
            "contacts/_partials/make_primary.html",
            {
                "contact": rows[0],
                "previous": rows[1:],
                "show_customer": request.POST.get("show_customer") == "1",
                "show_level": row_location.isdigit(),
                "row_location": row_location,
                # On the customer page: its primary contact (the details) shows the new one too.
                "primary_card": request.POST.get("primary_card") == "1",
                "next": request.POST.get("next", ""),
                "inline_messages": [{"tags": "success", "text": text}],
            },
        )

    def get_conflict_url(self) -> str:
        return safe_next(self.request, contact_url(self.kwargs["pk"]))


class ContactDuplicatesHintView(StaffPage):
    """`/contacts/duplicates/?customer=&first_name=&last_name=&email=&phone=&mobile=&exclude=`:
    the contact form's "looks like …" (htmx, as the user types): the likely duplicates of what is
    typed among the customer's contacts (`duplicates.likely_duplicates`); nothing until a last
    name, an e-mail address or a phone is typed. A customer the user may not see is a 404."""

    model = Contact
    template_name = "contacts/_partials/duplicate_hint.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        customer_id = None
        if params.get("customer"):
            found = parse_id(params["customer"])
            customer_id = access.fetch(
                self.user, Customer.objects.all(), found if found is not None else 0
            ).pk
        person = duplicates.Person.typed(
            **{
                name: params.get(name, "")[:254]
                for name in ("first_name", "last_name", "email", "phone", "mobile")
            }
        )
        matches: list[duplicates.Match] = []
        if person.last_name or person.email or person.phones:
            matches = duplicates.likely_duplicates(
                self.user, customer_id, person, exclude=parse_id(params.get("exclude", ""))
            )
        context["matches"] = matches
        return context


class ContactConfirmDetailsView(ActionView):
    """Confirm that a contact's details are current (`services.confirm_details`), then back to the
    contact's page with a message; a user who may not is refused as the service refuses (403)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = access.fetch(self.user, Contact.objects.all(), pk)
        services.confirm_details(contact=contact, acting_user=self.user)
        messages.success(request, "Details confirmed.")
        return HttpResponseRedirect(contact_url(contact))

    def get_conflict_url(self) -> str:
        return contact_url(self.kwargs["pk"])


class ContactDuplicateView(ContactCreateView):
    """Duplicate a contact: the new-contact form filled in with a copy of it
    (`services.duplicate_values`: same customer, locations, roles, notifications and details; the
    e-mail address and external ID left empty; never primary). Nothing is saved until the form is
    submitted (POST: `services.create_contact`, as the new-contact page, which this page is in
    every other way: its "looks like …" hint names the original). A contact the user may not see
    is a 404; a user who may not add this copy gets a 403."""

    def prepare(self) -> None:
        user = self.user
        self.original = access.fetch(user, Contact.objects.select_related("customer"), self.kwargs["pk"])
        self.copied = services.duplicate_values(contact=self.original, acting_user=user)
        self.customer = self.original.customer
        self.location = None

    def get_initial(self) -> dict[str, Any]:
        return ContactForm.initial_from_values(self.copied)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["original"] = self.original
        return context


class ContactDeleteView(StaffPage):
    """Delete a contact after a confirmation that shows what refers to it and what stays."""

    section = "contacts"

    model = Contact
    template_name = "contacts/contact_confirm_delete.html"

    def get_contact(self) -> Contact:
        return access.fetch(
            self.user,
            Contact.objects.select_related("customer"),
            self.kwargs["pk"],
            access.DELETE,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.contact = self.get_contact()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(contact=self.contact, references=selectors.contact_references(self.contact))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = self.get_contact()
        name, customer_id = contact.full_name, contact.customer_id
        services.delete_contact(contact=contact, acting_user=self.user)
        messages.success(request, f"Contact “{name}” deleted. Its history keeps the name.")
        if customer_id is not None and access.can(self.user, access.VIEW, Customer):
            return HttpResponseRedirect(reverse("customers:customer-detail", args=[customer_id]))
        return HttpResponseRedirect(reverse("contacts:contact-list"))


class ContactMoveView(FormPage):
    """Move a contact to another customer, after a confirmation of what ends with the move (its
    portal access, sessions and API tokens, locations, line manager, direct reports' links,
    primary flag, approval authority, external ID): `services.move_contact`."""

    section = "contacts"
    form_class = MoveContactForm
    template_name = "contacts/contact_move.html"
    edits = "contact"

    def prepare(self) -> None:
        self.contact = access.fetch(
            self.user, Contact.objects.select_related("customer", "reports_to", "user"), self.kwargs["pk"]
        )
        access.require(self.user, access.MOVE, self.contact)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "contact": self.contact}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contact = self.contact
        login = contact.user
        return super().get_context_data(
            contact=contact,
            locations=list(contact.locations.all()),
            direct_reports=list(contact.direct_reports.all()),
            has_login=login is not None and login.is_active,
            **kwargs,
        )

    def perform(self, form: MoveContactForm) -> Contact:
        self.had_portal_access = self.contact.portal_enabled or self.contact.user_id is not None
        return services.move_contact(
            acting_user=self.user,
            contact=self.contact,
            customer=form.cleaned_data["customer"],
            expected_version=self.expected_version,
        )

    def get_success_message(self, obj: Any) -> str:
        where = f"to {obj.customer.name}" if obj.customer else "out of its customer"
        if getattr(self, "had_portal_access", False):
            return f"{obj.full_name} was moved {where}; its portal access, sessions and API tokens ended."
        return f"{obj.full_name} was moved {where}."

    def success_url_for(self, obj: Contact) -> str:
        return contact_url(obj)

    def get_conflict_url(self) -> str:
        return contact_url(self.kwargs["pk"])
