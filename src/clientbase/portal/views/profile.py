"""My profile: one's own details, password, and (portal admins) the sign-in address."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.views.generic import FormView

from clientbase import access
from clientbase.errors import Conflict, ValidationFailed
from clientbase.pages import ConfirmedPasswordChangeForm, PasswordConfirmationViewMixin
from clientbase.phones import format_phone
from clientbase.portal.forms import LoginEmailForm
from clientbase.portal.services import colleagues
from clientbase.portal.services.accounts import remember_session
from clientbase.portal.views.base import PortalMixin, PortalPage
from clientbase.vocabulary import PortalCapability


class ProfileSection:
    section = "profile"


class ProfileView(ProfileSection, PortalPage):
    template_name = "portal/profile/profile.html"

    def page_context(self) -> dict[str, Any]:
        me = self.contact
        return {
            "phones": [
                format_phone(number) for number in (me.phone, me.mobile, me.secondary_phone) if number
            ],
            "permission_labels": PortalCapability.labels_of(me.portal_permissions or []),
        }


class PortalPasswordChangeView(
    ProfileSection, PasswordConfirmationViewMixin, PortalMixin, PasswordChangeView
):
    """Django's password change (old password, new twice, the validators; the old password checked
    through the lockout policy); the session stays signed in under its new key, which is
    remembered so that a revocation still ends it."""

    template_name = "portal/profile/password.html"
    form_class = ConfirmedPasswordChangeForm
    success_url = reverse_lazy("portal:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        remember_session(self.request.user, self.request.session.session_key)
        messages.success(self.request, "Your password was changed.")
        return response


class LoginEmailView(ProfileSection, PasswordConfirmationViewMixin, PortalMixin, FormView):
    """A portal admin changes the address it signs in with; the old address is told."""

    template_name = "portal/profile/email.html"
    form_class = LoginEmailForm
    # A sign-in address is portal access: the portal admins manage it.
    needs = (access.MANAGE_PORTAL, "contacts.Contact")
    refusal_message = (
        "Changing the e-mail address you sign in with needs the portal admin permission; "
        "ask a portal admin of your organisation."
    )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}  # the request: the mixin

    def form_valid(self, form: LoginEmailForm) -> HttpResponse:
        old = self.contact.email
        try:
            contact = colleagues.change_login_email(
                acting_user=self.request.user, email=form.cleaned_data["email"]
            )
        except ValidationFailed as error:
            for texts in error.errors.values():
                for text in texts:
                    form.add_error("email", text)
            return self.form_invalid(form)
        except Conflict as error:
            form.add_error("email", error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(
            self.request,
            f"You now sign in with {contact.email}. We sent a note about the change to {old}.",
        )
        return HttpResponseRedirect(reverse("portal:profile"))
