"""Who may do what. Every page, endpoint, import, export, search and command asks here.

Three questions, one policy:
- `restrict(user, queryset, action)`: only the rows `user` may `action` (the scope every surface
  starts from);
- `fetch(user, queryset, pk, action)`: one object, `NotFound` when missing *or* out of scope;
- `require(user, action, obj)`: `Forbidden` when the object is visible but the action is not allowed.

Staff users act through Django permissions (granted by the groups of `clientbase.groups`) and see
every customer. A portal user (a non-staff user linked to a contact) sees only its own customer,
and its capabilities come from the contact's portal permissions while its access is current.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from clientbase.errors import Forbidden, NotFound

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from clientbase.contacts.models import Contact

    UserLike = AbstractUser | AnonymousUser

M = TypeVar("M", bound=Model)

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
# Changing only the notes of a contact (technicians may do this and nothing else).
CHANGE_NOTES = "change_notes"
MAINTAIN_CUSTOMER_CONTACTS = "contacts.maintain_customer_contacts"

# How each scoped model reaches its customer; a model missing here is not scoped by customer.
CUSTOMER_PATHS: dict[str, str] = {
    "customers.customer": "id",
    "customers.location": "customer_id",
    "customers.asset": "location__customer_id",
    "customers.assetpart": "asset__location__customer_id",
    "contacts.contact": "customer_id",
    "contacts.contactlocation": "contact__customer_id",
    "workorders.workorder": "customer_id",
    "workorders.quote": "customer_id",
    "workorders.invoice": "customer_id",
    "notifications.message": "customer_id",
    "notifications.activity": "customer_id",
}

# What each portal capability allows, per model. Every active portal user may view its customer
# and the customer's locations and assets.
PORTAL_BASE: dict[str, set[str]] = {
    "customers.customer": {VIEW},
    "customers.location": {VIEW},
    "customers.asset": {VIEW},
    "customers.assetpart": {VIEW},
}
PORTAL_CAPABILITIES: dict[str, dict[str, set[str]]] = {
    "edit_contacts": {"contacts.contact": {VIEW, ADD, CHANGE, CHANGE_NOTES, DELETE}},
    "billing": {"workorders.invoice": {VIEW}},
    "reports": {"workorders.workorder": {VIEW}, "workorders.invoice": {VIEW}},
    # An approver contact's right to approve quotes is decided by workorders.services.approve_quote.
    "create_work_order": {"workorders.workorder": {VIEW, ADD}},
}
# Not a capability but the `approver` role: such a portal contact sees its customer's quotes (the
# portal's quotes page); whether it may approve one is workorders.services.approve_quote's call.
PORTAL_APPROVER: dict[str, set[str]] = {"workorders.quote": {VIEW}}


# What portal users never see of their own customer: documents still being prepared.
PORTAL_HIDDEN: dict[str, Q] = {
    "workorders.quote": Q(status="draft"),
    "workorders.invoice": Q(status="draft"),
}


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def portal_contact(user: UserLike) -> Contact | None:
    """The contact behind a portal user, or None for staff and anonymous users."""
    if not user.is_authenticated or user.is_staff or user.is_superuser:
        return None
    try:
        contact: Contact | None = getattr(user, "contact", None)
    except ObjectDoesNotExist:  # a user with no contact
        return None
    return contact


def portal_access_is_current(contact: Contact, today: datetime.date | None = None) -> bool:
    """Portal access is on, the contact active, and today within the support dates."""
    today = today or timezone.localdate()
    if not contact.portal_enabled or contact.status != "active" or contact.customer_id is None:
        return False
    if contact.support_start and today < contact.support_start:
        return False
    return not (contact.support_end and today > contact.support_end)


def portal_capabilities(contact: Contact) -> set[str]:
    granted = set(contact.portal_permissions or [])
    if "admin" in granted:
        return set(PORTAL_CAPABILITIES)
    return granted & set(PORTAL_CAPABILITIES)


def can(user: UserLike, action: str, model: type[Model]) -> bool:
    """May `user` do `action` to some objects of `model` at all (before scope)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    label = _label(model)
    contact = portal_contact(user)
    if contact is not None:
        if not portal_access_is_current(contact):
            return False
        allowed = set(PORTAL_BASE.get(label, set()))
        for capability in portal_capabilities(contact):
            allowed |= PORTAL_CAPABILITIES[capability].get(label, set())
        if contact.role_approver:
            allowed |= PORTAL_APPROVER.get(label, set())
        return action in allowed
    if not user.is_staff and not user.is_superuser:
        return False
    app_label, model_name = label.split(".")
    if action == CHANGE_NOTES:
        return user.has_perm(f"{app_label}.change_{model_name}") or user.has_perm(
            f"{app_label}.change_contact_notes"
        )
    return user.has_perm(f"{app_label}.{action}_{model_name}")


def may_maintain_customer_contacts(user: UserLike) -> bool:
    """Customer-level contacts (linked to no location) need this; location-level ones do not.
    Portal users with `edit_contacts` maintain all of their own customer's contacts."""
    if portal_contact(user) is not None:
        return True
    return bool(user.is_authenticated and user.has_perm(MAINTAIN_CUSTOMER_CONTACTS))


def customer_scope(user: UserLike) -> int | None:
    """The one customer a portal user is limited to; None when the user sees every customer."""
    contact = portal_contact(user)
    return contact.customer_id if contact is not None else None


def restrict(user: UserLike, queryset: QuerySet[M], action: str = VIEW) -> QuerySet[M]:
    """Only the rows of `queryset` that `user` may `action`."""
    model = queryset.model
    if not can(user, action, model):
        return queryset.none()
    label = _label(model)
    contact = portal_contact(user)
    if contact is not None:
        path = CUSTOMER_PATHS.get(label)
        if path is None:
            return queryset.none()
        queryset = queryset.filter(**{path: contact.customer_id})
        if label in PORTAL_HIDDEN:
            queryset = queryset.exclude(PORTAL_HIDDEN[label])
        if label == "contacts.contact" and action == DELETE:
            queryset = queryset.exclude(pk=contact.pk)
    if (
        label == "contacts.contact"
        and action in (CHANGE, DELETE)
        and not may_maintain_customer_contacts(user)
    ):
        queryset = queryset.filter(_location_level_contacts(model))
    return queryset


def _location_level_contacts(contact_model: type[Model]) -> Q:
    from clientbase.contacts.models import ContactLocation

    return Q(customer__isnull=True) | Q(Exists(ContactLocation.objects.filter(contact=OuterRef("pk"))))


def allowed(user: UserLike, action: str, obj: Model) -> bool:
    """May `user` do `action` to this object?"""
    if obj.pk is None:
        return can(user, action, type(obj))
    return restrict(user, type(obj)._default_manager.filter(pk=obj.pk), action).exists()


def require(user: UserLike, action: str, obj: Model) -> None:
    """Forbidden unless `user` may do `action` to `obj` (an object the caller already sees)."""
    if not allowed(user, action, obj):
        raise Forbidden(_refusal(user, action, obj))


def require_model(user: UserLike, action: str, model: type[Model]) -> None:
    """Forbidden unless `user` may do `action` to objects of `model` at all."""
    if not can(user, action, model):
        raise Forbidden(f"You may not {action.replace('_', ' ')} {model._meta.verbose_name_plural}.")


def require_customer_in_scope(user: UserLike, customer_id: int | None) -> None:
    """A portal user may only name its own customer; any other reads as not found."""
    scope = customer_scope(user)
    if scope is not None and customer_id != scope:
        raise NotFound("Customer not found.")


def require_contact_level(user: UserLike, *, customer_id: int | None, location_ids: list[int]) -> None:
    """Without `maintain_customer_contacts`, a customer's contact must stay linked to a location."""
    if customer_id is not None and not location_ids and not may_maintain_customer_contacts(user):
        raise Forbidden(
            "You may only maintain location-level contacts: link the contact to at least one "
            "location of the customer."
        )


def fetch(user: UserLike, queryset: QuerySet[M], pk: Any, action: str = VIEW) -> M:
    """The object `pk` of `queryset` if `user` may see it (NotFound otherwise, whether it is
    missing or out of scope); Forbidden when it is visible but `action` is not allowed."""
    if not can(user, VIEW, queryset.model) and not can(user, action, queryset.model):
        raise Forbidden(f"You may not view {queryset.model._meta.verbose_name_plural}.")
    try:
        obj = restrict(user, queryset, VIEW).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError) as error:
        raise NotFound(f"{str(queryset.model._meta.verbose_name).capitalize()} not found.") from error
    if action != VIEW:
        require(user, action, obj)
    return obj


def _refusal(user: UserLike, action: str, obj: Model) -> str:
    label = _label(type(obj))
    if label == "contacts.contact":
        contact = portal_contact(user)
        if action == DELETE and contact is not None and contact.pk == obj.pk:
            return "You cannot delete yourself."
        if can(user, action, type(obj)) and not may_maintain_customer_contacts(user):
            return "This is a customer-level contact; you may only maintain location-level contacts."
    verb = "change the notes of" if action == CHANGE_NOTES else action
    return f"You may not {verb} this {type(obj)._meta.verbose_name}."
