"""The base of every staff page.

One mixin translates service errors (`ServiceErrorMixin`, the page twin of
`clientbase.api.errors.exception_handler`); the base views ask `access` for everything: a list
starts from `access.restrict`, a single object comes from `access.fetch`, and the flags that show or
hide buttons come from `access.allowed` / `access.can`. The services still refuse what a page hides.

htmx: one view answers the whole page, or only its partial when htmx asks for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import (
    LoginView,
    PasswordChangeDoneView,
    PasswordChangeView,
    redirect_to_login,
)
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View

from clientbase import access, history, lockout
from clientbase.audit.events import record_refusal
from clientbase.errors import Conflict, Forbidden, NotFound, ServiceError, Stale, Throttled, ValidationFailed
from clientbase.keyset import BadCursor, Keyset, keyset_tiers

# Where htmx puts an error it cannot show in the element that asked (see base.html).
MESSAGES_TARGET = "#messages"


def is_staff(user: Any) -> bool:
    return access.is_staff(user) and user.is_active


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points into this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def wants_partial(request: HttpRequest) -> bool:
    """htmx asked for a part of the page (not a boosted link, not a restore of the history)."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        return False
    return not htmx.boosted and not htmx.history_restore_request


def message_response(request: HttpRequest, tags: str, text: str, status: int) -> HttpResponse:
    """For htmx: the message alone, swapped into the page's message area (base.html)."""
    response = render(
        request, "_messages.html", {"inline_messages": [{"tags": tags, "text": text}]}, status=status
    )
    response["HX-Retarget"] = MESSAGES_TARGET
    response["HX-Reswap"] = "innerHTML"
    return response


# Authentication -----------------------------------------------------------------------------------


class LockoutLoginMixin:
    """For Django's `AuthenticationForm` and its subclasses: every sign-in goes through the one
    lockout policy (`clientbase.lockout`): refused without a password check while the name or
    the client is locked out, and every refusal of the form counts as a failure."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password or self.request is None:
            return super().clean()  # type: ignore[misc]
        try:
            with lockout.attempt(self.request, username):
                return super().clean()  # type: ignore[misc]
        except lockout.LockedOut as locked:
            raise ValidationError(str(locked), code="locked") from locked


class _WrongPassword(Exception):
    pass


def confirm_current_password(request: HttpRequest, user: Any, password: str) -> None:
    """A signed-in user confirms a change of its password or sign-in address with its current
    password: checked through the one lockout policy as a sign-in of `user`'s name, so that a
    session (perhaps left open) that guesses is stopped as a guesser at a sign-in form is, and a
    locked-out name cannot be guessed here either. Raises ValidationError (code
    `password_incorrect`, or `locked` while locked out)."""
    contact = access.portal_contact(user)
    name = contact.email if contact is not None else user.get_username()  # the name signed in with
    try:
        with lockout.attempt(request, name):
            if not user.check_password(password):
                raise _WrongPassword
    except _WrongPassword:
        raise ValidationError("This is not your current password.", code="password_incorrect") from None
    except lockout.LockedOut as locked:
        raise ValidationError(str(locked), code="locked") from locked


class ConfirmedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, its old password checked by `confirm_current_password`."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        confirm_current_password(self.request, self.user, old_password)
        return old_password


class PasswordConfirmationViewMixin:
    """For views whose form confirms the current password (`confirm_current_password`): the form
    gets the request, and a refusal while locked out answers 429."""

    request: HttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}  # type: ignore[misc]

    def form_invalid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)  # type: ignore[misc]
        if any(error.code == "locked" for errors in form.errors.as_data().values() for error in errors):
            response.status_code = 429
            response["Retry-After"] = str(lockout.lockout_seconds())
        return response


class StaffAuthenticationForm(LockoutLoginMixin, AuthenticationForm):
    """The staff login. A portal user's right password is answered exactly like a wrong one (same
    message, same status, counted as a failure), so that this form tells nobody whether a
    portal user's password is right; portal users sign in at the portal."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct %(username)s and password. Note that both fields may be "
            "case-sensitive. Customer contacts sign in to the customer portal."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not is_staff(user):
            raise self.get_invalid_login_error()


class AdminLoginForm(LockoutLoginMixin, AdminAuthenticationForm):
    """The Django admin's login (`/admin/login/`) under the same lockout; Django's admin form
    already answers a non-staff user's right password like a wrong one."""


class StaffLoginView(LoginView):
    authentication_form = StaffAuthenticationForm
    template_name = "registration/login.html"


# The page mixins ----------------------------------------------------------------------------------


class ServiceErrorMixin:
    """Service errors as pages: NotFound is a 404, Forbidden a 403 (with the service's reason),
    Conflict a clear message on the page with nothing changed. Throttled ("asked for too often")
    reads like a Conflict, its message saying when to try again; where a Conflict's status shows
    (htmx, a GET) it is a 429 with `Retry-After`. For htmx the message is swapped into the page's
    message area."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except NotFound as error:
            if getattr(request, "htmx", False):
                return message_response(request, "error", error.message, 404)
            raise Http404(error.message) from error
        except Forbidden as error:
            if getattr(request, "htmx", False):
                record_refusal(request, error.message, surface="pages")
                return message_response(request, "error", error.message, 403)
            raise PermissionDenied(error.message) from error
        except (Conflict, ServiceError) as error:
            if isinstance(error, ValidationFailed) and request.method in ("GET", "HEAD"):
                # A bad value in the address (a filter, an id): the request is wrong, nothing conflicts.
                if getattr(request, "htmx", False):
                    return message_response(request, "error", error.message, 400)
                return render(request, "400.html", {"message": error.message}, status=400)
            status = 429 if isinstance(error, Throttled) else 409
            response: HttpResponseBase
            if getattr(request, "htmx", False):
                response = message_response(request, "error", error.message, status)
            elif request.method in ("GET", "HEAD"):  # sending it back to itself would loop
                response = render(request, "409.html", {"message": error.message}, status=status)
            else:
                messages.error(request, error.message)
                return HttpResponseRedirect(self.get_conflict_url())
            if isinstance(error, Throttled):
                response["Retry-After"] = str(error.retry_after)
            return response

    def get_conflict_url(self) -> str:
        """Where a refused action sends the user back to (the message is shown there)."""
        return safe_next(self.request, self.request.get_full_path())


class StaffRequiredMixin:
    """Staff only. Anonymous users go to the login page (htmx: the whole page does); signed-in
    users who are not staff (portal contacts) get a 403."""

    request: HttpRequest
    # The part of the site a page belongs to, marked in the main navigation.
    section: ClassVar[str] = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(request.get_full_path())["Location"]
                return response
            return redirect_to_login(request.get_full_path())
        if not is_staff(request.user):
            raise Forbidden("These pages are for staff. Customer contacts use the customer portal.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    @property
    def user(self) -> Any:
        """The signed-in staff user (typed loosely: `access` takes any user)."""
        return self.request.user

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(nav=navigation(self.user), section=self.section)
        return context


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation: shown to users who may view `model` ("app_label.Model");
    marked current on pages whose `section` is `section`."""

    section: str
    label: str
    url_name: str
    model: str


# The main navigation after "Search"; apps add theirs with `register_nav_item` (AppConfig.ready()).
NAV_ITEMS: list[NavItem] = [
    NavItem("customers", "Customers", "customers:customer-list", "customers.Customer"),
    NavItem("contacts", "Contacts", "contacts:contact-list", "contacts.Contact"),
    NavItem("locations", "Locations", "customers:location-list", "customers.Location"),
]


def register_nav_item(item: NavItem) -> None:
    if all(existing.section != item.section for existing in NAV_ITEMS):
        NAV_ITEMS.append(item)


def navigation(user: Any) -> dict[str, Any]:
    """The sections of the main navigation the user may view: `items` (in order, with their URL),
    and a flag per section (`nav.customers`)."""
    from django.apps import apps

    visible = [item for item in NAV_ITEMS if access.can(user, access.VIEW, apps.get_model(item.model))]
    nav: dict[str, Any] = {item.section: item in visible for item in NAV_ITEMS}
    nav["items"] = [
        {"section": item.section, "label": item.label, "url": reverse(item.url_name)} for item in visible
    ]
    return nav


class StaffPage(ServiceErrorMixin, StaffRequiredMixin, TemplateView):
    """A staff page about `model`; users who may not view that model at all get a 403."""

    model: ClassVar[type[Model] | None] = None

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        return super().get(request, *args, **kwargs)

    def require_view(self) -> None:
        if self.model is not None:
            access.require_model(self.user, access.VIEW, self.model)

    def can(self, action: str, model: type[Model]) -> bool:
        return access.can(self.user, action, model)

    def allowed(self, action: str, obj: Model) -> bool:
        return access.allowed(self.user, action, obj)


# Pagination ---------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of rows. Reads one row beyond the page instead of counting (as the API's
    `Pagination` does), so a page costs the same on a million rows as on ten."""

    rows: list[Any]
    number: int  # 0 for a keyset page (`clientbase.keyset`), which has links instead
    has_next: bool
    query: Mapping[str, Sequence[str]]
    next_link: str | None = None
    previous_link: str | None = None

    @property
    def has_previous(self) -> bool:
        return self.previous_link is not None if self.number == 0 else self.number > 1

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def _url(self, number: int) -> str:
        params = [
            (key, value)
            for key, values in self.query.items()
            if key not in ("page", "cursor")
            for value in values
        ]
        if number > 1:
            params.append(("page", str(number)))
        return "?" + urlencode(params) if params else "?"

    @property
    def next_url(self) -> str:
        return self.next_link or "" if self.number == 0 else self._url(self.number + 1)

    @property
    def previous_url(self) -> str:
        return self.previous_link or "" if self.number == 0 else self._url(self.number - 1)

    @property
    def first_url(self) -> str:
        return self._url(1)


# Beyond this a page number is nonsense (and an offset the database cannot take).
MAX_PAGE = 100_000


def paginate(request: HttpRequest, queryset: QuerySet | Sequence[Any], page_size: int) -> Page:
    """The page `?page=` of `queryset` (page 1 for anything that is not a positive number); a
    list in its own order (`keyset.keyset_ordering`) asked for no page number pages by keyset
    (`?cursor=`; the first page for a cursor that names no position)."""
    query = {key: request.GET.getlist(key) for key in request.GET}
    tiers = keyset_tiers(queryset) if not request.GET.get("page") else None
    if tiers is not None:
        assert isinstance(queryset, QuerySet)
        params = [(key, value) for key, values in query.items() if key != "cursor" for value in values]
        keyset = Keyset(
            tiers,
            request.GET.get("cursor") or "",
            page_size,
            lambda cursor: "?" + urlencode([*params, ("cursor", cursor)]),
        )
        try:
            rows = keyset.page(queryset)
        except BadCursor:
            keyset = Keyset(tiers, "", page_size, keyset.link)
            rows = keyset.page(queryset)
        return Page(
            rows=rows,
            number=0,
            has_next=keyset.next is not None,
            query=query,
            next_link=keyset.next,
            previous_link=keyset.previous,
        )
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * page_size
    rows = list(queryset[start : start + page_size + 1])
    return Page(
        rows=rows[:page_size],
        number=number,
        has_next=len(rows) > page_size,
        query=query,
    )


def allowed_ids(user: Any, queryset: QuerySet, action: str) -> set[int]:
    """The primary keys in `queryset` that `user` may `action`, in one query (for row buttons)."""
    return set(access.restrict(user, queryset, action).values_list("pk", flat=True))


# Lists, details, forms, actions -------------------------------------------------------------------


class ListPage(StaffPage):
    """A filtered, paginated list of what the user may see. With htmx (live search, filters)
    only the results partial is answered.

    The page template extends `_list_page.html` (the header, the filter form, the results region)
    and its results partial (`partial_template_name`) extends `_list_results.html` (the filters'
    errors, the table, the pages, the empty states); a page with no more than a search box and the
    status filter needs no template of its own. Their context: `page`, `filterset`, `filtered`,
    `selected` (the query's parameters, the last value of each), `list_url`, `things`,
    `search_placeholder`, `results_template`, `statuses` (the choices of the model's `Status`, where
    it has one), and for a list with `add_url_name` `can_add`, `add_url` and `add_label`."""

    # The rows before the user's scope and the filters; all of `model`'s by default.
    queryset: ClassVar[QuerySet | None] = None
    filterset_class: ClassVar[Any] = None
    template_name = "_list_page.html"
    partial_template_name: ClassVar[str]
    page_size: ClassVar[int] = 50
    # The list's URL name: where the filter form asks, and what "Clear" and "Show all" open.
    url_name: ClassVar[str]
    # What the rows are, in the plural, as the heading and the empty states say it; the model's
    # verbose_name_plural ("work orders") by default.
    things: ClassVar[str] = ""
    # What the search box looks in, its placeholder; "" for a list without a search box.
    search_placeholder: ClassVar[str] = ""
    # The page that adds a row and the button's label, offered to users who may add; "" for none.
    add_url_name: ClassVar[str] = ""
    add_label: ClassVar[str] = ""

    def get_queryset(self) -> QuerySet:
        queryset = self.queryset if self.queryset is not None else self.list_model()._default_manager.all()
        return access.restrict(self.user, queryset.all(), access.VIEW)

    def list_model(self) -> type[Model]:
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} names no model.")
        return self.model

    def filter_queryset(self, queryset: QuerySet) -> tuple[QuerySet, Any]:
        if self.filterset_class is None:
            return queryset, None
        filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        if filterset.is_bound and not filterset.is_valid():
            return queryset.none(), filterset
        return filterset.qs, filterset

    def decorate(self, rows: list[Any]) -> None:
        """Add what the template needs to the rows of one page (in a constant number of queries)."""

    def get_template_names(self) -> list[str]:
        if wants_partial(self.request):
            return [self.partial_template_name]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        queryset, filterset = self.filter_queryset(self.get_queryset())
        page = paginate(self.request, queryset, self.page_size)
        self.decorate(page.rows)
        params = self.request.GET
        filtered = any(value for key, value in params.items() if key != "page")
        model = self.list_model()
        statuses = getattr(model, "Status", None)
        context.update(
            page=page,
            filterset=filterset,
            filtered=filtered,
            selected=params.dict(),
            list_url=reverse(self.url_name),
            things=self.things or str(model._meta.verbose_name_plural),
            search_placeholder=self.search_placeholder,
            results_template=self.partial_template_name,
            statuses=statuses.choices if statuses is not None else [],
        )
        if self.add_url_name:
            context.update(
                can_add=self.can(access.ADD, model),
                add_url=reverse(self.add_url_name),
                add_label=self.add_label,
            )
        return context


class DetailPage(StaffPage):
    """One object the user may see (404 when missing or out of scope)."""

    queryset: ClassVar[QuerySet]
    context_object_name: ClassVar[str] = "object"
    object: Any

    def get_object(self) -> Any:
        return access.fetch(self.user, self.queryset.all(), self.kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = context[self.context_object_name] = self.object
        return context


class ServiceForm(forms.Form):
    """A form checks the shape of the input and hands `service_data()` to a service; the rules are
    the service's. `service_error_fields` names the form field a service error key belongs to."""

    service_error_fields: ClassVar[dict[str, str]] = {}
    required_css_class = "field--required"

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def add_service_errors(self, error: ValidationFailed) -> None:
        """Each message next to its field; keys the form has no field for as non-field errors."""
        for key, texts in error.errors.items():
            name = self.service_error_fields.get(key, key)
            field = name if name in self.fields else None
            for text in texts:
                if field is None and key not in ("non_field_errors", "__all__"):
                    text = f"{key.replace('_', ' ').capitalize()}: {text}"
                self.add_error(field, text)


# Optimistic concurrency in forms ------------------------------------------------------------------

# The hidden input that carries the version an edit form was loaded at (`_form_version.html`).
VERSION_FIELD = "version"
_VERSION = re.compile(r"[0-9]{1,18}")


class VersionedFormMixin:
    """An edit form of a versioned record (`clientbase.versions.Versioned`) carries the version it
    was loaded at: the hidden input `version`, which templates put inside the form with
    `{% include "_form_version.html" %}`. `perform()` hands `self.expected_version` to the service,
    which refuses a stale save (`Stale`, compared under the row lock).

    `stale_response()` shows that refusal above the form: what changed since the version the user
    loaded (from the record's history: field, old and new value, who, when; for a record without
    history, the fields whose stored value now differs from the input, with that value), keeps
    what was typed, and moves the hidden version to the current one, so that saving again applies
    the input over the changes shown. `edits` names the attribute `prepare()` sets to the record
    the page edits (create pages leave it empty)."""

    request: HttpRequest
    edits: ClassVar[str] = ""
    # Show only the changes of fields the form has (the portal: not what its users do not see).
    stale_changes_of_form_fields_only: ClassVar[bool] = False

    def edited_record(self) -> Any:
        return getattr(self, self.edits, None) if self.edits else None

    @property
    def expected_version(self) -> int | None:
        """The version the posted form was loaded at; None when none was posted (then the save is
        not checked, as an API write without If-Match)."""
        text = self.request.POST.get(VERSION_FIELD, "").strip()
        return int(text) if _VERSION.fullmatch(text) else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        record = self.edited_record()
        if record is not None and "form_version" not in context:
            # Redisplayed with errors: still the version the user loaded, not the current one.
            posted = self.expected_version if self.request.method == "POST" else None
            context["form_version"] = posted if posted is not None else record.version
        return context

    def stale_response(self, form: Any, error: Stale) -> HttpResponse:
        """The form again (409): the refusal, the changes since, the input kept, the version now."""
        name = str(error.instance._meta.verbose_name)
        changes = self.stale_changes(form, error)
        if "history" in changes:
            advice = (
                "The changes made since are listed here. Your input is kept below, and where you "
                "had left a field as it was, it now shows the value stored since: check it and save "
                "again to apply your changes, or cancel to keep the stored values."
            )
        else:
            advice = (
                "Your input is kept below; the fields listed here hold other values now: check it "
                "and save again to apply your input, or cancel to keep the stored values."
            )
        form.add_error(
            None,
            f"This {name} was changed by someone else since you opened this form, so nothing was "
            f"saved. {advice}",
        )
        context = self.get_context_data(form=form, form_version=error.current_version, stale_changes=changes)
        return self.render_to_response(context, status=409)  # type: ignore[attr-defined]

    def stale_changes(self, form: Any, error: Stale) -> dict[str, Any]:
        """From the record's history `{"history": [entries with readable changes], "shown": n,
        "hidden": n}` (changes of fields the form lacks are hidden when the page says so), the
        form's fields that the user had left as loaded moved to their stored value (`rebase`); for
        a record without history `{"differences": [{"label", "stored"}]}`. See _stale_changes.html."""
        record = error.instance
        entries = history.changes_since(record, min(error.expected, default=0))
        if entries is None:
            return {"differences": [self.stored_value(form[name]) for name in form.changed_data]}
        self.rebase(form, entries)
        hidden = 0
        for entry in entries:
            entry["user"] = self.stale_user_label(entry["user"])
            if self.stale_changes_of_form_fields_only:
                visible = [change for change in entry["changes"] if change["field"] in form.fields]
                hidden += len(entry["changes"]) - len(visible)
                entry["changes"] = visible
        shown = sum(len(entry["changes"]) for entry in entries)
        return {"history": history.for_display(entries, type(record)), "shown": shown, "hidden": hidden}

    @staticmethod
    def rebase(form: Any, entries: list[dict[str, Any]]) -> None:
        """A three-way merge of the form: a field changed since the version loaded, whose input is
        still the value loaded, now shows the value stored since; a field the user changed keeps
        the input (marked `both` in the change list when someone else changed it too). Fields of
        several inputs (addresses) or of another name than the model's keep the input."""
        changed: dict[str, tuple[Any, Any]] = {}  # field: (value loaded, value now)
        for entry in entries:
            for change in entry["changes"]:
                loaded = changed.get(change["field"], (change["old_value"], None))[0]
                changed[change["field"]] = (loaded, change["new_value"])
        data = form.data.copy()
        both: set[str] = set()
        for name, (loaded, now) in changed.items():
            field = form.fields.get(name)
            if field is None or isinstance(field.widget, forms.MultiWidget):
                continue
            key = form.add_prefix(name)
            try:
                if field.has_changed(loaded, field.widget.value_from_datadict(form.data, form.files, key)):
                    both.add(name)
                    continue
                if isinstance(field, forms.BooleanField):
                    if now:
                        data[key] = "on"
                    else:
                        data.pop(key, None)
                elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
                    data.setlist(key, [str(item) for item in field.prepare_value(now or [])])
                else:
                    data[key] = "" if now is None else str(field.prepare_value(now))
            except Exception:  # a value this field cannot compare or show: the input stays
                both.add(name)
        form.data = data
        for entry in entries:
            for change in entry["changes"]:
                change["both"] = change["field"] in both

    def stale_user_label(self, user: Any) -> str | None:
        """Who made a change, as this page names people."""
        return user.get_username() if user is not None else None

    @staticmethod
    def stored_value(field: forms.BoundField) -> dict[str, str]:
        """A form field's label and its stored value (the form's initial), as a person reads it."""
        value = field.initial
        choices = getattr(field.field, "choices", None)
        if choices is not None:
            labels = {str(key): str(label) for key, label in choices}
            values = value if isinstance(value, list | tuple) else [value]
            value = [
                labels.get(str(getattr(item, "pk", item)), str(item))
                for item in values
                if item not in (None, "")
            ]
        return {"label": str(field.label), "stored": history.readable(value)}


class FormPage(VersionedFormMixin, ServiceErrorMixin, StaffRequiredMixin, FormView):
    """A create or edit page that writes through a service.

    `prepare()` runs first on GET and POST (fetch the object, check the permission: a user who may
    not do this gets a 403 before seeing the form). `perform(form)` calls the service; a
    ValidationFailed puts its messages next to the fields, a Forbidden or Conflict shows the reason
    above the form, with what was typed kept and nothing changed; a stale save (the record changed
    since the form was loaded) shows what changed (`VersionedFormMixin`)."""

    form_class: type[ServiceForm]
    success_message: ClassVar[str] = "Saved."

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.prepare()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.prepare()
        return super().post(request, *args, **kwargs)

    def prepare(self) -> None:
        """Fetch what the page is about and check that the user may do this."""

    def perform(self, form: Any) -> Model:
        """Call the service with `form.service_data()`; answer the object written. Pages that
        override `form_valid` need not define it."""
        raise ImproperlyConfigured(f"{type(self).__name__} defines neither perform() nor form_valid().")

    def success_url_for(self, obj: Any) -> str:
        """Where to go once `obj` was written."""
        raise ImproperlyConfigured(
            f"{type(self).__name__} defines neither success_url_for() nor form_valid()."
        )

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            obj = self.perform(form)
        except ValidationFailed as error:
            form.add_service_errors(error)
            return self.form_invalid(form)
        except Forbidden as error:
            record_refusal(self.request, error.message, surface="pages")
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=403)
        except Stale as error:
            return self.stale_response(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except Throttled as error:  # what was typed stays; the message says when to try again
            form.add_error(None, error.message)
            response = self.render_to_response(self.get_context_data(form=form), status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        messages.success(self.request, self.get_success_message(obj))
        return HttpResponseRedirect(self.success_url_for(obj))

    def get_success_message(self, obj: Model) -> str:
        return self.success_message.format(obj=obj)


class ActionView(ServiceErrorMixin, StaffRequiredMixin, View):
    """A POST that runs one service (make primary, duplicate)."""

    http_method_names = ["post"]


class StaffPasswordChangeView(
    PasswordConfirmationViewMixin, ServiceErrorMixin, StaffRequiredMixin, PasswordChangeView
):
    template_name = "registration/password_change_form.html"
    form_class = ConfirmedPasswordChangeForm


class StaffPasswordChangeDoneView(ServiceErrorMixin, StaffRequiredMixin, PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


@dataclass(frozen=True)
class PageSection:
    """A section another app adds to a detail page (the customer page, the contact page):
    `template_name` is included with the page's object and `section`, what `context(request, obj)`
    answers; the section is left out when that is None (e.g. the user may not see it).
    `details_template_name`, when given, is included the same way inside the page's list of
    details (`<dt>`/`<dd>` rows: the customer's primary contact), on pages that have one."""

    key: str
    title: str
    template_name: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    details_template_name: str = ""


def register_section(registry: list[PageSection], section: PageSection) -> None:
    if all(existing.key != section.key for existing in registry):
        registry.append(section)


def sections_for(request: HttpRequest, obj: Any, registry: list[PageSection]) -> list[dict[str, Any]]:
    """The registered sections this request shows for `obj`, with their context."""
    shown = []
    for section in registry:
        context = section.context(request, obj)
        if context is not None:
            shown.append(
                {
                    "key": section.key,
                    "title": section.title,
                    "template_name": section.template_name,
                    "details_template_name": section.details_template_name,
                    "context": context,
                }
            )
    return shown


def flags(user: Any, obj: Model, actions: Iterable[str]) -> dict[str, bool]:
    """{action: may `user` do it to `obj`}, for showing only the buttons a user may use."""
    return {action: access.allowed(user, action, obj) for action in actions}
