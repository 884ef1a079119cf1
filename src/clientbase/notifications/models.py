"""The mail outbox and the activity log.

A `Message` row is written in the same transaction as the change that caused it and is the queue
the worker delivers from (`clientbase.notifications.delivery`); an `Activity` row records each
message sent and each call or note staff record about a contact or customer."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer


class Message(models.Model):
    """One e-mail to one recipient for one event.

    `message_id` is made when the row is written and sent unchanged on every attempt, so a receiver
    can discard the duplicate that an at-least-once delivery may produce. The facts the mail shows
    are a snapshot taken with the change (`context`), rendered by the worker: a template error then
    fails this message alone and never rolls back the change that caused it. `claimed_by` and
    `claimed_until` are the lease of the worker sending it; an expired lease makes it due again.

    `context` never holds a secret link, only its marker (`clientbase.notifications.secret_links`):
    the worker makes the link when it sends. Staff read a message's envelope (addressee, subject,
    status, delivery facts); its body only with `view_message_body` (administrators)."""

    class Event(models.TextChoices):
        WORK_ORDER_CREATED = "work_order.created", "Work order created"
        WORK_ORDER_UPDATED = "work_order.updated", "Work order updated"
        WORK_ORDER_COMPLETED = "work_order.completed", "Work order completed"
        QUOTE_SENT = "quote.sent", "Quote sent"
        INVOICE_ISSUED = "invoice.issued", "Invoice issued"
        TEST_EMAIL = "contact.test_email", "Test e-mail"
        CONTACT_EMAIL = "contact.email", "E-mail written by staff"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"

    event = models.CharField(max_length=30, choices=Event.choices)
    event_id = models.UUIDField(default=uuid.uuid4, help_text="Shared by the messages of one event.")
    message_id = models.CharField("Message-ID", max_length=255, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    to = models.CharField(max_length=254)
    recipient_name = models.CharField(max_length=201, blank=True)
    reason = models.CharField(max_length=255, blank=True, help_text="Why this recipient was chosen.")
    subject = models.CharField(max_length=255)
    context = models.JSONField(default=dict, blank=True, help_text="The facts the mail shows.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField()
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_message_body", "Can read the body of messages (secret links stay masked)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["event_id", "contact"],
                name="notifications_message_once_per_event_and_contact",
                violation_error_message="This contact already has a message for this event.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "bounced"]),
                name="notifications_message_status_valid",
                violation_error_message="Status is pending, sent, failed or bounced.",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_message_sent_has_time",
                violation_error_message="A sent message records when it was sent.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notifications_msg_due_idx"),
            models.Index(fields=["customer", "created_at"], name="notifications_msg_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.to} ({self.status})"


class Activity(models.Model):
    """One entry of a contact's or customer's log: a message sent, a call, a note.

    `contact_name` keeps the name when the contact is deleted (the link becomes null)."""

    class Kind(models.TextChoices):
        MESSAGE = "message", "Message"
        CALL = "call", "Call"
        NOTE = "note", "Note"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    contact_name = models.CharField(max_length=201, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    summary = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    message = models.OneToOneField(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="activity"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["message", "call", "note"]),
                name="notifications_activity_kind_valid",
                violation_error_message="Kind is message, call or note.",
            ),
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(contact_name=""),
                name="notifications_activity_has_subject",
                violation_error_message="An activity concerns a customer or a contact.",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="notifications_act_cust_idx"),
            models.Index(fields=["contact", "created_at"], name="notifications_act_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class WorkerHeartbeat(models.Model):
    """A running mail worker (`clientbase worker`), as it last reported itself: each worker writes
    its row at start and at least every `notifications.heartbeat.BEAT_SECONDS` while it runs, and
    deletes it when it stops cleanly. A row not seen for `heartbeat.LIVE_SECONDS` is a worker that
    died (or a host that lost the database); it is shown as such and removed after a day."""

    name = models.CharField(max_length=100, unique=True)  # host:pid:random, as the worker names itself
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    sending = models.BooleanField(help_text="Whether it delivers mail (EMAIL_HOST set) or only waits.")

    class Meta:
        ordering = ["host", "pid"]

    def __str__(self) -> str:
        return self.name
