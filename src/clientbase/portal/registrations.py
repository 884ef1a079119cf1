"""What the portal registers once the apps are loaded (`clientbase.app_config.App`): its mail
events, what it holds about a person, and what a moved, saved or deleted contact means to it (its
login, mails, the last-admin rule), through the hooks the contacts app calls."""

from __future__ import annotations

from clientbase.contacts import hooks
from clientbase.contacts.privacy import register_source
from clientbase.contacts.signals import contact_moving
from clientbase.portal import mail
from clientbase.portal.privacy import SOURCE as PRIVACY_SOURCE
from clientbase.portal.services import accounts


def register() -> None:
    mail.register_mail_events()
    register_source(PRIVACY_SOURCE)
    contact_moving.connect(accounts.end_access_of_moving_contact, dispatch_uid="portal-ends-access-on-move")
    if accounts.contact_saved not in hooks.after_contact_saved:  # once, should ready() run again
        hooks.after_contact_saved.append(accounts.contact_saved)
        hooks.before_contact_deleted.append(accounts.close_login_of_deleted_contact)
        hooks.after_contact_deleted.append(accounts.keep_an_admin_after_delete)
