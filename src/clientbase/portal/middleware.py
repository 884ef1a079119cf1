"""Ends a portal user's session as soon as its access is not current any more.

On every request of a signed-in non-staff user: when its contact is gone, its portal access off,
the contact inactive, or today (in TIME_ZONE) outside its support dates, the user is signed out
before the view runs; in the portal it is sent to the sign-in page with the reason. Revoking access
also deletes the user's sessions outright (`services.accounts.end_sessions`), so this is the
net for what changes without anybody acting: the support end date passing.

It also lets services make absolute links for mails from the address the request came to
(`clientbase.portal.links`)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from clientbase import access
from clientbase.portal import links


class PortalSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with links.request_base(lambda: request.build_absolute_uri("/")):
            ended = self.end_stale_session(request)
            if ended is not None:
                return ended
            return self.get_response(request)

    def end_stale_session(self, request: HttpRequest) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff or user.is_superuser:
            return None
        contact = access.portal_contact(user)
        if contact is not None and access.portal_access_is_current(contact):
            return None
        reason = access.access_refusal(contact)
        logout(request)
        portal_root = reverse("portal:home")
        if not request.path.startswith(portal_root):
            return None  # elsewhere the request simply goes on without a user
        messages.warning(request, f"You have been signed out. {reason}")
        login_url = reverse("portal:login")
        if request.method == "GET" and request.path != login_url:
            return redirect_to_login(request.get_full_path(), login_url)
        return redirect_to_login(portal_root, login_url)
