"""Staff actions on a contact's portal access, for the staff contact page: re-send the invitation,
revoke access. (Granting is the portal field of the staff contact form and of the API.)"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.pages import ActionView, safe_next
from clientbase.portal.services.accounts import resend_invitation, revoke_portal_access


def staff_contact_url(pk: int) -> str:
    try:
        return reverse("contacts:contact-detail", args=[pk])
    except NoReverseMatch:  # the staff pages are not installed
        return "/"


class StaffResendInvitationView(ActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        resend_invitation(contact=contact, acting_user=request.user)
        messages.success(request, f"A new portal invitation was sent to {contact.email}.")
        return HttpResponseRedirect(safe_next(request, staff_contact_url(contact.pk)))

    def get_conflict_url(self) -> str:
        return safe_next(self.request, staff_contact_url(self.kwargs["pk"]))


class StaffRevokePortalView(ActionView):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        revoke_portal_access(contact=contact, acting_user=request.user)
        messages.success(
            request, f"{contact.full_name} no longer has portal access; any open session has ended."
        )
        return HttpResponseRedirect(safe_next(request, staff_contact_url(contact.pk)))

    def get_conflict_url(self) -> str:
        return safe_next(self.request, staff_contact_url(self.kwargs["pk"]))
