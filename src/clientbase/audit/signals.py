"""Sign-ins, recorded from Django's `user_logged_in` signal: the staff login, `/admin/login/` and
the portal login all end in `django.contrib.auth.login`. Failed sign-ins and lockouts are
recorded by `clientbase.lockout`, which every way of signing in goes through; tokens by
`clientbase.api.authentication.create_token`."""

from __future__ import annotations

from typing import Any

from clientbase.audit import events


def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    events.record(
        events.LOGIN,
        user=user,
        ip=events.request_ip(request),
        detail={"path": request.path} if request is not None else {},
    )
