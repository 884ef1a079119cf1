"""`POST /api/v1/auth/token/`: a new API token for a username and password.

The sign-in goes through the one lockout policy of every sign-in (`clientbase.lockout`: 5 failures
per name, 20 per client address, then 429 with `Retry-After` for `CLIENTBASE_LOGIN_LOCKOUT`
seconds, without a password check), and the request rate per client is throttled besides
(`CLIENTBASE_TOKEN_THROTTLE`, counted per `clientbase.clientip` address). A portal user passes the
portal's gates too, as at the portal's sign-in: a closed login (access revoked) is refused like a
wrong password; portal access switched off, an inactive contact, or a day outside its
support_start/support_end is refused with the portal's reason (400). Each success makes a new
token (`clientbase.api.authentication.create_token`): keys are stored hashed and cannot be
shown twice."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import get_token_model
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clientbase import access, lockout
from clientbase.api.authentication import create_token, delete_tokens
from clientbase.api.throttling import ScopedRateThrottle
from clientbase.api.viewsets import StrictSerializer

INVALID = "Unable to log in with provided credentials."


def portal_refusal(user: Any) -> str:
    """Why `user` (signed in with a right password) may not have a token now; '' for staff and
    for a portal user whose access is current. The portal's words (`access.access_refusal`)."""
    if access.is_staff(user):
        return ""
    contact = access.portal_contact(user)
    if contact is not None and access.portal_access_is_current(contact):
        return ""
    return access.access_refusal(contact)


class TokenRequestSerializer(StrictSerializer):
    username = serializers.CharField(write_only=True, max_length=254)
    password = serializers.CharField(
        write_only=True, max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        username, password = attrs["username"], attrs["password"]
        try:
            with lockout.attempt(request, username):
                user = authenticate(request=request, username=username, password=password)
                if user is None and "@" in username:  # a portal user's address, in any case
                    user = authenticate(request=request, email=username, password=password)
                if user is None:
                    raise serializers.ValidationError(INVALID, code="authorization")
        except lockout.LockedOut as locked:
            raise exceptions.Throttled(wait=locked.retry_after, detail=str(locked)) from locked
        refusal = portal_refusal(user)
        if refusal:
            lockout.refused(request, username, "access_not_current")
            raise serializers.ValidationError(refusal, code="authorization")
        attrs["user"] = user
        return attrs


class ObtainTokenView(APIView):
    """Answer `{"token": ...}` (a new token) for valid credentials; 400 otherwise, 429 while the
    name or the client is locked out or the client sends too many requests."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"
    schema_rules = {
        "post": [
            "`username` (a staff username or a portal user's e-mail address) and `password` of an "
            "active user; a portal user's access must be current (its reason otherwise).",
        ]
    }

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            429: OpenApiResponse(description="Too many attempts; see Retry-After"),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        return Response({"token": create_token(serializer.validated_data["user"], request=request)})


class TokenLogoutView(APIView):
    """`POST /api/v1/auth/logout/`: end the token this request came with (204). A request signed in
    another way (a session) ends no token."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, get_token_model()):
            request.auth.delete()
        return Response(status=204)


class TokenLogoutAllView(APIView):
    """`POST /api/v1/auth/logoutall/`: end every API token of the signed-in user (204), e.g. after
    one may have leaked. Setting a new password does the same."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        delete_tokens(request.user)
        return Response(status=204)
