"""Before an e-mail address may appear only once among the contacts of one customer (and once among
the contacts without a customer), ignoring case (the unique indexes of migration 0010): where
stored contacts already share an address, the first of them (lowest id) keeps it and every other
one has it moved to its notes, losing nothing.

For each contact whose address moves:

- its e-mail becomes empty, with the e-mail status that belonged to the address (verified or
  bounced, and when it was verified) reset to unverified;
- its notes gain a line saying which address moved there and which contact kept it;
- portal access, which needs an e-mail address (check constraint contacts_contact_portal_needs_email),
  is switched off, said in the same line; a portal login it had is closed as the portal closes one
  (`clientbase.portal.services.accounts.close_portal_account`: inactive, unusable password, its
  username freed as `closed-portal-login-<id>`), so the contact that kept the address can be given
  one. Granting portal access again re-opens the same login;
- its version goes up by one (a form or API client holding the old one is told it changed) and
  the change is recorded in its history, with its location links, as the services record one.

What moved is printed (contact ids and addresses), only when something did. Reversing this
migration changes nothing: the notes keep every moved address."""

from __future__ import annotations

import sys

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.db.models import Count, Min
from django.db.models.functions import Lower
from django.utils import timezone

# The history entry's reason (at most 100 characters: HistoricalContact.history_change_reason).
REASON = "E-mail address moved to the notes: another contact of the same customer has it."


def _whose(customer_id: int | None) -> str:
    return "of this customer" if customer_id is not None else "without a customer"


def _note(contact, holder, *, portal_off: bool, login_closed: bool) -> str:
    """The line added to the notes of `contact`, whose address `holder` keeps."""
    holder_name = " ".join(part for part in (holder.first_name, holder.last_name) if part)
    line = (
        f"E-mail address {contact.email} moved here from the e-mail field: another contact "
        f"{_whose(contact.customer_id)}, {holder_name} (id {holder.pk}), has it."
    )
    if portal_off:
        line += " Portal access was switched off, since it needs an e-mail address"
        line += "; the portal login was closed." if login_closed else "."
    return line


def _close_login(user_model, user_id: int | None, alias: str) -> bool:
    """Close the open portal login `user_id` (never a staff user's); whether one was closed."""
    if user_id is None:
        return False
    user = user_model.objects.using(alias).filter(pk=user_id).first()
    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return False
    user.is_active = False
    user.password = make_password(None)
    user.username = f"closed-portal-login-{user.pk}"
    user.save(update_fields=["is_active", "password", "username"])
    return True


def _record_history(apps, contact, alias: str, now) -> None:
    """One history entry of `contact` as it now is, with its location links (what
    `clientbase.history.one_record` writes for a change made through the services)."""
    history_model = apps.get_model("contacts", "HistoricalContact")
    link_history_model = apps.get_model("contacts", "HistoricalContactLocation")
    link_model = apps.get_model("contacts", "ContactLocation")
    stored = {field.attname for field in contact._meta.concrete_fields}
    values = {
        field.attname: getattr(contact, field.attname)
        for field in history_model._meta.concrete_fields
        if field.attname in stored
    }
    record = history_model.objects.using(alias).create(
        **values,
        history_date=now,
        history_type="~",
        history_change_reason=REASON,
        history_user_id=None,
    )
    link_history_model.objects.using(alias).bulk_create(
        link_history_model(
            id=link.pk, history=record, contact_id=link.contact_id, location_id=link.location_id
        )
        for link in link_model.objects.using(alias).filter(contact_id=contact.pk)
    )


def move_repeated_emails(apps, schema_editor) -> None:
    contact_model = apps.get_model("contacts", "Contact")
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    alias = schema_editor.connection.alias
    contacts = contact_model.objects.using(alias).exclude(email="").annotate(email_key=Lower("email"))
    # Compared as the unique indexes will compare them: LOWER(email), in the database.
    repeated = (
        contacts.values("customer_id", "email_key")
        .annotate(count=Count("id"), first=Min("id"))
        .filter(count__gt=1)
        .order_by("first")
    )
    now = timezone.now()
    moved: list[str] = []
    for group in repeated:
        holder = contact_model.objects.using(alias).get(pk=group["first"])
        others = (
            contacts.filter(customer_id=group["customer_id"], email_key=group["email_key"])
            .exclude(pk=holder.pk)
            .order_by("id")
        )
        for contact in others:
            portal_off = contact.portal_enabled
            login_closed = portal_off and _close_login(user_model, contact.user_id, alias)
            note = _note(contact, holder, portal_off=portal_off, login_closed=login_closed)
            moved.append(
                f"  contact {contact.pk}: {contact.email} (kept by contact {holder.pk})"
                + ("; portal access switched off" if portal_off else "")
            )
            separator = "\n" if contact.notes and not contact.notes.endswith("\n") else ""
            contact.notes = f"{contact.notes}{separator}{note}"
            contact.email = ""
            contact.email_status = "unverified"
            contact.last_verified_at = None
            contact.portal_enabled = False
            contact.version += 1
            contact.updated_at = now
            contact.save(
                update_fields=[
                    "notes",
                    "email",
                    "email_status",
                    "last_verified_at",
                    "portal_enabled",
                    "version",
                    "updated_at",
                ]
            )
            _record_history(apps, contact, alias, now)
    if moved:
        sys.stdout.write(
            "\nE-mail addresses stored twice within a customer (or among the contacts without one): "
            "the contact with the lowest id keeps each, and it moved to the notes of these "
            "contacts:\n" + "\n".join(moved) + "\n"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_phone_extensions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(move_repeated_emails, migrations.RunPython.noop, elidable=True)]
