"""Delivery of the outbox over SMTP: claim what is due, send each message, record the outcome.

- **Claim**: a worker takes a batch of due messages (pending, next attempt reached, no live lease)
  and writes its lease on them in one short transaction. On PostgreSQL the rows are read with
  `SELECT ... FOR UPDATE SKIP LOCKED`, so concurrent workers take disjoint batches without waiting;
  on SQLite the IMMEDIATE transaction mode of the settings takes the write lock at BEGIN, which
  serialises the claims. Before each send the worker renews its lease and goes on only if the
  message is still its own, so two workers never send the same message at once.
- **A worker that dies** between claim and send loses nothing: its lease runs out and the message
  is due again for any worker. A worker that dies after the server accepted a message but before it
  recorded the fact sends it again: delivery is at least once, and the Message-ID, fixed when the
  message was written, lets the receiving side recognise the copy.
- **Temporary failures** (nothing listening, a timeout, a 4xx reply, a refused session) are retried
  with exponential backoff and jitter, capped at `CLIENTBASE_MAIL_RETRY_MAX` (60 s by default), so
  delivery resumes within about a minute of an outage ending; an outage delays mail and loses none.
- **Permanent failures** (a 5xx reply to this message) mark it `failed`; a 550/551/553 refusal of
  the recipient also marks the contact's address `bounced`. A message that can never be sent (a
  template error, an address that cannot be a header) fails alone: every message is handled on its
  own and the others go on. So does a mail whose secret link would no longer work (the account
  changed since it was queued: `clientbase.notifications.secret_links`).
- Without `EMAIL_HOST` nothing is sent: messages stay pending and visible in the outbox."""

from __future__ import annotations

import contextlib
import logging
import random
import smtplib
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.notifications.events import TEST_EMAIL
from clientbase.notifications.mail import build_email
from clientbase.notifications.models import Message
from clientbase.notifications.secret_links import LinkExpired
from clientbase.notifications.services import mark_bounced, record_message_sent

logger = logging.getLogger(__name__)

BATCH_SIZE = 20
# Replies to RCPT that say the mailbox does not exist (or may not exist here).
BOUNCE_CODES = frozenset({550, 551, 553})
# Replies that concern the session, not the message: the server or our configuration is at fault.
SESSION_ERRORS = (
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPNotSupportedError,
)
SENT, RETRY, FAILED, BOUNCED, SKIPPED = "sent", "retry", "failed", "bounced", "skipped"
OUTCOMES = (SENT, RETRY, FAILED, BOUNCED, SKIPPED)


def sending_enabled() -> bool:
    """Mail goes out only when an SMTP server is configured."""
    return bool(settings.EMAIL_HOST)


def lease_duration() -> timedelta:
    """How long a claim holds: many times the longest one SMTP exchange may take, as every socket
    operation is bounded by EMAIL_TIMEOUT."""
    return timedelta(seconds=max(60, 6 * settings.EMAIL_TIMEOUT))


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: up to base * 2^(attempts-1), capped, then a random point
    in its upper half so that messages failed together do not retry together."""
    base = settings.CLIENTBASE_MAIL_RETRY_BASE
    cap = settings.CLIENTBASE_MAIL_RETRY_MAX
    ceiling = min(cap, base * 2 ** min(max(attempts - 1, 0), 30))
    return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


def due_messages(now: datetime) -> Q:
    return Q(status=Message.Status.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )


def claim_due(*, worker: str, now: datetime | None = None, limit: int = BATCH_SIZE) -> list[int]:
    """Lease up to `limit` due messages to `worker`, oldest due first; answer their ids."""
    now = _now(now)
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(due_messages(now))
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(pk__in=ids).update(claimed_by=worker, claimed_until=now + lease_duration())
    return ids


def release(ids: Sequence[int], *, worker: str) -> None:
    """Give back the claims of `worker` on `ids` (a worker stopping), so others may take them now."""
    Message.objects.filter(pk__in=ids, claimed_by=worker, status=Message.Status.PENDING).update(
        claimed_by="", claimed_until=None
    )


def _take(pk: int, *, worker: str, now: datetime) -> Message | None:
    """Renew the lease on `pk` and load it, or None when it is no longer this worker's."""
    renewed = Message.objects.filter(pk=pk, claimed_by=worker, status=Message.Status.PENDING).update(
        claimed_until=now + lease_duration()
    )
    if not renewed:
        return None
    return Message.objects.select_related("contact").get(pk=pk)


class _Connection:
    """One SMTP session for a batch, opened on first use, reopened after a broken one. Once the
    server was unreachable, the rest of the batch is not tried against it."""

    def __init__(self) -> None:
        self.backend = EmailBackend(fail_silently=False)
        self.down: OSError | None = None

    def send(self, email: EmailMessage) -> None:
        if self.down is not None:
            raise self.down
        try:
            self.backend.open()
        except OSError as error:
            self.down = error
            raise
        try:
            self.backend.send_messages([email])
        except smtplib.SMTPRecipientsRefused:
            raise  # the session is still good (smtplib reset it)
        except smtplib.SMTPResponseException as error:
            if isinstance(error, SESSION_ERRORS):
                self.close()
            raise
        except OSError:
            self.close()  # a broken session: the next message opens a new one
            raise

    def close(self) -> None:
        # Closing a broken session may fail too; it is gone either way.
        with contextlib.suppress(Exception):
            self.backend.close()
        self.backend.connection = None


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {text}"
    return f"{type(error).__name__}: {error}"[:2000]


def _finish(message: Message, *, worker: str, **values: object) -> bool:
    """Write the outcome of an attempt if the message is still this worker's; release the claim."""
    updated = Message.objects.filter(pk=message.pk, claimed_by=worker, status=Message.Status.PENDING).update(
        attempts=F("attempts") + 1, claimed_by="", claimed_until=None, **values
    )
    if not updated:
        logger.warning(
            "message %s was taken over by another worker before its outcome was written", message.pk
        )
    return bool(updated)


def _retry(message: Message, error: BaseException, *, worker: str, now: datetime) -> str:
    delay = retry_delay(message.attempts + 1)
    _finish(message, worker=worker, last_error=_describe(error), next_attempt_at=now + delay)
    logger.info(
        "message %s to %s: temporary failure (%s), retry in %.0f s",
        message.pk,
        message.to,
        _describe(error),
        delay.total_seconds(),
    )
    return RETRY


def _fail(message: Message, reason: str, *, worker: str, now: datetime, status: str = FAILED) -> str:
    _finish(message, worker=worker, status=status, last_error=reason[:2000])
    logger.warning("message %s to %s: %s (%s)", message.pk, message.to, status, reason)
    return status


def _refused(message: Message, error: smtplib.SMTPRecipientsRefused, *, worker: str, now: datetime) -> str:
    code = min(code for code, _ in error.recipients.values())
    if not 500 <= code < 600:
        return _retry(message, error, worker=worker, now=now)
    with transaction.atomic():
        outcome = _fail(message, _describe(error), worker=worker, now=now)
        if code in BOUNCE_CODES and message.contact_id is not None:
            mark_bounced(contact_id=message.contact_id, address=message.to, detail=_describe(error))
    return outcome


def _known_bounced(message: Message) -> bool:
    """The address bounced before: mail for events is not sent again (a test e-mail is, to check
    a corrected mailbox)."""
    contact = message.contact
    return (
        message.event != TEST_EMAIL
        and contact is not None
        and contact.email_status == Contact.EmailStatus.BOUNCED
        and contact.email.lower() == message.to.lower()
    )


def deliver_one(message: Message, connection: _Connection, *, worker: str, now: datetime) -> str:
    """Send one claimed message and record the outcome; answers it."""
    if message.contact_id is None:
        # Every message is written for a contact; the link is gone when the contact was deleted,
        # and a deleted person is not written to.
        return _fail(message, "Not sent: the contact was deleted.", worker=worker, now=now)
    if _known_bounced(message):
        return _fail(
            message, "Not sent: this address bounced before.", worker=worker, now=now, status=BOUNCED
        )
    try:
        email = build_email(message)
    except LinkExpired as error:
        return _fail(message, f"Not sent: {error}.", worker=worker, now=now)
    except Exception as error:
        logger.exception("message %s cannot be rendered", message.pk)
        return _fail(message, f"Cannot be sent: {_describe(error)}", worker=worker, now=now)
    try:
        connection.send(email)
    except smtplib.SMTPRecipientsRefused as error:
        return _refused(message, error, worker=worker, now=now)
    except smtplib.SMTPResponseException as error:
        if isinstance(error, SESSION_ERRORS) or not 500 <= error.smtp_code < 600:
            return _retry(message, error, worker=worker, now=now)
        return _fail(message, _describe(error), worker=worker, now=now)
    except OSError as error:  # nothing listening, a timeout, a dropped session
        return _retry(message, error, worker=worker, now=now)
    except Exception as error:
        logger.exception("message %s cannot be sent", message.pk)
        return _fail(message, f"Cannot be sent: {_describe(error)}", worker=worker, now=now)
    with transaction.atomic():
        if _finish(message, worker=worker, status=Message.Status.SENT, sent_at=now, last_error=""):
            record_message_sent(message)
    return SENT


def deliver(
    ids: Sequence[int],
    *,
    worker: str,
    now: datetime | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Counter[str]:
    """Send the messages `ids` claimed by `worker`, each on its own; answer the outcomes counted.
    When `should_stop()` turns true the rest are released for other workers."""
    outcomes: Counter[str] = Counter()
    connection = _Connection()
    try:
        for index, pk in enumerate(ids):
            if should_stop():
                release(ids[index:], worker=worker)
                break
            moment = _now(now)
            message = _take(pk, worker=worker, now=moment)
            if message is None:
                outcomes[SKIPPED] += 1
                continue
            outcomes[deliver_one(message, connection, worker=worker, now=moment)] += 1
    finally:
        connection.close()
    return outcomes


def process_due(
    *,
    worker: str,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
    should_stop: Callable[[], bool] = lambda: False,
) -> Counter[str]:
    """Claim one batch of due messages and deliver it; nothing when sending is not configured."""
    if not sending_enabled():
        return Counter()
    ids = claim_due(worker=worker, now=now, limit=limit)
    if not ids:
        return Counter()
    return deliver(ids, worker=worker, now=now, should_stop=should_stop)
