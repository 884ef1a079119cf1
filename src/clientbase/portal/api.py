"""A contact's portal access over REST: `POST contacts/{id}/portal-invitation/` and
`POST contacts/{id}/revoke-portal/`, actions on a contact registered under the router prefix
"contacts" after the contacts' own viewset. Granting access, its capabilities and support dates
go through the contact's `portal` field (`clientbase.contacts.api`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clientbase import access
from clientbase.contacts.api import ContactActionsViewSet, ContactSerializer
from clientbase.contacts.models import Contact
from clientbase.notifications.api import MessageSerializer
from clientbase.portal.services import resend_invitation, revoke_portal_access


def contact_post(url_path: str, responses: dict[int, Any]) -> Callable[[Any], Any]:
    """A POST without a body on one contact, `contacts/{id}/<url_path>/`, answering `responses`
    (status: serializer or OpenApiResponse) in the schema."""

    def route(method: Any) -> Any:
        return extend_schema(request=None, responses=responses)(
            action(detail=True, methods=["post"], url_path=url_path)(method)
        )

    return route


class ContactPortalViewSet(ContactActionsViewSet):
    """Invitations to the portal and the end of a contact's portal access."""

    @contact_post(
        "portal-invitation", {202: MessageSerializer, 409: OpenApiResponse(description="No portal access")}
    )
    def portal_invitation(self, request: Request, pk: str | None = None) -> Response:
        """Queue a new portal invitation: a single-use, expiring link to choose a password."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        message = resend_invitation(contact=contact, acting_user=request.user)
        return Response(MessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)

    @contact_post("revoke-portal", {200: ContactSerializer, 409: OpenApiResponse(description="Conflict")})
    def revoke_portal(self, request: Request, pk: str | None = None) -> Response:
        """Switch portal access off; the contact's open sessions end at once."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        contact = revoke_portal_access(contact=contact, acting_user=request.user)
        return Response(self.contact_data(contact))
