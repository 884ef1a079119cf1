"""Portal accounts: the Django user behind a contact with portal access, its invitation, and the
end of its sessions.

`contact_saved` is the hook (`clientbase.contacts.hooks.after_contact_saved`, appended by the
portal's AppConfig.ready()) that `clientbase.contacts.services.create_contact` and
`update_contact` run at their end, inside their transaction, whatever surface the change came
from (API `portal` field, staff form, portal pages, import):

- portal access switched on: the login is created (or re-opened) in the same transaction and the
  invitation mail is written to the outbox with it (`grant_portal_access`);
- switched off: the login is closed and its sessions end at once (`close_portal_account`);
- the e-mail of a contact with a login changed: the login follows it and the old address is told;
- a portal user acting: it may not change its own portal access, only a portal admin grants or
  changes portal access (and only capabilities and support dates within its own), changing a login
  e-mail needs admin, and the customer keeps at least one portal admin.

The login's username is the contact's e-mail address, lower-cased, with its customer's id
(`login_username`): the unique index on usernames keeps two logins of one customer from sharing an
address, even under concurrent grants, while one person may hold logins at several customers with
one address. So no grant, invitation or change of address tells a portal user anything about the
logins of other customers (or of staff): nothing outside its own customer can stand in its way."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clientbase import access
from clientbase.api.authentication import delete_tokens
from clientbase.audit import events
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, FieldForbidden, Forbidden, ValidationFailed
from clientbase.portal import mail
from clientbase.portal.models import PortalSession
from clientbase.writes import set_acting_user

PORTAL_FIELDS = frozenset({"portal_enabled", "portal_permissions", "support_start", "support_end"})
# A change of these may leave a customer without a portal admin who can still sign in.
ADMIN_FIELDS = frozenset({"status", "customer", *PORTAL_FIELDS})
USERNAME_MAX = 150
# Why a portal login is closed, in its `portal.revoked` audit event (`close_portal_account`): an
# update that switches portal access off is "disabled" unless `revoke_portal_access` made it.
_REVOKE_REASON: ContextVar[str] = ContextVar("portal_revoke_reason", default="disabled")
# The contact whose sign-in address its own user is changing now, confirmed with its password
# (`confirmed_sign_in_change`); any other change of a used login's address by a portal user is
# refused.
_CONFIRMED_SIGN_IN: ContextVar[int | None] = ContextVar("portal_confirmed_sign_in", default=None)


@contextmanager
def confirmed_sign_in_change(contact: Contact) -> Iterator[None]:
    """Within the block, `contact`'s own user changes its sign-in address, its password checked."""
    token = _CONFIRMED_SIGN_IN.set(contact.pk)
    try:
        yield
    finally:
        _CONFIRMED_SIGN_IN.reset(token)


def login_address(email: str) -> str:
    """A sign-in address as logins are found by it: trimmed, lower-cased (sign-in ignores case)."""
    return email.strip().lower()


def login_username(email: str, customer_id: int | None) -> str:
    """The username of the portal login of a contact of customer `customer_id` whose address is
    `email`: `ann@northwind.example#3`. Logins made before this form was used have the bare address;
    sign-in finds both (`passwords.portal_logins_for`)."""
    return f"{login_address(email)}#{customer_id or 0}"


def grantable_capabilities(actor: Contact) -> set[str]:
    """What a portal user may grant others: the capabilities it holds; an admin grants admin too."""
    granted = set(actor.portal_permissions or [])
    if access.ADMIN_CAPABILITY in granted:
        return {access.ADMIN_CAPABILITY, *access.portal_capability_names()}
    return granted & access.portal_capability_names()


def is_portal_admin(contact: Contact | None) -> bool:
    return contact is not None and access.ADMIN_CAPABILITY in (contact.portal_permissions or [])


def current_portal_admins(customer_id: int, *, excluding: Iterable[int] = ()) -> list[Contact]:
    """The customer's contacts who hold `admin` and may sign in today."""
    candidates = Contact.objects.filter(
        customer_id=customer_id, portal_enabled=True, status="active"
    ).exclude(pk__in=list(excluding))
    return [c for c in candidates if is_portal_admin(c) and access.portal_access_is_current(c)]


def ensure_admin_remains(*, before: Contact | None, acting_user: Any) -> None:
    """The one "last portal admin" rule: a customer's portal users never leave it without a portal
    admin who can sign in (staff may: they can grant admin again).

    Every change that can take an admin away calls it *after* the change was written, inside the
    change's transaction, with `before` the contact as stored before it (read with its row lock):
    revoking portal access, removing the admin capability, support dates that end access, making
    the contact inactive (all through `contact_saved`), deleting it (`delete_contact`, through
    `keep_an_admin_after_delete`). When `before` was a current portal admin, the customer's row
    is locked and the admins are counted after the lock, so of two such changes at the same
    moment (two admins revoking each other) the second waits for the first and sees its result.
    None left: Conflict, and the caller's transaction rolls back. Locks are taken in one order,
    the contact's row first, then the customer's, as every contact write does."""
    if before is None or before.customer_id is None or access.portal_contact(acting_user) is None:
        return
    if not (is_portal_admin(before) and access.portal_access_is_current(before)):
        return
    contact_services.lock_customer(before.customer_id)
    if not current_portal_admins(before.customer_id):
        raise Conflict(
            f"{before.full_name} is the last portal admin of this customer; "
            "make another contact a portal admin first."
        )


# Sessions -------------------------------------------------------------------------------------


def _session_store() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def remember_session(user: Any, session_key: str | None) -> None:
    """Record a portal user's session (after sign-in or a key change), so it can be ended; forget
    those of its sessions that expired or ended meanwhile."""
    if not session_key:
        return
    store = _session_store()
    for key in PortalSession.objects.filter(user=user).values_list("session_key", flat=True):
        if not store().exists(key):
            PortalSession.objects.filter(session_key=key).delete()
    PortalSession.objects.get_or_create(session_key=session_key, defaults={"user": user})


def forget_session(session_key: str | None) -> None:
    if session_key:
        PortalSession.objects.filter(session_key=session_key).delete()


def end_sessions(user: Any) -> int:
    """End every session of `user` now: the next request of any of them is anonymous."""
    store = _session_store()
    keys = list(PortalSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    PortalSession.objects.filter(user=user).delete()
    return len(keys)


# The login ------------------------------------------------------------------------------------


def _closed_username(user: Any) -> str:
    return f"closed-portal-login-{user.pk}"


def _claim_username(user: Any, contact: Contact) -> None:
    """Give `user` the username of `contact`'s address at its customer (`login_username`);
    Conflict when another portal login of the same customer has it (nothing else can: the
    username holds the customer's id)."""
    email = contact.email
    username = login_username(email, contact.customer_id)
    if len(username) > USERNAME_MAX:
        longest = USERNAME_MAX - len(username) + len(login_address(email))
        raise ValidationFailed(
            {"email": [f"An address for signing in to the portal has at most {longest} characters."]}
        )
    taken = Conflict(
        f"Another portal user of this customer already signs in with {email}; "
        "each portal user needs an e-mail address of its own."
    )
    same_customer_login = Q(username=username) | Q(
        username=login_address(email), contact__customer_id=contact.customer_id
    )
    if get_user_model().objects.filter(same_customer_login).exclude(pk=user.pk).exists():
        raise taken
    user.username = username
    user.email = email
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent grant took the address first
        raise taken from error


@transaction.atomic
def grant_portal_access(*, contact: Contact, acting_user: Any) -> Any:
    """Open `contact`'s portal login (its portal access is on): create or re-open the user, in the
    caller's transaction, and write the invitation to the outbox with it. The user has no usable
    password until it follows the invitation's link. Answers the invitation (a `Message`)."""
    if not contact.portal_enabled:
        raise Conflict(f"{contact.full_name} has no portal access; switch it on first.")
    if not contact.email:
        raise ValidationFailed({"portal": ["Portal access needs a valid e-mail address."]})
    # An invitation that could not be used to sign in is not sent (`access.portal_access_is_current`).
    if contact.status != Contact.Status.ACTIVE:
        raise Conflict(f"{contact.full_name} is inactive; an inactive contact cannot sign in.")
    if contact.support_end is not None and contact.support_end < timezone.localdate():
        ended = contact.support_end.isoformat()
        raise ValidationFailed({"portal": [f"The support end date {ended} has passed; set a later one."]})
    user = contact.user
    if user is not None and (user.is_staff or user.is_superuser):
        raise Conflict("This contact is linked to a staff login; staff users cannot use the portal.")
    if user is None:
        user = get_user_model()(is_staff=False, is_superuser=False)
    user.first_name = contact.first_name[:150]
    user.last_name = contact.last_name[:150]
    user.is_active = True
    user.set_unusable_password()
    _claim_username(user, contact)
    if contact.user_id != user.pk:
        contact.user = user
        set_acting_user(contact, acting_user)
        contact.save(update_fields=["user", "updated_at"])
    events.record(events.PORTAL_GRANTED, user=acting_user, object=contact, detail={"login": user.username})
    return mail.queue_invitation(contact=contact, user=user, acting_user=acting_user)


def _could_sign_in(contact: Contact) -> bool:
    """Whether an invitation sent now could be used: the contact is active and its support end
    date, if any, is not past (a support start in the future is fine: the link waits)."""
    if contact.status != Contact.Status.ACTIVE:
        return False
    return contact.support_end is None or contact.support_end >= timezone.localdate()


def close_portal_account(
    user: Any, *, contact: Contact | None = None, acting_user: Any = None, reason: str | None = None
) -> None:
    """The login can no longer be used: its sessions and API tokens end now, its password and
    every outstanding invitation or reset link stop working, and its address is free again.

    With `reason`, closing a login that was open ends `contact`'s portal access and is recorded
    once, in the caller's transaction, as `audit.events.PORTAL_REVOKED` about `contact` by
    `acting_user`, detail `{"login": username, "reason": reason}`. The reasons: "revoked" (the
    revoke action), "disabled" (portal access switched off by an update: API, staff form, portal
    pages, import), "moved" (to another customer), "erased", "deleted". Closing a login that is
    closed already records nothing."""
    if reason is not None and user.is_active:
        events.record(
            events.PORTAL_REVOKED,
            user=acting_user,
            object=contact,
            detail={"login": user.get_username(), "reason": reason},
        )
    end_sessions(user)
    delete_tokens(user)
    user.set_unusable_password()
    user.is_active = False
    user.username = _closed_username(user)
    user.save(update_fields=["password", "is_active", "username"])


@transaction.atomic
def resend_invitation(*, contact: Contact, acting_user: Any) -> Any:
    """Send `contact` a new invitation link (the password, if one was set, stays until the link is
    used). Staff need to be allowed to change the contact; a portal user must be a portal admin.
    Answers the queued message."""
    access.require(acting_user, access.CHANGE, contact)
    actor = access.portal_contact(acting_user)
    if actor is not None and not is_portal_admin(actor):
        raise Forbidden("Only a portal admin may send portal invitations.")
    if not contact.portal_enabled:
        raise Conflict(f"{contact.full_name} has no portal access; grant it first.")
    if contact.status != Contact.Status.ACTIVE:
        raise Conflict(f"{contact.full_name} is inactive; an inactive contact cannot sign in.")
    user = contact.user
    if user is None or not user.is_active:
        return grant_portal_access(contact=contact, acting_user=acting_user)
    if user.username != login_username(contact.email, contact.customer_id):
        _claim_username(user, contact)
    return mail.queue_invitation(contact=contact, user=user, acting_user=acting_user)


@transaction.atomic
def revoke_portal_access(*, contact: Contact, acting_user: Any, reason: str = "revoked") -> Contact:
    """Switch `contact`'s portal access off (through `update_contact`, so history records it and
    every rule applies) and end its sessions at once. Idempotent: a contact without access only has
    any leftover login closed. The end of access is recorded once in the audit log with `reason`
    (`close_portal_account`)."""
    access.require(acting_user, access.CHANGE, contact)
    if contact.portal_enabled:
        token = _REVOKE_REASON.set(reason)
        try:
            return contact_services.update_contact(
                contact=contact, acting_user=acting_user, data={"portal": {"enabled": False}}
            )
        finally:
            _REVOKE_REASON.reset(token)
    if contact.user is not None and contact.user.is_active:
        close_portal_account(contact.user, contact=contact, acting_user=acting_user, reason=reason)
    return contact


def end_access_of_moving_contact(sender: Any, *, contact: Contact, acting_user: Any, **kwargs: Any) -> None:
    """The receiver of `clientbase.contacts.signals.contact_moving` (connected by the portal's
    AppConfig.ready()): a contact moving to another customer loses its portal access through
    `revoke_portal_access`, its login closed, its sessions and API tokens ended, in the move's
    transaction (recorded in the audit log with the reason "moved")."""
    revoke_portal_access(contact=contact, acting_user=acting_user, reason="moved")


def close_login_of_deleted_contact(*, contact: Contact, acting_user: Any) -> None:
    """The hook `clientbase.contacts.hooks.before_contact_deleted` (appended by the portal's
    AppConfig.ready()): the login of a contact being deleted is closed while the contact still has
    its id, which the audit event (`portal.revoked`, reason "deleted") names."""
    if contact.user is not None:
        close_portal_account(contact.user, contact=contact, acting_user=acting_user, reason="deleted")


def keep_an_admin_after_delete(*, contact: Contact, acting_user: Any) -> None:
    """The hook `clientbase.contacts.hooks.after_contact_deleted` (appended by the portal's
    AppConfig.ready()): a customer's portal users may not leave it without a portal admin (staff
    may). Checked once the row is gone, under the customer's lock (`ensure_admin_remains`);
    Conflict rolls the delete back."""
    ensure_admin_remains(before=contact, acting_user=acting_user)


# The hook -------------------------------------------------------------------------------------


def _has_portal_values(contact: Contact) -> bool:
    return bool(
        contact.portal_enabled or contact.portal_permissions or contact.support_start or contact.support_end
    )


def _date_text(value: datetime.date | None) -> str:
    return value.isoformat() if value else "open-ended"


def _check_portal_actor(contact: Contact, actor: Contact, fields: set[str], *, created: bool) -> None:
    """The rules for a portal user changing `contact` (checked after the change, in its
    transaction: raising rolls it back). Who may change portal access at all (a portal admin, for
    its colleagues, never itself) the contacts services asked `access` before the change."""
    portal_changed = bool(fields & PORTAL_FIELDS) if not created else _has_portal_values(contact)
    if portal_changed:
        beyond = set(contact.portal_permissions or []) - grantable_capabilities(actor)
        if beyond:
            not_held = ", ".join(sorted(beyond))
            raise Forbidden(f"You may grant only the portal permissions you hold yourself; not {not_held}.")
        dates_changed = created or bool(fields & {"portal_enabled", "support_start", "support_end"})
        if contact.portal_enabled and dates_changed:
            starts_inside = actor.support_start is None or (
                contact.support_start is not None and contact.support_start >= actor.support_start
            )
            ends_inside = actor.support_end is None or (
                contact.support_end is not None and contact.support_end <= actor.support_end
            )
            if not (starts_inside and ends_inside):
                raise ValidationFailed(
                    {
                        "portal": [
                            "The support period of a portal user you invite must lie within your own "
                            f"({_date_text(actor.support_start)} to {_date_text(actor.support_end)})."
                        ]
                    }
                )
    if "email" in fields and contact.user_id is not None and contact.portal_enabled:
        if not is_portal_admin(actor):
            raise Forbidden(
                "Changing the e-mail address a portal user signs in with needs the portal admin permission."
            )
        user = contact.user
        if user is not None and user.has_usable_password() and _CONFIRMED_SIGN_IN.get() != contact.pk:
            # Whoever holds a session or token of a login must not move it to an address of theirs
            # (then reset its password): its own user changes it, confirmed with its password.
            raise FieldForbidden(
                "email",
                "You may not change “email”: it is the address a portal user signs in with. The user "
                "changes it on its profile page (“Sign-in e-mail”), confirmed with its password; "
                "staff may change it too.",
            )


def _follow_email(contact: Contact, user: Any, acting_user: Any) -> None:
    """The login follows the contact's new e-mail address; the old address is told."""
    old = user.email
    if login_address(old) == login_address(contact.email):
        if old != contact.email:
            user.email = contact.email
            user.save(update_fields=["email"])
        return
    _claim_username(user, contact)
    if old:
        mail.queue_email_changed(contact=contact, old_email=old, acting_user=acting_user)


def contact_saved(
    *,
    contact: Contact,
    acting_user: Any,
    changed: Iterable[str] | None,
    before: Contact | None = None,
) -> None:
    """The hook `clientbase.contacts.hooks.after_contact_saved` (appended by the portal's
    AppConfig.ready()), run at the end of `create_contact` (`changed` None) and `update_contact`
    (`changed` the fields that changed, `before` the contact as it was stored), inside their
    transaction."""
    created = changed is None
    fields = set(changed or ())
    if not created and not fields & (ADMIN_FIELDS | {"email"}):
        return
    if created and not _has_portal_values(contact):
        return
    actor = access.portal_contact(acting_user)
    if actor is not None:
        _check_portal_actor(contact, actor, fields, created=created)
        if fields & ADMIN_FIELDS:
            ensure_admin_remains(before=before, acting_user=acting_user)
    user = contact.user
    if contact.portal_enabled and (created or "portal_enabled" in fields):
        if _could_sign_in(contact):
            grant_portal_access(contact=contact, acting_user=acting_user)
        # else: access is on, but nobody could use an invitation now (an inactive contact, a support
        # end already past: a restored export holds such contacts); "Send portal invitation" opens
        # the login once the contact may sign in.
    elif user is None:
        return
    elif "portal_enabled" in fields:
        close_portal_account(user, contact=contact, acting_user=acting_user, reason=_REVOKE_REASON.get())
    elif contact.portal_enabled:
        if fields & {"portal_permissions", "support_start", "support_end"} and user.is_active:
            # What an open login may do, or until when, changed: recorded as grants and revokes are.
            events.record(
                events.PORTAL_CHANGED,
                user=acting_user,
                object=contact,
                detail={
                    "permissions": sorted(contact.portal_permissions or []),
                    "support_start": _date_text(contact.support_start),
                    "support_end": _date_text(contact.support_end),
                },
            )
        if "email" in fields:
            _follow_email(contact, user, acting_user)
        if fields & {"customer", "status"}:
            # Moved to another customer or made inactive: its sessions and API tokens end now (the
            # middleware would end an inactive one's session on its next request anyway).
            end_sessions(user)
            delete_tokens(user)
