"""Writes of the notifications app: the test e-mail and the verification of its link, the e-mail
a staff user writes to a contact from its record, the activity log, and the e-mail status a bounce
sets."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clientbase import access, text
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, Forbidden, NotFound, Throttled, ValidationFailed, wait_text
from clientbase.notifications import secret_links
from clientbase.notifications.events import CONTACT_EMAIL, LABELS, TEST_EMAIL
from clientbase.notifications.facts import customer_facts
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.outbox import new_message_id
from clientbase.versions import lock, lock_rows
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


# The e-mail staff write from a contact's record --------------------------------------------------------

# The longest subject (characters): what a mail client shows in one line, well within the columns
# of `Message.subject` and `Activity.summary` (255).
EMAIL_SUBJECT_MAX = 200
# The longest text (characters): the limit of every multi-line field (`clientbase.text`).
EMAIL_BODY_MAX = text.LONG_TEXT_MAX
# Why the recipient gets it (the outbox's "Why"); who wrote it is in the activity log.
EMAIL_REASON = "Written to you by our team."
MAY_NOT_SEND_EMAIL = (
    "You may not send e-mail to contacts: it is recorded in their activity history, which needs "
    "the permission to record activities (administrators, dispatchers, accounts receivable)."
)


def require_may_send_email(acting_user: Any) -> None:
    """Forbidden unless `acting_user` may write e-mail to contacts at all: staff who may record
    activities (`ADD` on `Activity`: administrators, dispatchers, accounts receivable), since the
    mail is recorded in the contact's activity history with its writer. Portal users never: the
    mail goes out in the company's name. Pages ask it before showing a compose form."""
    if not access.is_staff(acting_user):
        raise Forbidden("Only staff send e-mail from a contact's record.")
    if not access.can(acting_user, access.ADD, Activity):
        raise Forbidden(MAY_NOT_SEND_EMAIL)


def bounced_summary(address: str) -> str:
    """The summary of the activity `mark_bounced` records: also how `email_refusal` finds when an
    address bounced."""
    return f"E-mail address {address} bounced."


def bounced_at(contact: Contact) -> datetime.datetime | None:
    """When the contact's current address was last recorded as bounced (`mark_bounced`), if it was."""
    return (
        Activity.objects.filter(contact=contact, summary__iexact=bounced_summary(contact.email))
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


# What stands in the way of writing to a contact (`email_blocker`), in a few words.
INACTIVE, NO_ADDRESS, BOUNCED = "inactive", "no e-mail address", "address bounced"


def email_blocker(contact: Contact) -> str | None:
    """What stands in the way of writing to `contact` now, read from the row alone (no query):
    INACTIVE (an erased contact is inactive too, and has no address), NO_ADDRESS or BOUNCED; None
    when nothing does. `email_refusal` says it as a sentence."""
    if contact.status != Contact.Status.ACTIVE:
        return INACTIVE
    if not contact.email:
        return NO_ADDRESS
    if contact.email_status == Contact.EmailStatus.BOUNCED:
        return BOUNCED
    return None


def email_refusal(contact: Contact) -> str | None:
    """Why no e-mail may be written to `contact` now (`email_blocker`), as a sentence naming the
    contact, the address and when it bounced (if recorded: one query, only then); None when one
    may. The staff pages show it in place of the compose form; `send_email` refuses with it."""
    blocker = email_blocker(contact)
    name = contact.full_name
    if blocker == INACTIVE:
        return f"{name} is inactive: e-mail is written only to active contacts."
    if blocker == NO_ADDRESS:
        return f"{name} has no e-mail address; add one first."
    if blocker == BOUNCED:
        at = bounced_at(contact)
        when = f" on {timezone.localtime(at):%Y-%m-%d %H:%M %Z}" if at is not None else ""
        return (
            f"The address {contact.email} of {name} bounced{when}: mail to it does not arrive. "
            "Correct the address, or send a test e-mail to check that the mailbox works again."
        )
    return None


def _email_text(value: Any, *, limit: int, multiline: bool) -> tuple[str, list[str]]:
    """`value` cleaned by the text rules (NFC, no control characters, no line break in a single
    line), stripped; and what is wrong with it (blank, too long, a character refused)."""
    raw = value if isinstance(value, str) else ""
    try:
        cleaned = text.clean(raw, multiline=multiline).strip()
    except DjangoValidationError as error:
        return "", [str(message) for message in error.messages]
    if not cleaned:
        return "", ["This field may not be blank."]
    if len(cleaned) > limit:
        return cleaned, [f"At most {limit:,} characters ({len(cleaned):,} given)."]
    return cleaned, []


def hourly_send_email_cap() -> int:
    """E-mails one user may write from the records within any hour (CLIENTBASE_SEND_EMAIL_PER_HOUR,
    60; 0 lifts the cap): a person writes a few; a script with a leaked token would write many."""
    return int(settings.CLIENTBASE_SEND_EMAIL_PER_HOUR)


def check_send_email_limit(acting_user: Any) -> None:
    """Throttled (with `retry_after`) when `acting_user` wrote `hourly_send_email_cap()` e-mails from
    the records within the last hour (a sliding hour). Counted in the database, as the test e-mail's
    cap is (`check_test_email_limits`): the user's message activities of CONTACT_EMAIL, the user's
    row locked first so that two requests at once count one after the other."""
    per_hour = hourly_send_email_cap()
    if per_hour <= 0 or not getattr(acting_user, "is_authenticated", False):
        return
    now = timezone.now()
    list(get_user_model().objects.select_for_update().filter(pk=acting_user.pk).values_list("pk", flat=True))
    written = list(
        Activity.objects.filter(
            user=acting_user,
            kind=Activity.Kind.MESSAGE,
            message__event=CONTACT_EMAIL,
            created_at__gt=now - HOUR,
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(written) >= per_hour:
        wait = (written[len(written) - per_hour] + HOUR - now).total_seconds()
        raise Throttled(
            f"You wrote {per_hour} e-mail{'s' if per_hour != 1 else ''} within the last hour, the most "
            "allowed; nothing was sent. "
            f"Try again in {wait_text(wait)}.",
            retry_after=wait,
        )


@transaction.atomic
def send_email(
    *,
    acting_user: Any,
    contact: Contact,
    subject: str,
    body: str,
    expected_email: str | None = None,
) -> Activity:
    """Queue an e-mail that `acting_user` wrote to `contact`: one outbox `Message` (event
    `contact.email`, its subject, the text as written, plain text, rendered by the worker from
    `notifications/mail/contact_email.*`) and the contact's `Activity` of kind message linked to
    it (the subject as summary, the text as body, the writer as user), in one transaction. Answers
    the activity (its `message` is the queued mail).

    A person wrote it, so it goes out whatever the contact's notification opt-ins say (those choose
    the automatic mail of events), and without the markings of automatic mail (`mail.build_email`).
    The facts it keeps are a snapshot, as for events: the customer's name and number, the subject
    and the text.

    `subject`: one line, at most EMAIL_SUBJECT_MAX characters; `body`: at most EMAIL_BODY_MAX, line
    breaks kept; both stripped, NFC, control characters refused (`clientbase.text`).
    `expected_email`: the address the caller showed its user (a compose form); when the contact's
    address differs by now, nothing is sent (None: not checked, as the API does).

    Raises NotFound (the contact is out of the caller's scope, or gone), Forbidden (not staff, or
    may not record activities: `require_may_send_email`), Conflict (inactive, no address, a bounced
    address, or the address changed since `expected_email`: `email_refusal`), ValidationFailed
    (`{"subject": [...], "body": [...]}`: blank, too long, a character refused), Throttled (the
    writer's hourly cap: `check_send_email_limit`). Nothing is written when it raises."""
    contact = access.fetch(acting_user, Contact.objects.all(), contact.pk)
    require_may_send_email(acting_user)
    contact = lock(contact)  # the address read is the one sent to: a change waits for this mail
    refusal = email_refusal(contact)
    if refusal is not None:
        raise Conflict(f"{refusal} Nothing was sent.")
    if expected_email is not None and expected_email.strip().lower() != contact.email.lower():
        raise Conflict(
            f"The e-mail address of {contact.full_name} changed since this form was opened, from "
            f"{expected_email.strip() or '(none)'} to {contact.email}; nothing was sent. Check the "
            "address and send again."
        )
    clean_subject, subject_errors = _email_text(subject, limit=EMAIL_SUBJECT_MAX, multiline=False)
    clean_body, body_errors = _email_text(body, limit=EMAIL_BODY_MAX, multiline=True)
    errors = {name: found for name, found in (("subject", subject_errors), ("body", body_errors)) if found}
    if errors:
        raise ValidationFailed(errors)
    check_send_email_limit(acting_user)
    facts: dict[str, Any] = {"subject": clean_subject, "body": clean_body}
    if contact.customer is not None:
        facts.update(customer_facts(contact.customer))
    # Replies go to the writer: its user's address, when it has one that can be a header.
    reply_to = str(getattr(acting_user, "email", "") or "")
    if text.problem(reply_to) is not None:
        reply_to = ""
    message = queue_message(
        event=CONTACT_EMAIL,
        contact=contact,
        to=contact.email,
        subject=clean_subject,
        reason=EMAIL_REASON,
        context={"facts": facts, **({"reply_to": reply_to} if reply_to else {})},
    )
    return Activity.objects.create(
        customer_id=contact.customer_id,
        contact=contact,
        contact_name=contact.full_name,
        kind=Activity.Kind.MESSAGE,
        summary=clean_subject,
        body=clean_body,
        message=message,
        user=acting_user,
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
        summary=bounced_summary(address),
        body=detail,
    )
    return True


def record_message_sent(message: Message) -> Activity:
    """The activity of a sent message, written with the change of its status; a message recorded
    when it was queued (an e-mail staff wrote: `send_email`) keeps that activity."""
    recorded = Activity.objects.filter(message=message).first()
    if recorded is not None:
        return recorded
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
