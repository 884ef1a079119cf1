"""Every read of contacts beyond `.get()`: search, the contacts of a location, history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from clientbase import access, history
from clientbase.contacts.models import Contact, ContactLocation
from clientbase.customers.models import Location
from clientbase.keyset import Tier, tiered
from clientbase.phones import search_digits
from clientbase.search import anywhere, folded_prefix, folded_words, is_short
from clientbase.text import starts_with

TABLE = Contact._meta.db_table


def contacts_with_relations(queryset: QuerySet[Contact]) -> QuerySet[Contact]:
    """What the API and pages show of each contact, in a constant number of queries."""
    return queryset.select_related("customer").prefetch_related("locations")


def primary_contact_id() -> Subquery:
    """The id of a customer's primary contact, or null: an expression for annotating customers (by
    their `OuterRef("pk")`), which the customer API answers as `primary_contact`."""
    return Subquery(Contact.objects.filter(customer=OuterRef("pk"), is_primary=True).values("pk")[:1])


def search_contacts(queryset: QuerySet[Contact], text: str) -> QuerySet[Contact]:
    """Contacts matching `text`, compared folded (`clientbase.text.fold`: accents, case in every
    script, apostrophes and umlaut spellings aside), in tiers (`clientbase.search`): those whose
    name begins with it, last name first (`Martin, Mike` for "mar"), then first name first; then,
    for 3 characters or more, those holding every word of it anywhere in their name, e-mail, title,
    department or customer's name (`search_document`), by id; a phone number in any format
    (`clientbase.phones.search_digits`) is looked for among the phones' digits instead. Paged by
    `clientbase.keyset.Keyset` (the API's `?cursor=`, the pages' lists, `first_rows`)."""
    text = " ".join(text.split())
    if not text:
        return queryset
    folded = folded_prefix(text)
    tiers = []
    if folded:
        tiers += [
            Tier(starts_with("folded_last_first", folded), ("folded_last_first", "id")),
            Tier(starts_with("folded_first_last", folded), ("folded_first_last", "id")),
        ]
    digits = search_digits(text)
    if digits is not None:
        tiers.append(anywhere(TABLE, [digits], "phone_digits"))
    elif not is_short(text):
        tiers.append(anywhere(TABLE, folded_words(text)))
    if not tiers:  # nothing but quote marks
        return queryset.none()
    return tiered(queryset, tiers)


def contacts_for_location(queryset: QuerySet[Contact], location: Location) -> QuerySet[Contact]:
    """The contacts of `location`: those linked to it, and the customer-level contacts of its
    customer (linked to no location)."""
    linked = ContactLocation.objects.filter(contact=OuterRef("pk"), location=location)
    any_link = ContactLocation.objects.filter(contact=OuterRef("pk"))
    return queryset.filter(customer_id=location.customer_id).filter(Q(Exists(linked)) | ~Q(Exists(any_link)))


# Who made a change, as a portal user is told when staff made it: staff usernames stay inside.
STAFF_ACTOR = "Service provider staff"
PORTAL_ACTOR = "A portal user"


def history_actor(user: Any, viewer: Any = None) -> str | None:
    """Who made a recorded change, for `viewer`: staff see usernames; a portal user sees
    "Service provider staff" for any staff user, and a portal user of its own customer by its
    contact's name (another portal login as "A portal user")."""
    if user is None:
        return None
    if viewer is None or not viewer.is_authenticated or access.is_staff(viewer):
        return str(user.get_username())
    if access.is_staff(user):
        return STAFF_ACTOR
    own = getattr(viewer, "contact", None)
    actor = Contact.objects.filter(user=user).only("first_name", "last_name", "customer_id").first()
    if own is not None and actor is not None and actor.customer_id == own.customer_id:
        return actor.full_name
    return PORTAL_ACTOR


def contact_history(contact_id: int, *, viewer: Any = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Each recorded change of a contact, newest first, at most `limit`
    (`clientbase.history.entries`). `user` is
    who made it as `viewer` may know it (`history_actor`: staff usernames only for staff). A
    portal viewer sees only the records made while the contact belonged to its own customer: what a
    contact moved from another customer was there stays that customer's."""
    records = Contact.history.filter(id=contact_id)
    scope = access.customer_scope(viewer) if viewer is not None else None
    if scope is not None:
        records = records.filter(customer_id=scope)
    return history.entries(Contact, records, limit=limit, actor=lambda user: history_actor(user, viewer))


def contacts_for_location_by_role(queryset: QuerySet[Contact], location: Location) -> QuerySet[Contact]:
    """The contacts of `location` (`contacts_for_location`) with the emergency contacts first, then
    the site contacts, then the rest; each annotated `at_location` (True: linked to this location,
    False: a customer-level contact)."""
    linked = ContactLocation.objects.filter(contact=OuterRef("pk"), location=location)
    order = Case(
        When(role_emergency=True, then=Value(0)),
        When(role_site=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        contacts_for_location(queryset, location)
        .annotate(at_location=Exists(linked), role_order=order)
        .order_by("role_order", "-is_primary", "last_name", "first_name", "id")
    )


@dataclass(frozen=True)
class ContactReference:
    """Something that refers to a contact, and what deleting the contact does to it."""

    label: str
    count: int
    consequence: str
    names: tuple[str, ...] = ()


# Functions answering the references of a contact that the generic reverse-relation scan below
# cannot describe; an app may append its own.
ContactReferenceSource = Callable[[Contact], list[ContactReference]]
CONTACT_REFERENCE_SOURCES: list[ContactReferenceSource] = []

_NAMES_SHOWN = 10


def _own_references(contact: Contact) -> list[ContactReference]:
    references = []
    if contact.is_primary and contact.customer is not None:
        references.append(
            ContactReference(
                label=f"Primary contact of {contact.customer.name}",
                count=1,
                consequence="The customer will have no primary contact until you choose another.",
            )
        )
    reports = list(contact.direct_reports.order_by("last_name", "first_name", "id")[: _NAMES_SHOWN + 1])
    if reports:
        count = contact.direct_reports.count() if len(reports) > _NAMES_SHOWN else len(reports)
        references.append(
            ContactReference(
                label="Direct reports",
                count=count,
                consequence="They stay, without a line manager.",
                names=tuple(report.full_name for report in reports[:_NAMES_SHOWN]),
            )
        )
    locations = list(contact.locations.order_by("name", "id")[: _NAMES_SHOWN + 1])
    if locations:
        count = contact.locations.count() if len(locations) > _NAMES_SHOWN else len(locations)
        references.append(
            ContactReference(
                label="Location links",
                count=count,
                consequence="The links are removed; the locations stay.",
                names=tuple(location.name for location in locations[:_NAMES_SHOWN]),
            )
        )
    if contact.portal_enabled or contact.user_id is not None:
        references.append(
            ContactReference(
                label="Customer portal access",
                count=1,
                consequence="The contact can no longer sign in to the portal.",
            )
        )
    return references


def _related_references(contact: Contact) -> list[ContactReference]:
    """Every other model holding a foreign key to Contact (work orders, quotes, messages, ... as
    apps add them), counted, with what its `on_delete` does to those rows."""
    own = {ContactLocation, Contact}
    references = []
    for relation in Contact._meta.related_objects:
        model = cast(type[models.Model], relation.related_model)
        if model in own or not (relation.one_to_many or relation.one_to_one):
            continue
        field = relation.field
        count = model._default_manager.filter(**{field.name: contact}).count()
        if not count:
            continue
        on_delete = getattr(relation, "on_delete", None)
        if on_delete is models.SET_NULL:
            consequence = "They stay and keep the contact's name; their link to the contact is cleared."
        elif on_delete is models.CASCADE:
            consequence = "They are deleted with the contact."
        elif on_delete in (models.PROTECT, models.RESTRICT):
            consequence = "They prevent the deletion: change them first."
        else:
            consequence = "They stay."
        references.append(
            ContactReference(
                label=f"{str(model._meta.verbose_name_plural).capitalize()} ({field.verbose_name})",
                count=count,
                consequence=consequence,
            )
        )
    return references


def contact_references(contact: Contact) -> list[ContactReference]:
    """What refers to `contact`, for the delete confirmation: its primary-contact status, direct
    reports, location links and portal access, then every other model that points at contacts,
    then whatever `CONTACT_REFERENCE_SOURCES` adds. Each with the number of rows and what deleting
    the contact does to them."""
    references = _own_references(contact) + _related_references(contact)
    for source in CONTACT_REFERENCE_SOURCES:
        references.extend(source(contact))
    return references
