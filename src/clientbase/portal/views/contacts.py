"""The contacts pages: the list (Title, Name, Phone, E-mail, Actions; search by name and status),
View, Add, Edit, Delete with a confirmation. Everything is scoped to the portal user's customer by
`access`: another customer's contact reads as not found."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View

from clientbase import access
from clientbase.contacts.filters import ContactFilterSet
from clientbase.contacts.models import Contact
from clientbase.errors import ServiceError, Stale
from clientbase.pages import VersionedFormMixin, allowed_ids
from clientbase.phones import format_phone
from clientbase.portal.forms import ColleagueForm, ContactSearchForm
from clientbase.portal.services import colleagues
from clientbase.portal.services.accounts import is_portal_admin, resend_invitation
from clientbase.portal.views.base import PortalAction, PortalFormView, PortalListPage, PortalMixin, PortalPage
from clientbase.transfer.vcard import vcard_response
from clientbase.vocabulary import PortalCapability


def contact_url(contact: Contact | int) -> str:
    return reverse("portal:contact-detail", args=[getattr(contact, "pk", contact)])


def first_phone(contact: Contact) -> tuple[str, str]:
    """(the stored number, which is the body of its tel: link with any `;ext=`, readable) of the
    first phone number the contact has."""
    for number in (contact.phone, contact.mobile, contact.secondary_phone):
        if number:
            return number, format_phone(number)
    return "", ""


class ContactsSection:
    section = "contacts"
    needs: ClassVar[tuple[str, str] | None] = (access.VIEW, "contacts.Contact")


class ContactListView(ContactsSection, PortalListPage):
    template_name = "portal/contacts/list.html"

    @cached_property
    def search_form(self) -> ContactSearchForm:
        return ContactSearchForm(self.request.GET or None)

    @cached_property
    def criteria(self) -> dict[str, Any]:
        """The search and status asked for ({} when the search form is not valid)."""
        return self.search_form.cleaned_data if self.search_form.is_valid() else {}

    def rows(self) -> QuerySet[Contact]:
        scoped = access.restrict(self.request.user, Contact.objects.all(), access.VIEW)
        filterset = ContactFilterSet(
            {"search": self.criteria.get("search", ""), "status": self.criteria.get("status", "")},
            queryset=scoped,
        )
        return filterset.qs if filterset.is_valid() else scoped.none()

    def page_context(self) -> dict[str, Any]:
        context = super().page_context()
        user = self.request.user
        page = context["page"]
        in_page = Contact.objects.filter(pk__in=[contact.pk for contact in page.rows])
        changeable = allowed_ids(user, in_page, access.CHANGE)
        deletable = allowed_ids(user, in_page, access.DELETE)
        for contact in page.rows:
            contact.tel, contact.phone_text = first_phone(contact)
            contact.may_change = contact.pk in changeable
            contact.may_delete = contact.pk in deletable
            contact.is_me = contact.pk == self.contact.pk
        return {
            **context,
            "search_form": self.search_form,
            "filtered": bool(self.criteria.get("search") or self.criteria.get("status")),
            "can_add": access.can(user, access.ADD, Contact),
        }


class ContactDetailView(ContactsSection, PortalPage):
    template_name = "portal/contacts/detail.html"

    def page_context(self) -> dict[str, Any]:
        user = self.request.user
        contact = self.fetch(Contact.objects.select_related("customer"))
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
        return {
            "contact": contact,
            "phones": phones,
            "sites": list(access.restrict(user, contact.locations.all(), access.VIEW)),
            "permission_labels": PortalCapability.labels_of(contact.portal_permissions or []),
            "is_me": is_me,
            "may_change": access.allowed(user, access.CHANGE, contact),
            "may_delete": access.allowed(user, access.DELETE, contact),
            "may_invite": is_portal_admin(self.contact) and contact.portal_enabled and not is_me,
        }


class ContactVCardView(ContactsSection, PortalMixin, View):
    """The contact as a .vcf download (scoped like the page: another customer's is a 404)."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return vcard_response(self.fetch(Contact.objects.all()), request)


class ColleagueFormView(ContactsSection, VersionedFormMixin, PortalFormView):
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

    def refused(self, form: Any, error: ServiceError) -> HttpResponse:
        if isinstance(error, Stale):
            return self.stale_response(form, error)
        return super().refused(form, error)

    def success_url_for(self, obj: Any) -> str:
        return contact_url(obj)


class ContactCreateView(ColleagueFormView):
    needs = (access.ADD, "contacts.Contact")

    def perform(self, form: ColleagueForm) -> Contact:
        return colleagues.create_colleague(acting_user=self.request.user, data=form.service_data())

    def success_message(self, obj: Contact) -> str:
        if obj.portal_enabled:
            return f"{obj.full_name} was added and will receive an e-mail to choose a password."
        return f"{obj.full_name} was added."


class ContactUpdateView(ColleagueFormView):
    needs = (access.CHANGE, "contacts.Contact")

    def check_access(self) -> None:
        super().check_access()
        self.editing = self.fetch(Contact.objects.select_related("customer"), access.CHANGE)

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

    def success_message(self, obj: Contact) -> str:
        return f"Your changes to {obj.full_name} were saved."


class ContactDeleteView(ContactsSection, PortalPage):
    """GET: the confirmation (the list and the View page open it as a dialog); POST: delete."""

    template_name = "portal/contacts/confirm_delete.html"
    needs = (access.DELETE, "contacts.Contact")

    def check_access(self) -> None:
        super().check_access()
        self.target = self.fetch(Contact.objects.select_related("customer"), access.DELETE)

    def page_context(self) -> dict[str, Any]:
        return {"contact": self.target}

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
    refusal_message = PortalCapability.ADMIN.refusal

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = self.fetch(Contact.objects.all())
        resend_invitation(contact=contact, acting_user=request.user)
        messages.success(request, f"A new invitation was sent to {contact.email}.")
        return HttpResponseRedirect(contact_url(contact))

    def get_conflict_url(self) -> str:
        return contact_url(self.kwargs["pk"])
