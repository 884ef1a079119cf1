"""Who may do what. Every page, endpoint, import, export, search and command asks here.

Three questions, one policy:
- `restrict(user, queryset, action)`: only the rows `user` may `action` (the scope every surface
  starts from);
- `fetch(user, queryset, pk, action)`: one object, `NotFound` when missing *or* out of scope;
- `require(user, action, obj)`: `Forbidden` when the object is visible but the action is not allowed.

Staff users act through Django permissions (granted by the groups of `clientbase.groups`) and see
every customer. A portal user (a non-staff user linked to a contact) sees only its own customer,
and its capabilities come from the contact's portal permissions while its access is current.

The rules themselves are per-model `Policy` objects that each app registers from its
`AppConfig.ready()` (`register`); this module imports no app. A policy says how the model reaches
its customer, which Django permissions staff need for each action, what every portal user, each
portal capability and each portal role allows, which rows an action is limited to (`RowRule`), and
who may change which fields (`FieldRule`, asked by `require_fields` in the services and by
`locked_fields` in the forms). `policies()` enumerates them, e.g. to generate a permission matrix.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.utils import formats, timezone

from clientbase.errors import FieldForbidden, Forbidden, NotFound, ValidationFailed
from clientbase.vocabulary import PortalCapability

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from clientbase.contacts.models import Contact

    UserLike = AbstractUser | AnonymousUser

M = TypeVar("M", bound=Model)

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
# Changing only the notes of a contact (technicians may do this and nothing else).
CHANGE_NOTES = "change_notes"
# Figures summed over a customer's objects (the portal's reports page), not the objects themselves.
REPORT = "report"
# Granting, changing or ending a contact's portal access (its `portal` field, invitations).
MANAGE_PORTAL = "manage_portal"
# Giving or taking approval authority: the `approver` role and the `approval_limit`.
SET_APPROVAL_AUTHORITY = "set_approval_authority"
# Setting a contact's `external_id` (the customer's own key for it, matched by imports).
SET_EXTERNAL_ID = "set_external_id"
# Moving a contact to another customer (the only way its customer changes).
MOVE = "move"
# Confirming that a contact's details are current (technicians at each service visit).
CONFIRM_DETAILS = "confirm_details"
STANDARD_ACTIONS = (VIEW, ADD, CHANGE, DELETE)
MAINTAIN_CUSTOMER_CONTACTS = "contacts.maintain_customer_contacts"
# Reading what a queued or sent mail says (its body and the facts it shows), not only its envelope.

# The kinds of actor a policy speaks of.
STAFF, PORTAL, ANONYMOUS = "staff", "portal", "anonymous"
# The portal capability that holds every other one (and what policies grant to "admin" alone).
ADMIN_CAPABILITY = PortalCapability.ADMIN

# Staff permissions of an action: any one of the alternatives, each a set of Django permissions
# ("app_label.codename") that must all be held.
Permissions = tuple[tuple[str, ...], ...]


def any_of(*alternatives: str | tuple[str, ...]) -> Permissions:
    """`any_of("a.x", ("a.y", "a.z"))`: holding a.x, or both a.y and a.z."""
    return tuple((item,) if isinstance(item, str) else tuple(item) for item in alternatives)


def all_of(*permissions: str) -> Permissions:
    return (tuple(permissions),)


def _always(obj: Any) -> bool:
    return True


def _differs(stored: Any, given: Any) -> bool:
    return bool(stored != given)


@dataclass(frozen=True)
class RowRule:
    """Limits `actions` of `actors` (STAFF, PORTAL) to the rows `rows(actor_contact)` selects
    (`actor_contact` is the portal user's contact, None for staff); a staff user holding
    `unless_permission` is not limited. `refusal` says why an object outside the rows is refused."""

    actions: frozenset[str]
    actors: frozenset[str]
    rows: Callable[[Any], Q]
    refusal: str
    unless_permission: str = ""


@dataclass(frozen=True)
class FieldRule:
    """Changing `field` (its name in API bodies and service data) needs `action` on the object
    (for a new object: on the model). `stored(obj)` is the object's value (obj None: a new
    object's); `differs(stored, given)` decides whether a given value changes what the rule is
    about (sending the stored value back is no change). With `only_through`, no update changes the
    field at all (a ValidationFailed naming it); only that action (e.g. MOVE) does. `reason` is
    told to whoever is refused."""

    field: str
    action: str
    reason: str
    stored: Callable[[Any], Any]
    differs: Callable[[Any, Any], bool] = _differs
    only_through: str = ""
    # Whether the rule concerns this object at all (None: a new object); e.g. only approvers'
    # e-mail addresses are approval authority.
    applies: Callable[[Any], bool] = _always
    # The label ("app_label.modelname") of another model whose `action` the rule asks for, instead
    # of the object's own: opting a contact into invoice mails needs the right to view invoices.
    on: str = ""
    # Whom the rule binds (STAFF, PORTAL); others pass it.
    actors: frozenset[str] = frozenset({STAFF, PORTAL})


@dataclass(frozen=True)
class Policy:
    """Who may do what to one model ("app_label.modelname", lower case).

    - `customer_path`: the lookup from the model to its customer's id (portal users see only
      their customer's rows; None: portal users see none);
    - `actions`: every action the policy speaks of (the standard four and its own);
    - `staff`: the permissions an action needs (default: Django's `app.<action>_<model>`);
    - `portal_everyone`, `portal_capabilities`, `portal_roles`: what every portal user with current
      access, the holders of a capability (`admin` holds every capability) and the contacts with a
      role (`approver`) may do; `portal_hidden`: rows portal users never see (drafts);
    - `anonymous`: what a visitor who is not signed in may do (nothing, for every model today);
    - `rows`: per-action limits on the rows; `fields`: who may change which fields;
    - `staff_only_fields`: fields portal users never read (the service provider's own notes)."""

    model: str
    customer_path: str | None = None
    actions: tuple[str, ...] = STANDARD_ACTIONS
    staff: Mapping[str, Permissions] = field(default_factory=dict)
    portal_everyone: frozenset[str] = frozenset()
    portal_capabilities: Mapping[str, frozenset[str]] = field(default_factory=dict)
    portal_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    portal_hidden: Q | None = None
    anonymous: frozenset[str] = frozenset()
    rows: tuple[RowRule, ...] = ()
    fields: tuple[FieldRule, ...] = ()
    staff_only_fields: tuple[str, ...] = ()

    def staff_permissions(self, action: str) -> Permissions:
        """What a staff user needs to do `action` (any alternative, each held entirely)."""
        return self.staff.get(action) or _default_permissions(self.model, action)

    def portal_grants(self) -> dict[str, frozenset[str]]:
        """{"everyone" | "capability:<name>" | "role:<name>": actions}, for enumeration."""
        grants = {"everyone": self.portal_everyone}
        grants.update({f"capability:{name}": acts for name, acts in self.portal_capabilities.items()})
        grants.update({f"role:{name}": acts for name, acts in self.portal_roles.items()})
        return grants


_POLICIES: dict[str, Policy] = {}


def register(*policies: Policy) -> None:
    """Register the policies of an app's models (from its AppConfig.ready()); registering a model
    again replaces its policy."""
    for policy in policies:
        unknown = {rule.action for rule in policy.fields} - set(policy.actions)
        assert not unknown, f"{policy.model}: field rules need undeclared actions {sorted(unknown)}"
        _POLICIES[policy.model] = policy
    _capability_names.cache_clear()


def policies() -> tuple[Policy, ...]:
    """Every registered policy, by model label: for each, its actions (`actions`), the staff
    permissions of each (`staff_permissions(action)`), the portal grants (`portal_grants()`), the
    row rules (`rows`) and the field rules (`fields`)."""
    return tuple(_POLICIES[label] for label in sorted(_POLICIES))


def policy_for(model: type[Model] | str) -> Policy | None:
    return _POLICIES.get(model if isinstance(model, str) else _label(model))


@functools.cache
def _capability_names() -> frozenset[str]:
    return frozenset(
        name
        for policy in _POLICIES.values()
        for name in policy.portal_capabilities
        if name != ADMIN_CAPABILITY
    )


def portal_capability_names() -> frozenset[str]:
    """The portal capabilities the policies speak of (`admin` aside, which holds them all)."""
    return _capability_names()


def _default_permissions(label: str, action: str) -> Permissions:
    app_label, model_name = label.split(".")
    return ((f"{app_label}.{action}_{model_name}",),)


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def is_staff(user: Any) -> bool:
    """Whether `user` is of the service provider's staff (a staff user or a superuser, whatever
    its permissions); every other signed-in user is a portal user. The one rule every surface asks
    (a User record of a history entry counts as signed in)."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or user.is_superuser))


def portal_contact(user: UserLike) -> Contact | None:
    """The contact behind a portal user, or None for staff and anonymous users."""
    if not user.is_authenticated or is_staff(user):
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


CONTACT_US = "Please contact us if you think this is a mistake."


def _portal_date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def access_refusal(contact: Contact | None, today: datetime.date | None = None) -> str:
    """Why `contact` cannot use the portal today, in words for the contact ('' when it can): the
    reason of the first check of `portal_access_is_current` that fails. "Today" is the date in
    the configured TIME_ZONE (setting `TIME_ZONE`, environment variable of the same name): support
    starts at the beginning of `support_start` and ends at the end of `support_end` there. Said
    by the portal's sign-in, the end of a portal session and the API's token sign-in."""
    today = today or timezone.localdate()
    if contact is None or contact.customer_id is None:
        return f"This login is not linked to a customer contact any more. {CONTACT_US}"
    if not contact.portal_enabled:
        return f"Your portal access has been switched off. {CONTACT_US}"
    if contact.status != "active":
        return f"Your contact record is inactive, so you cannot use the portal. {CONTACT_US}"
    if contact.support_start and today < contact.support_start:
        return (
            f"Your portal access starts on {_portal_date(contact.support_start)}; "
            "you can sign in from that day."
        )
    if contact.support_end and today > contact.support_end:
        return (
            f"Your portal access ended on {_portal_date(contact.support_end)}, when your support "
            "period ended. Please contact us to renew it."
        )
    return ""


def portal_capabilities(contact: Contact) -> set[str]:
    """The capabilities a portal contact holds (`admin` holds every one; `admin` itself is not
    among them: `is_portal_admin` in the portal app asks for it)."""
    names = portal_capability_names()
    granted = set(contact.portal_permissions or [])
    if ADMIN_CAPABILITY in granted:
        return set(names)
    return granted & names


def _portal_actions(policy: Policy, contact: Contact) -> set[str]:
    """What `contact` (a portal user with current access) may do to the model of `policy`."""
    allowed = set(policy.portal_everyone)
    held = portal_capabilities(contact)
    if ADMIN_CAPABILITY in (contact.portal_permissions or []):
        held.add(ADMIN_CAPABILITY)
    for capability, actions in policy.portal_capabilities.items():
        if capability in held:
            allowed |= actions
    for role, actions in policy.portal_roles.items():
        if getattr(contact, f"role_{role}", False):
            allowed |= actions
    return allowed


def _holds(user: UserLike, permissions: Permissions) -> bool:
    return any(all(user.has_perm(name) for name in alternative) for alternative in permissions)


# The decisions of `can` taken in a `remembering()` block: {(id(user), action, model): (user,
# answer)} (the user is held so that its id stays its own); None outside any block.
_REMEMBERED: ContextVar[dict[tuple[int, str, type[Model]], tuple[Any, bool]] | None] = ContextVar(
    "clientbase_access_remembered", default=None
)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block, `can(user, action, model)` is decided once per user object, action and
    model, then remembered: the API wraps each request that reads in one (its scope, its object,
    each row and field of its answer ask the same questions). Not for a block that changes what a
    decision reads (permissions, portal access): a decision taken before the change would stand.
    A block inside another shares the outer block's decisions."""
    if _REMEMBERED.get() is not None:
        yield
        return
    token = _REMEMBERED.set({})
    try:
        yield
    finally:
        _REMEMBERED.reset(token)


def can(user: UserLike, action: str, model: type[Model]) -> bool:
    """May `user` do `action` to some objects of `model` at all (before scope)? Decided once per
    `remembering()` block."""
    remembered = _REMEMBERED.get()
    if remembered is None:
        return _decide(user, action, model)
    key = (id(user), action, model)
    found = remembered.get(key)
    if found is None:
        found = remembered[key] = (user, _decide(user, action, model))
    return found[1]


def _decide(user: UserLike, action: str, model: type[Model]) -> bool:
    """`can`, decided now: the policy's anonymous actions, a portal user's grants while its access
    is current, a staff user's Django permissions."""
    label = _label(model)
    policy = _POLICIES.get(label)
    if not user.is_authenticated:
        return policy is not None and action in policy.anonymous
    if not user.is_active:
        return False
    contact = portal_contact(user)
    if contact is not None:
        if policy is None or not portal_access_is_current(contact):
            return False
        return action in _portal_actions(policy, contact)
    if not is_staff(user):
        return False
    permissions = policy.staff_permissions(action) if policy else _default_permissions(label, action)
    return _holds(user, permissions)


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
    policy = _POLICIES.get(_label(model))
    contact = portal_contact(user)
    if contact is not None:
        if policy is None or policy.customer_path is None:
            return queryset.none()
        queryset = queryset.filter(**{policy.customer_path: contact.customer_id})
        if policy.portal_hidden is not None:
            queryset = queryset.exclude(policy.portal_hidden)
    for rule in _row_rules(user, action, policy, contact):
        queryset = queryset.filter(rule.rows(contact))
    return queryset


def _row_rules(user: UserLike, action: str, policy: Policy | None, contact: Contact | None) -> list[RowRule]:
    """The row rules that limit `user` doing `action` (no query: permissions are cached)."""
    if policy is None or not policy.rows:
        return []
    actor = PORTAL if contact is not None else STAFF
    return [
        rule
        for rule in policy.rows
        if action in rule.actions
        and actor in rule.actors
        and not (rule.unless_permission and user.has_perm(rule.unless_permission))
    ]


def hidden_fields(user: UserLike, model: type[Model]) -> frozenset[str]:
    """The fields of `model` that `user` never reads (answers, exports): a policy's
    `staff_only_fields` for portal users, nothing for staff."""
    policy = policy_for(model)
    if policy is None or portal_contact(user) is None:
        return frozenset()
    return frozenset(policy.staff_only_fields)


def allowed(user: UserLike, action: str, obj: Model) -> bool:
    """May `user` do `action` to this object? Staff whom no row rule limits in `action` may do it
    to every row their permission covers: the answer costs no query. Portal users and row-limited
    staff are asked of the row (one query)."""
    model = type(obj)
    permitted = can(user, action, model)
    if obj.pk is None or not permitted:
        return permitted
    if not rows_limited(user, model, action):
        return True
    return restrict(user, model._default_manager.filter(pk=obj.pk), action).exists()


def rows_limited(user: UserLike, model: type[Model], action: str = VIEW) -> bool:
    """Whether `restrict` may leave out some rows of `model` that `user`'s permission for `action`
    covers: always for portal users (their own customer's rows only), for staff when a row rule of
    the model's policy applies to them (no query: permissions are cached)."""
    if portal_contact(user) is not None:
        return True
    return bool(_row_rules(user, action, _POLICIES.get(_label(model)), None))


def require(user: UserLike, action: str, obj: Model) -> None:
    """Forbidden unless `user` may do `action` to `obj` (an object the caller already sees)."""
    if not allowed(user, action, obj):
        raise Forbidden(_refusal(user, action, obj))


def require_model(user: UserLike, action: str, model: type[Model]) -> None:
    """Forbidden unless `user` may do `action` to objects of `model` at all."""
    if not can(user, action, model):
        raise Forbidden(f"You may not {_verb(action)} {model._meta.verbose_name_plural}.")


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


# What an action is called in a refusal: "You may not <verb> this contact."
VERBS = {
    CHANGE_NOTES: "change the notes of",
    REPORT: "see the figures of",
    MANAGE_PORTAL: "manage the portal access of",
    SET_APPROVAL_AUTHORITY: "set the approval authority of",
    SET_EXTERNAL_ID: "set the external ID of",
    CONFIRM_DETAILS: "confirm the details of",
}


def _verb(action: str) -> str:
    return VERBS.get(action, action.replace("_", " "))


def _refusal(user: UserLike, action: str, obj: Model) -> str:
    """Why `user` may not `action` this object: the row rule that leaves it out, if any."""
    model = type(obj)
    contact = portal_contact(user)
    if obj.pk is not None and can(user, action, model):
        for rule in _row_rules(user, action, _POLICIES.get(_label(model)), contact):
            if not model._default_manager.filter(pk=obj.pk).filter(rule.rows(contact)).exists():
                return rule.refusal
    return f"You may not {_verb(action)} this {model._meta.verbose_name}."


# Fields -----------------------------------------------------------------------------------------


def _target(target: Model | type[Model]) -> tuple[Model | None, type[Model]]:
    """(the stored object or None for a new one, its model)."""
    if isinstance(target, type):
        return None, target
    return (target if target.pk is not None else None), type(target)


def _may(user: UserLike, action: str, obj: Model | None, model: type[Model]) -> bool:
    """`allowed`, without a query where none is needed: for a new object, and for staff whom no
    row rule limits (staff see every customer)."""
    if obj is None:
        return can(user, action, model)
    contact = portal_contact(user)
    if contact is None and not _row_rules(user, action, _POLICIES.get(_label(model)), None):
        return can(user, action, model)
    return allowed(user, action, obj)


def _may_rule(user: UserLike, rule: FieldRule, obj: Model | None, model: type[Model]) -> bool:
    """May `user` do what `rule` asks: its action on the object, or on the model it names (`on`)."""
    if rule.on:
        return can(user, rule.action, apps.get_model(rule.on))
    return _may(user, rule.action, obj, model)


def _field_refusal(user: UserLike, rule: FieldRule, obj: Model | None, model: type[Model]) -> str:
    reason = rule.reason
    if obj is not None and not rule.on and can(user, rule.action, model):
        refusal = _refusal(user, rule.action, obj)  # a row rule leaves this object out
        reason = refusal[:1].lower() + refusal[1:]
    return f"You may not change “{rule.field}”: {reason}"


def require_fields(user: UserLike, target: Model | type[Model], changes: Mapping[str, Any]) -> None:
    """Refuse a change of a field that `user` may not change on `target` (a stored object, or the
    model for a new object, whose values are then the defaults): FieldForbidden naming the field (its
    policy's `FieldRule`), or ValidationFailed naming a field that only an action changes
    (`FieldRule.only_through`). A value equal to the stored one is no change. `changes` holds
    values as the services take them (API field names). No query unless a protected field
    changes, then at most one per action the rules name."""
    obj, model = _target(target)
    policy = _POLICIES.get(_label(model))
    if policy is None:
        return
    needed: dict[tuple[str, str], FieldRule] = {}
    kind = PORTAL if portal_contact(user) is not None else STAFF
    for rule in policy.fields:
        if rule.field not in changes or (rule.only_through and obj is None) or not rule.applies(obj):
            continue
        if kind not in rule.actors:
            continue
        if not rule.differs(rule.stored(obj), changes[rule.field]):
            continue
        if rule.only_through:
            raise ValidationFailed({rule.field: [rule.reason]})
        needed.setdefault((rule.action, rule.on), rule)
    for rule in needed.values():
        if not _may_rule(user, rule, obj, model):
            raise FieldForbidden(rule.field, _field_refusal(user, rule, obj, model))


def locked_fields(user: UserLike, target: Model | type[Model]) -> dict[str, str]:
    """{field: why} for every field of `target`'s policy that `user` may not change (on a stored
    object, or on a new one when `target` is the model): what a form disables. At most one query
    per action the rules name."""
    obj, model = _target(target)
    policy = _POLICIES.get(_label(model))
    if policy is None:
        return {}
    decided: dict[tuple[str, str], bool] = {}
    locked: dict[str, str] = {}
    kind = PORTAL if portal_contact(user) is not None else STAFF
    for rule in policy.fields:
        if kind not in rule.actors or not rule.applies(obj):
            continue
        if rule.only_through:
            if obj is not None:
                locked[rule.field] = rule.reason
            continue
        key = (rule.action, rule.on)
        if key not in decided:
            decided[key] = _may_rule(user, rule, obj, model)
        if not decided[key]:
            locked[rule.field] = _field_refusal(user, rule, obj, model)
    return locked
