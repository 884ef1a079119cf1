"""Writes of the notifications app: the test e-mail and the verification of its link, the
activity log, and the e-mail status a bounce sets."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, NotFound, Throttled, ValidationFailed, wait_text
from clientbase.notifications import secret_links
from clientbase.notifications.events import LABELS, TEST_EMAIL
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.outbox import new_message_id
from clientbase.versions import lock_rows
from clientbase.writes import set_acting_user, validate

VERIFY_SALT = "clientbase.notifications.verify-email"
VERIFY_MAX_AGE = datetime.timedelta(days=7)
# The kind of secret link (`secret_links`) of the test e-mail.
VERIFY_LINK = "notifications.verify_email"
ACTIVITY_FIELDS = ("customer", "contact", "kind", "summary", "body")


def verification_token(contact: Contact, issued_at: datetime.datetime) -> str:
    """A signed token naming the contact, the address it verifies and when it was issued."""
    return _signed_verification(contact_id=contact.pk, email=contact.email, issued=issued_at.timestamp())


def _signed_verification(*, contact_id: int, email: str, issued: float) -> str:
    return signing.dumps({"contact": contact_id, "email": email, "issued": issued}, salt=VERIFY_SALT)


def verification_link(params: Mapping[str, Any]) -> str:
    """The verification link of a test e-mail, made when the worker sends it, from its marker
    (`send_test_email`): `contact`, `email`, `issued` (a POSIX timestamp), `base` (the site).
    Raises `LinkExpired` when the contact is gone or its address is no longer the one the mail
    was queued for (the link would be refused)."""
    contact = Contact.objects.filter(pk=params["contact"]).only("email").first()
    if contact is None or contact.email.lower() != str(params["email"]).lower():
        raise secret_links.LinkExpired(
            "the contact's e-mail address changed since this test e-mail was queued, so its link "
            "would not work; send a new one"
        )
    token = _signed_verification(contact_id=contact.pk, email=contact.email, issued=float(params["issued"]))
    return str(params["base"]).rstrip("/") + reverse("verify-email", args=[token])


@transaction.atomic
def queue_message(
    *, event: str, contact: Contact, to: str, subject: str, reason: str, context: dict[str, Any]
) -> Message:
    """One e-mail to one contact, in the outbox now (in the caller's transaction) and sent by the
    worker. `event` names templates known to `events.TEMPLATES`; `context` is what they show."""
    return Message.objects.create(
        event=event,
        message_id=new_message_id(),
        customer_id=contact.customer_id,
        contact=contact,
        to=to,
        recipient_name=contact.full_name,
        reason=reason[:255],
        subject=subject[:255],
        context=context,
        next_attempt_at=timezone.now(),
    )


# Why the recipient gets a test e-mail (the mail's footer): neutral, naming no staff user or
# portal login; who asked is in the activity log (TEST_EMAIL_REQUESTED).
TEST_EMAIL_REASON = "A test of this e-mail address was requested by our team."
# The summary of the activity that records who asked for a test e-mail, and when; the per-user
# limit of `send_test_email` counts these.
TEST_EMAIL_REQUESTED = "Test e-mail requested."
HOUR = datetime.timedelta(hours=1)


def interval_between_test_emails() -> int:
    """Seconds between two test e-mails to one contact (CLIENTBASE_TEST_EMAIL_INTERVAL, 300;
    0: no limit)."""
    return int(settings.CLIENTBASE_TEST_EMAIL_INTERVAL)


def hourly_test_email_cap() -> int:
    """Test e-mails one user may ask for within any hour (CLIENTBASE_TEST_EMAIL_PER_HOUR, 20;
    0: no limit)."""
    return int(settings.CLIENTBASE_TEST_EMAIL_PER_HOUR)


@transaction.atomic
def send_test_email(*, contact: Contact, acting_user: Any, base_url: str) -> Message:
    """Queue a test e-mail to `contact` with a single-use link that verifies the address for
    seven days. `base_url` is where this site is reached (`https://crm.example.com/`). A bounce
    marks the address bounced, the link marks it verified. The link is a secret: the message holds
    only its marker, and the worker makes it when it sends the mail (`verification_link`).

    The mail's reason names nobody (TEST_EMAIL_REASON); an activity of the contact
    (TEST_EMAIL_REQUESTED, with the acting user) records who asked. Every surface (staff page,
    API, portal users through the API) comes here, so the limits hold for all of them
    (`check_test_email_limits`).

    Raises Forbidden (may not change the contact), Conflict (no address), Throttled (a limit;
    nothing queued)."""
    access.require(acting_user, access.CHANGE, contact)
    if not contact.email:
        raise Conflict(f"{contact.full_name} has no e-mail address to verify; add one first.")
    check_test_email_limits(contact=contact, acting_user=acting_user)
    now = timezone.now()
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    Activity.objects.create(
        customer_id=contact.customer_id,
        contact=contact,
        contact_name=contact.full_name,
        kind=Activity.Kind.NOTE,
        summary=TEST_EMAIL_REQUESTED,
        body=f"To {contact.email}.",
        user=user,
    )
    return queue_message(
        event=TEST_EMAIL,
        contact=contact,
        to=contact.email,
        reason=TEST_EMAIL_REASON,
        subject="Please confirm your e-mail address",
        context={
            "verify_url": secret_links.marker(
                VERIFY_LINK,
                contact=contact.pk,
                email=contact.email,
                issued=now.timestamp(),
                base=base_url.rstrip("/"),
            ),
            "valid_days": VERIFY_MAX_AGE.days,
        },
    )


def check_test_email_limits(*, contact: Contact, acting_user: Any) -> None:
    """Throttled unless both limits of the test e-mail allow one more now: at most one to
    `contact` per `interval_between_test_emails()` seconds, and at most `hourly_test_email_cap()`
    asked for by `acting_user` within the last hour (a sliding hour). The message and
    `retry_after` say when the next one is allowed. Call inside the transaction that queues the
    mail.

    Counted in the database, not the cache: the contact's test e-mails in the outbox (`Message`
    rows of TEST_EMAIL: what reaches the inbox) and the user's TEST_EMAIL_REQUESTED activities.
    Both are exact, shared by every server process without a shared cache, rolled back with a
    refused request, and tell when the oldest one counted expires. The contact's row and then the
    user's are locked first (PostgreSQL; SQLite's IMMEDIATE transactions take its one write lock
    anyway), so two requests at once are counted one after the other."""
    now = timezone.now()
    interval = interval_between_test_emails()
    if interval > 0:
        lock_rows(Contact.objects.filter(pk=contact.pk))
        last = (
            Message.objects.filter(
                event=TEST_EMAIL,
                contact=contact,
                created_at__gt=now - datetime.timedelta(seconds=interval),
            )
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None:
            wait = (last + datetime.timedelta(seconds=interval) - now).total_seconds()
            raise Throttled(
                f"A test e-mail to {contact.full_name} was queued less than {wait_text(interval)} "
                f"ago; nothing was sent. Try again in {wait_text(wait)}.",
                retry_after=wait,
            )
    per_hour = hourly_test_email_cap()
    if per_hour > 0 and getattr(acting_user, "is_authenticated", False):
        users = get_user_model().objects.select_for_update()
        list(users.filter(pk=acting_user.pk).values_list("pk", flat=True))
        requested = list(
            Activity.objects.filter(
                user=acting_user,
                kind=Activity.Kind.NOTE,
                summary=TEST_EMAIL_REQUESTED,
                created_at__gt=now - HOUR,
            )
            .order_by("created_at")
            .values_list("created_at", flat=True)
        )
        if len(requested) >= per_hour:
            # One more is allowed once all but per_hour - 1 of them are older than an hour.
            wait = (requested[len(requested) - per_hour] + HOUR - now).total_seconds()
            raise Throttled(
                f"You asked for {per_hour} test e-mails within the last hour, the most allowed; "
                f"nothing was sent. Try again in {wait_text(wait)}.",
                retry_after=wait,
            )


def read_verification_token(token: str) -> dict[str, Any]:
    """The token's content; NotFound when it was not made here, Conflict when it expired."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired as error:
        raise Conflict("This link has expired; ask for a new test e-mail.") from error
    except signing.BadSignature as error:
        raise NotFound("This link is not valid.") from error
    if not isinstance(data, dict) or not {"contact", "email", "issued"} <= set(data):
        raise NotFound("This link is not valid.")
    return data


def verification_contact(token: str, *, lock: bool = False) -> Contact:
    """The contact whose address the token may verify now. NotFound for a token not made here,
    Conflict when it expired, was used already (or a later link was), or the contact's address
    changed since it was sent."""
    data = read_verification_token(token)
    contacts = Contact.objects.select_for_update() if lock else Contact.objects.all()
    contact = contacts.filter(pk=data["contact"]).first()
    if contact is None:
        raise NotFound("This link is not valid.")
    if contact.email.lower() != str(data["email"]).lower():
        raise Conflict("The e-mail address changed since this link was sent; ask for a new test e-mail.")
    issued = datetime.datetime.fromtimestamp(float(data["issued"]), tz=datetime.UTC)
    if contact.last_verified_at is not None and contact.last_verified_at >= issued:
        raise Conflict("This link has already been used.")
    return contact


@transaction.atomic
def verify_email(*, token: str) -> Contact:
    """Mark the address of the token verified (see `verification_contact` for the refusals)."""
    contact = verification_contact(token, lock=True)
    contact.email_status = Contact.EmailStatus.VERIFIED
    contact.last_verified_at = timezone.now()
    set_acting_user(contact, None)
    contact.save(update_fields=["email_status", "last_verified_at", "updated_at"])
    Activity.objects.create(
        customer_id=contact.customer_id,
        contact=contact,
        contact_name=contact.full_name,
        kind=Activity.Kind.NOTE,
        summary=f"E-mail address {contact.email} verified through the test e-mail's link.",
    )
    return contact


def mark_bounced(*, contact_id: int, address: str, detail: str) -> bool:
    """The mail server says `address` does not exist: mark the contact's address bounced, unless
    the contact has another address by now. Answers whether it did. Call inside a transaction."""
    contact = Contact.objects.select_for_update().filter(pk=contact_id, email__iexact=address).first()
    if contact is None or contact.email_status == Contact.EmailStatus.BOUNCED:
        return False
    contact.email_status = Contact.EmailStatus.BOUNCED
    set_acting_user(contact, None)
    contact.save(update_fields=["email_status", "updated_at"])
    Activity.objects.create(
        customer_id=contact.customer_id,
        contact=contact,
        contact_name=contact.full_name,
        kind=Activity.Kind.NOTE,
        summary=f"E-mail address {address} bounced.",
        body=detail,
    )
    return True


def record_message_sent(message: Message) -> Activity:
    """The activity of a sent message, written with the change of its status."""
    return Activity.objects.create(
        customer_id=message.customer_id,
        contact_id=message.contact_id,
        contact_name=message.recipient_name or message.to,
        kind=Activity.Kind.MESSAGE,
        summary=message.subject[:255],
        body=f"{LABELS.get(message.event, message.event)} e-mail to {message.to}.",
        message=message,
    )


@transaction.atomic
def record_activity(*, acting_user: Any, data: Mapping[str, Any]) -> Activity:
    """Record a call or a note about a contact or a customer. The customer defaults to the
    contact's; a contact of another customer is refused. Messages are recorded by the worker."""
    access.require_model(acting_user, access.ADD, Activity)
    unknown = sorted(set(data) - set(ACTIVITY_FIELDS))
    if unknown:
        raise ValidationFailed({name: ["Unknown field."] for name in unknown})
    errors: dict[str, list[str]] = {}
    kind = str(data.get("kind") or "")
    if kind not in (Activity.Kind.CALL, Activity.Kind.NOTE):
        errors["kind"] = ["Record a call or a note; messages are recorded when they are sent."]
    summary = (data.get("summary") or "").strip()
    if not summary:
        errors["summary"] = ["This field may not be blank."]
    contact: Contact | None = data.get("contact")
    customer = data.get("customer")
    if contact is not None and customer is not None and contact.customer_id != customer.pk:
        errors["contact"] = [f"{contact.full_name} is not a contact of this customer."]
    if contact is None and customer is None:
        errors["customer"] = ["Name the customer or the contact this is about."]
    if errors:
        raise ValidationFailed(errors)
    customer_id = customer.pk if customer is not None else contact.customer_id if contact else None
    access.require_customer_in_scope(acting_user, customer_id)
    activity = Activity(
        customer_id=customer_id,
        contact=contact,
        contact_name=contact.full_name if contact is not None else "",
        kind=kind,
        summary=summary,
        body=(data.get("body") or "").strip(),
        user=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    validate(activity, exclude=["customer", "contact", "user", "message"])  # text rules, lengths
    activity.save()
    return activity
