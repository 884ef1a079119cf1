"""Sign-in, sign-out, password reset and the invitation's set-password page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import PasswordResetConfirmView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, View

from clientbase import access
from clientbase.pages import safe_next
from clientbase.portal import tokens
from clientbase.portal.forms import PasswordResetRequestForm, PortalLoginForm
from clientbase.portal.services.accounts import forget_session, remember_session
from clientbase.portal.services.passwords import is_portal_login, request_password_reset
from clientbase.portal.views.base import is_staff

BACKEND = "clientbase.portal.backends.PortalBackend"


@method_decorator([sensitive_post_parameters("password"), never_cache], name="dispatch")
class PortalLoginView(FormView):
    template_name = "portal/login.html"
    form_class = PortalLoginForm

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contact = access.portal_contact(request.user)
        if contact is not None and access.portal_access_is_current(contact):
            return HttpResponseRedirect(safe_next(request, reverse("portal:home")))
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: PortalLoginForm) -> HttpResponse:
        login(self.request, form.user, backend=BACKEND)
        remember_session(form.user, self.request.session.session_key)
        return HttpResponseRedirect(safe_next(self.request, reverse("portal:home")))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(next=self.request.GET.get("next", ""), staff_signed_in=is_staff(self.request.user))
        return context


class PortalLogoutView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        forget_session(request.session.session_key)
        logout(request)
        messages.success(request, "You have been signed out.")
        return HttpResponseRedirect(reverse("portal:login"))


class PasswordResetRequestView(FormView):
    """Asks for the address; answers the same whether or not it has a login."""

    template_name = "portal/password_reset.html"
    form_class = PasswordResetRequestForm

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        request_password_reset(email=form.cleaned_data["email"])
        return HttpResponseRedirect(reverse("portal:password-reset-sent"))


class PasswordResetSentView(TemplateView):
    template_name = "portal/password_reset_sent.html"


class SetPasswordView(PasswordResetConfirmView):
    """The page behind the invitation and reset links: choose a password. The link is single-use
    and expiring (`clientbase.portal.tokens`); like Django's reset page it moves the token into the
    session first, so it never leaks through the Referer header."""

    template_name = "portal/set_password.html"
    token_generator = tokens.token_generator
    success_url = reverse_lazy("portal:login")

    def get_user(self, uidb64: str) -> Any:
        user = tokens.user_from_uidb64(uidb64)
        return user if is_portal_login(user) else None

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(
            self.request, "Your password is set. Sign in with your e-mail address and your new password."
        )
        return response
