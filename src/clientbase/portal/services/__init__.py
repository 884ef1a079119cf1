"""The portal's services: accounts and invitations (`accounts`), the writes of the portal's pages
(`colleagues`), passwords (`passwords`)."""

from clientbase.portal.services.accounts import (
    close_portal_account,
    contact_saved,
    end_sessions,
    grant_portal_access,
    resend_invitation,
    revoke_portal_access,
)

__all__ = [
    "close_portal_account",
    "contact_saved",
    "end_sessions",
    "grant_portal_access",
    "resend_invitation",
    "revoke_portal_access",
]
