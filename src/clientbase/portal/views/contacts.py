"""The contacts pages: the list (Title, Name, Phone, E-mail, Actions; search by name and status),
View, Add, Edit, Delete with a confirmation. Everything is scoped to the portal user's customer by
`access`: another customer's contact reads as not found."""

from __future__ import annotations

import abc
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, View

from clientbase import access
from clientbase.contacts.filters import ContactFilterSet
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, Forbidden, Stale, ValidationFailed
from clientbase.pages import VersionedFormMixin, allowed_ids, paginate
from clientbase.phones import format_phone
from clientbase.portal.forms import CAPABILITY_LABELS, ColleagueForm, ContactSearchForm
from clientbase.portal.services import colleagues
from clientbase.portal.services.accounts import is_portal_admin, resend_invitation
from clientbase.portal.views.base import CAPABILITY_REFUSALS, PortalAction, PortalMixin, PortalPage
from clientbase.transfer.vcard import vcard_response

PAGE_SIZE = 25


def contact_url(contact: Contact | int) -> str:
    return reverse("portal:contact-detail", args=[getattr(contact, "pk", contact)])


def first_phone(contact: Contact) -> tuple[str, str]:
    """(E.164 for tel:, readable) of the first phone number the contact has."""
    for number in (contact.phone, contact.mobile, contact.secondary_phone):
        if number:
            return number, format_phone(number)
    return "", ""


class ContactsSection:
    section = "contacts"


class ContactListView(ContactsSection, PortalPage):
    template_name = "portal/contacts/list.html"

    def check_access(self) -> None:
        self.require_model(access.VIEW, Contact)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        search = ContactSearchForm(self.request.GET or None)
        criteria = search.cleaned_data if search.is_valid() else {}
        scoped = access.restrict(user, Contact.objects.all(), access.VIEW)
        filterset = ContactFilterSet(
            {"search": criteria.get("search", ""), "status": criteria.get("status", "")}, queryset=scoped
        )
        rows = filterset.qs if filterset.is_valid() else scoped.none()
        page = paginate(self.request, rows, PAGE_SIZE)
        ids = [contact.pk for contact in page.rows]
        in_page = Contact.objects.filter(pk__in=ids)
        changeable = allowed_ids(user, in_page, access.CHANGE)
        deletable = allowed_ids(user, in_page, access.DELETE)
        for contact in page.rows:
            contact.tel, contact.phone_text = first_phone(contact)
            contact.may_change = contact.pk in changeable
            contact.may_delete = contact.pk in deletable
            contact.is_me = contact.pk == self.contact.pk
        context.update(
            search_form=search,
            page=page,
            filtered=bool(criteria.get("search") or criteria.get("status")),
            can_add=access.can(user, access.ADD, Contact),
        )
        return context


class ContactDetailView(ContactsSection, PortalPage):
    template_name = "portal/contacts/detail.html"

    def check_access(self) -> None:
        self.require_model(access.VIEW, Contact)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        contact = access.fetch(user, Contact.objects.select_related("customer"), self.kwargs["pk"])
        phones = [
            (label, number, format_phone(number))
            for label, number in (
                ("Phone", contact.phone),
                ("Mobile", contact.mobile),
                ("Other phone", contact.secondary_phone),
            )
            if number
        ]
        is_me = contact.pk == self.contact.pk
        context.update(
            contact=contact,
            phones=phones,
            sites=list(access.restrict(user, contact.locations.all(), access.VIEW)),
            permission_labels=[
                CAPABILITY_LABELS[p] for p in contact.portal_permissions or [] if p in CAPABILITY_LABELS
            ],
            is_me=is_me,
            may_change=access.allowed(user, access.CHANGE, contact),
            may_delete=access.allowed(user, access.DELETE, contact),
            may_invite=is_portal_admin(self.contact) and contact.portal_enabled and not is_me,
        )
        return context


class ContactVCardView(PortalMixin, View):
    """The contact as a .vcf download (scoped like the page: another customer's is a 404)."""

    http_method_names = ["get"]

    def check_access(self) -> None:
        self.require_model(access.VIEW, Contact)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = access.fetch(request.user, Contact.objects.all(), self.kwargs["pk"])
        return vcard_response(contact, request)


class ColleagueFormView(ContactsSection, VersionedFormMixin, PortalMixin, FormView, metaclass=abc.ABCMeta):
    """Add or edit: the service's refusals are shown on the form, with what was typed kept; the
    edit form carries the contact's version and a stale save shows what changed since
    (`VersionedFormMixin`: only the fields of this form, people named as the portal names them)."""

    template_name = "portal/contacts/form.html"
    form_class = ColleagueForm
    editing: Contact | None = None
    edits = "editing"
    stale_changes_of_form_fields_only = True

    def stale_user_label(self, user: Any) -> str | None:
        """Portal users read "you", a colleague's name, or "our staff" (never a staff username)."""
        if user is None:
            return None
        if user.pk == self.request.user.pk:
            return "you"
        colleague = access.portal_contact(user)
        if colleague is not None and colleague.customer_id == self.contact.customer_id:
            return colleague.full_name
        return "our staff"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "actor": self.contact,
            "contact": self.editing,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            editing=self.editing, is_me=self.editing is not None and self.editing.pk == self.contact.pk
        )
        return context

    @abc.abstractmethod
    def perform(self, form: ColleagueForm) -> Contact:
        """Write the colleague through the service; answer it."""

    def form_valid(self, form: ColleagueForm) -> HttpResponse:
        try:
            contact = self.perform(form)
        except ValidationFailed as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        except Stale as error:
            return self.stale_response(form, error)
        except (Forbidden, Conflict) as error:
            form.add_error(None, error.message)
            status = 403 if isinstance(error, Forbidden) else 409
            return self.render_to_response(self.get_context_data(form=form), status=status)
        messages.success(self.request, self.success_message(contact))
        return HttpResponseRedirect(contact_url(contact))

    @abc.abstractmethod
    def success_message(self, contact: Contact) -> str:
        """What the user is told once `contact` was written."""


class ContactCreateView(ColleagueFormView):
    def check_access(self) -> None:
        self.require_model(access.ADD, Contact)

    def perform(self, form: ColleagueForm) -> Contact:
        return colleagues.create_colleague(acting_user=self.request.user, data=form.service_data())

    def success_message(self, contact: Contact) -> str:
        if contact.portal_enabled:
            return f"{contact.full_name} was added and will receive an e-mail to choose a password."
        return f"{contact.full_name} was added."


class ContactUpdateView(ColleagueFormView):
    def check_access(self) -> None:
        self.require_model(access.CHANGE, Contact)
        self.editing = access.fetch(
            self.request.user,
            Contact.objects.select_related("customer"),
            self.kwargs["pk"],
            access.CHANGE,
        )

    def get_initial(self) -> dict[str, Any]:
        assert self.editing is not None
        return ColleagueForm.initial_for(self.editing)

    def perform(self, form: ColleagueForm) -> Contact:
        assert self.editing is not None
        return colleagues.update_colleague(
            contact=self.editing,
            acting_user=self.request.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    def success_message(self, contact: Contact) -> str:
        return f"Your changes to {contact.full_name} were saved."


class ContactDeleteView(ContactsSection, PortalPage):
    """GET: the confirmation (the list and the View page open it as a dialog); POST: delete."""

    template_name = "portal/contacts/confirm_delete.html"

    def check_access(self) -> None:
        self.require_model(access.DELETE, Contact)
        self.target = access.fetch(
            self.request.user,
            Contact.objects.select_related("customer"),
            self.kwargs["pk"],
            access.DELETE,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(contact=self.target, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        name = self.target.full_name
        colleagues.delete_colleague(contact=self.target, acting_user=request.user)
        messages.success(request, f"{name} was deleted.")
        return HttpResponseRedirect(reverse("portal:contact-list"))

    def get_conflict_url(self) -> str:
        return contact_url(self.kwargs["pk"])


class ContactInvitationView(ContactsSection, PortalAction):
    """A portal admin sends a colleague a new invitation link."""

    needs = (access.MANAGE_PORTAL, "contacts.Contact")
    refusal_message = CAPABILITY_REFUSALS["admin"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        resend_invitation(contact=contact, acting_user=request.user)
        messages.success(request, f"A new invitation was sent to {contact.email}.")
        return HttpResponseRedirect(contact_url(contact))

    def get_conflict_url(self) -> str:
        return contact_url(self.kwargs["pk"])
