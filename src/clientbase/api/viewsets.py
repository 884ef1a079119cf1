"""Strict serializers and the base viewset that asks `access` for everything."""

from __future__ import annotations

import datetime
import inspect
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db.models import ManyToManyField, Model, Prefetch, QuerySet, prefetch_related_objects
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from rest_framework import ISO_8601, exceptions, mixins, serializers, viewsets
from rest_framework.fields import SkipField
from rest_framework.permissions import SAFE_METHODS
from rest_framework.relations import ManyRelatedField, PKOnlyObject, PrimaryKeyRelatedField, RelatedField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from clientbase import access
from clientbase.errors import Forbidden
from clientbase.versions import ExpectedVersion, Versioned, check_version


class StrictSerializerMixin:
    """Unknown and read-only fields are named in a 400, never silently dropped."""

    fields: Any
    # Read by `clientbase.api.schema`: the request body's schema allows no other properties.
    refuses_unknown_fields = True

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = ["Unknown field."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
                elif not isinstance(data, QueryDict):
                    refusal = json_type_refusal(field, data[key])
                    if refusal:
                        errors[key] = [refusal]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


def json_type_refusal(field: serializers.Field, value: Any) -> str:
    """Why `value`, as a JSON body gives it, is not of the type `field` is described with (empty
    when it is): text is a JSON string, a flag `true` or `false`, a list a JSON array, an id a
    whole number, an amount a string (`"12.50"`, as answers give it) or a whole number. DRF would
    also read `12` as the text "12", `"yes"` as true, `{}` as an empty list, `"7"` as an id, `""` as
    no object and `0.1` as an amount, which the description does not promise (a form's fields, all
    text, are read as DRF reads them)."""
    if value is None:
        return ""
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return "Not a valid string."
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return "Must be true or false."
    if isinstance(field, serializers.ListField | ManyRelatedField) and not isinstance(value, list):
        return "A list."
    if isinstance(field, PrimaryKeyRelatedField) and (isinstance(value, bool) or not isinstance(value, int)):
        return "An id: a whole number."
    ids = isinstance(field, ManyRelatedField) and isinstance(field.child_relation, PrimaryKeyRelatedField)
    if ids and any(isinstance(item, bool) or not isinstance(item, int) for item in value):
        return "A list of ids: whole numbers."
    if isinstance(field, serializers.DecimalField) and (
        isinstance(value, bool) or not isinstance(value, str | int)
    ):
        return 'An amount as a string, e.g. "12.50", or a whole number.'
    return ""


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


# Lean answers -------------------------------------------------------------------------------------

# The serializer context of a list page whose many-to-many ids were read in one query per field
# (`listed_ids`): {model field name: {row pk: [related pks]}}.
LISTED_IDS = "listed_ids"
# A field DRF leaves out of an answer (its attribute is missing and the field not required).
_LEFT_OUT = object()

# (the object answered, the serializer answering it) -> the field's value in the answer.
Reader = Callable[[Any, serializers.Serializer], Any]

# Field classes whose `to_representation` answers a value of this exact type as it is.
_AS_IS: dict[type[serializers.Field], type] = {
    serializers.CharField: str,
    serializers.BooleanField: bool,
    serializers.IntegerField: int,
}


def _as_drf_reads(name: str) -> Reader:
    """Field `name` read as DRF's `Serializer.to_representation` reads it, through the
    serializer's own bound field."""

    def read(instance: Any, serializer: serializers.Serializer) -> Any:
        field = serializer.fields[name]
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return _LEFT_OUT
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return read


# The current time zone while one answer is made (`one_time_zone`); None outside one.
_ANSWER_ZONE: ContextVar[datetime.tzinfo | None] = ContextVar("clientbase_answer_zone", default=None)


@contextmanager
def one_time_zone() -> Iterator[None]:
    """Within the block, answers read the current time zone once, not once per date and time as
    DRF's `DateTimeField` does (with USE_TZ; without, nothing changes). For the making of one
    answer, during which the time zone is not switched. A block inside another changes nothing."""
    if _ANSWER_ZONE.get() is not None or not settings.USE_TZ:
        yield
        return
    token = _ANSWER_ZONE.set(timezone.get_current_timezone())
    try:
        yield
    finally:
        _ANSWER_ZONE.reset(token)


def _iso_datetime(field: serializers.DateTimeField) -> Callable[[Any], Any]:
    """`field.to_representation` (a plain DateTimeField) for an aware date and time in ISO 8601
    within `one_time_zone()`: in the zone read once, `Z` for UTC, as DRF writes it; anything
    else by the field itself."""
    represent = field.to_representation

    def to_text(value: Any) -> Any:
        zone = _ANSWER_ZONE.get()
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if (
            zone is None
            or type(value) is not datetime.datetime
            or value.utcoffset() is None
            or not isinstance(output_format, str)
            or output_format.lower() != ISO_8601
        ):
            return represent(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return represent(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return to_text


def _attribute_reader(field: serializers.Field, attribute: str, *, mapping: bool, fallback: Reader) -> Reader:
    """A field whose value is `attribute` of the object (a key of a mapping), answered by the
    field's `to_representation` (not called for None, nor where it answers the value as it is).
    Whatever DRF does otherwise (a missing attribute, a callable) is left to `fallback`."""
    get = operator.itemgetter(attribute) if mapping else operator.attrgetter(attribute)
    missing = (KeyError, AttributeError, ObjectDoesNotExist)
    represent: Callable[[Any], Any] = field.to_representation
    if type(field) is serializers.DateTimeField and not hasattr(field, "timezone"):
        represent = _iso_datetime(field)
    as_is = _AS_IS.get(type(field))

    if isinstance(field, serializers.JSONField) and not field.binary:

        def read_any(instance: Any, serializer: serializers.Serializer) -> Any:
            try:
                value = get(instance)
            except missing:
                return fallback(instance, serializer)
            return fallback(instance, serializer) if callable(value) else value

        return read_any

    if as_is is not None:

        def read_typed(instance: Any, serializer: serializers.Serializer) -> Any:
            try:
                value = get(instance)
            except missing:
                return fallback(instance, serializer)
            if value is None or type(value) is as_is:
                return value
            return fallback(instance, serializer) if callable(value) else represent(value)

        return read_typed

    def read(instance: Any, serializer: serializers.Serializer) -> Any:
        try:
            value = get(instance)
        except missing:
            return fallback(instance, serializer)
        if value is None:
            return None
        return fallback(instance, serializer) if callable(value) else represent(value)

    return read


def _key_reader(attname: str) -> Reader:
    """A reference by primary key: the foreign key's own column (`customer_id`), as
    `PrimaryKeyRelatedField` answers it without reading the object."""

    def read(instance: Any, serializer: serializers.Serializer) -> Any:
        return getattr(instance, attname)

    return read


def _keys_reader(attribute: str) -> Reader:
    """References by primary key over a many-to-many field: the ids a list page read for it
    (`LISTED_IDS` in the context), else the pks of the related objects (prefetched, as a rule)."""

    def read(instance: Any, serializer: serializers.Serializer) -> Any:
        listed = serializer.context.get(LISTED_IDS)
        if listed is not None and attribute in listed:
            return list(listed[attribute].get(instance.pk, ()))
        if instance.pk is None:
            return []
        return [related.pk for related in getattr(instance, attribute).all()]

    return read


def _is_value(model: type[Model], attribute: str) -> bool:
    """Whether `attribute` of `model`'s objects is data (a column that is no relation, or a
    property), never a method DRF would call."""
    try:
        field = model._meta.get_field(attribute)
    except FieldDoesNotExist:
        return isinstance(inspect.getattr_static(model, attribute, None), property | cached_property)
    return bool(field.concrete and not field.is_relation and field.name == attribute)


def _plain_pk_field(field: Any) -> bool:
    return (
        isinstance(field, PrimaryKeyRelatedField)
        and field.pk_field is None
        and type(field).get_attribute is RelatedField.get_attribute
        and type(field).to_representation is PrimaryKeyRelatedField.to_representation
    )


def _reader(field: serializers.Field, model: type[Model] | None) -> Reader:
    """How to read `field` (of a serializer of `model`'s objects; None: of mappings) without
    DRF's per-field machinery, when its kind allows it; else as DRF reads it."""
    fallback = _as_drf_reads(str(field.field_name))
    if len(field.source_attrs) != 1:
        return fallback
    attribute = field.source_attrs[0]
    if model is not None:
        model_field: Any
        try:
            model_field = model._meta.get_field(attribute)
        except FieldDoesNotExist:
            model_field = None
        if _plain_pk_field(field):
            if (
                model_field is not None
                and model_field.concrete
                and (model_field.many_to_one or model_field.one_to_one)
            ):
                return _key_reader(model_field.attname)
            return fallback
        if isinstance(field, ManyRelatedField):
            if (
                isinstance(model_field, ManyToManyField)
                and _plain_pk_field(field.child_relation)
                and type(field).get_attribute is ManyRelatedField.get_attribute
                and type(field).to_representation is ManyRelatedField.to_representation
            ):
                return _keys_reader(attribute)
            return fallback
        if not _is_value(model, attribute):
            return fallback
    if (
        isinstance(field, RelatedField | ManyRelatedField)
        or type(field).get_attribute is not serializers.Field.get_attribute
    ):
        return fallback
    return _attribute_reader(field, attribute, mapping=model is None, fallback=fallback)


# A serializer mixin (first among the bases) answering objects without DRF's per-field machinery,
# with the same output as DRF's `Serializer.to_representation` (tests/api/test_overhead_lean.py
# compares them). Each readable field's reader is worked out once per serializer class
# (`reading_plan`, from an instance made without arguments): attributes of a model serializer's
# objects (columns and properties; a reference by its key column; many-to-many references as their
# ids), keys of a plain serializer's mappings; a field of another kind is read as DRF reads it. The
# class's fields must be the same for every instance; an instance may only leave some out
# (`access.hidden_fields`), and those are left out of its answers. An object that is not of the
# serializer's model (or not a dict, for a plain serializer) is answered by DRF. No docstring: the
# schema describes a serializer by the first docstring of its classes.
class LeanRepresentation:
    fields: Any
    context: Any

    @classmethod
    def reading_plan(cls) -> tuple[tuple[str, Reader], ...]:
        """(field name, reader) of every readable field of the class, in answer order."""
        plan = cls.__dict__.get("_reading_plan")
        if plan is None:
            prototype: Any = cls()
            model = getattr(getattr(cls, "Meta", None), "model", None)
            readable = [field for field in prototype.fields.values() if not field.write_only]
            plan = tuple((field.field_name, _reader(field, model)) for field in readable)
            cls._reading_plan = plan  # type: ignore[attr-defined]
            cls._reads_dates = any(  # type: ignore[attr-defined]
                isinstance(field, serializers.DateTimeField) for field in readable
            )
        return plan

    @cached_property
    def _readers(self) -> tuple[tuple[tuple[str, Reader], ...] | None, type[Model] | None, bool]:
        """(this instance's readers, None when DRF answers; the model; whether a date and time
        is answered)."""
        model = getattr(getattr(type(self), "Meta", None), "model", None)
        plan = self.reading_plan()
        dated = bool(type(self).__dict__["_reads_dates"])
        if "fields" not in self.__dict__:  # the class's fields, none left out
            return plan, model, dated
        readers = dict(plan)
        readable = [field.field_name for field in self.fields.values() if not field.write_only]
        if not set(readable) <= readers.keys():
            return None, model, dated
        return tuple((name, readers[name]) for name in readable), model, dated

    def to_representation(self, instance: Any) -> Any:
        readers, model, dated = self._readers
        if readers is None or not (isinstance(instance, model) if model else type(instance) is dict):
            return super().to_representation(instance)  # type: ignore[misc]
        if dated and _ANSWER_ZONE.get() is None:
            with one_time_zone():
                return self._answer(readers, instance)
        return self._answer(readers, instance)

    def _answer(self, readers: tuple[tuple[str, Reader], ...], instance: Any) -> dict[str, Any]:
        answer = {}
        for name, read in readers:
            value = read(instance, self)  # type: ignore[arg-type]
            if value is not _LEFT_OUT:
                answer[name] = value
        return answer


def listed_ids(rows: Sequence[Model], name: str) -> dict[Any, list[Any]] | None:
    """{row pk: [pk of each related object]} of the many-to-many field `name` of `rows` (objects
    of one model), in one query of (row, related) pairs of its through table, in the order in which
    `prefetch_related(name)` reads the related objects (their model's `Meta.ordering`). None when
    that order is not plain field names (prefetching is left to answer it). The related model's
    default manager must answer all its rows, as a prefetch would."""
    if not rows:
        return {}
    field = type(rows[0])._meta.get_field(name)
    assert isinstance(field, ManyToManyField)
    related: Any = field.related_model
    ordering = list(related._meta.ordering) or ["pk"]
    if not all(isinstance(item, str) for item in ordering):
        return None
    through: Any = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    order_by = [
        f"-{target}__{item[1:]}" if item.startswith("-") else f"{target}__{item}" for item in ordering
    ]
    pairs = (
        through._default_manager.filter(**{f"{source}__in": [row.pk for row in rows]})
        .order_by(*order_by)
        .values_list(through._meta.get_field(source).attname, through._meta.get_field(target).attname)
    )
    ids: dict[Any, list[Any]] = {}
    for row_pk, related_pk in pairs:
        ids.setdefault(row_pk, []).append(related_pk)
    return ids


def _without_prefetch(queryset: QuerySet, names: Sequence[str]) -> QuerySet:
    """`queryset` no longer prefetching `names` (its other prefetches kept)."""
    lookups = queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    kept = [
        lookup
        for lookup in lookups
        if (lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup) not in names
    ]
    return queryset.prefetch_related(None).prefetch_related(*kept)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that only accepts objects the caller may see; others read as missing."""

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        assert queryset is not None
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return access.restrict(request.user, queryset, access.VIEW)


# Optimistic concurrency ---------------------------------------------------------------------------

# One entity tag of an If-Match list (RFC 9110): optionally weak (W/), then a quoted opaque string.
_ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*')
_VERSION_TAG = re.compile(r"[0-9]{1,18}")


def etag(version: int) -> str:
    """The ETag of a record at `version`: a strong entity tag holding the version, e.g. `"3"`."""
    return f'"{version}"'


def parse_if_match(header: str) -> ExpectedVersion:
    """The versions an If-Match header names: None for `*` (any current version will do), else the
    versions of its strong tags; a weak tag, or a tag that is not one of our versions, never
    matches (If-Match compares strongly). A header that is neither `*` nor a comma-separated list
    of entity tags is a ParseError (400)."""
    text = header.strip()
    if text == "*":
        return None
    versions: list[int] = []
    position = 0
    while True:
        match = _ENTITY_TAG.match(text, position)
        if match is None:
            raise exceptions.ParseError(
                'If-Match must be * or a list of entity tags as the ETag header gives them, e.g. "3".'
            )
        weak, opaque = match.groups()
        if not weak and _VERSION_TAG.fullmatch(opaque):
            versions.append(int(opaque))
        position = match.end()
        if position == len(text):
            return tuple(versions)
        if text[position] != ",":
            raise exceptions.ParseError(
                'If-Match must be * or a list of entity tags as the ETag header gives them, e.g. "3".'
            )
        position += 1


# Optimistic concurrency, for models with a `version` (`clientbase.versions.Versioned`): every
# answer that is one object carries `ETag: "<version>"`; PUT, PATCH and DELETE pass the versions
# named by `If-Match` to the update and delete services as `expected_version`, which compare them
# under the row lock (a stale one: 412, nothing changed). Without If-Match, or with `*`, writes are
# not checked; a malformed If-Match is a 400.
class ScopedGenericViewSet(viewsets.GenericViewSet):
    """The objects of `queryset` as `access` scopes them, without any route of its own: the base of
    `ScopedModelViewSet`, and of a viewset that only adds `@action(detail=True)` routes to the
    objects of another app's viewset (registered under the same router prefix, after it), so that
    its actions answer as that viewset's own would: the same 403 for a caller who may not view the
    model, the same scope (404), the fields the caller never reads left out, the ETag of a
    versioned object answered."""

    queryset: QuerySet
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    # Many-to-many fields whose ids a list or a retrieve reads in one query each (`listed_ids`)
    # instead of prefetching their objects, when the serializer is a `LeanRepresentation`.
    listed_many: ClassVar[tuple[str, ...]] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # A request that reads decides each permission once (`access.remembering`).
        if request.method not in SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with access.remembering():
            return super().dispatch(request, *args, **kwargs)

    @property
    def model(self) -> type[Model]:
        return self.queryset.model

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not access.can(request.user, access.VIEW, self.model):
            raise Forbidden(f"You may not view {self.model._meta.verbose_name_plural}.")

    def get_queryset(self) -> QuerySet:
        return access.restrict(self.request.user, self.queryset.all(), access.VIEW)

    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer:
        """The serializer without the fields the caller never reads (`access.hidden_fields`)."""
        serializer = super().get_serializer(*args, **kwargs)
        hidden = access.hidden_fields(self.request.user, self.model)
        if hidden:
            target: Any = getattr(serializer, "child", serializer)
            for name in hidden:
                target.fields.pop(name, None)
        return serializer

    def lean_answers(self) -> bool:
        """Whether answers read the ids of `listed_many` in one query each (`listed_context`)
        instead of prefetching their objects: with a `LeanRepresentation` serializer."""
        return bool(self.listed_many) and issubclass(self.get_serializer_class(), LeanRepresentation)

    def listed_context(self, rows: Sequence[Model]) -> dict[str, Any]:
        """The serializer context for answering `rows` (read without prefetching `listed_many`):
        the ids of each of `listed_many` read in one query (`listed_ids`), or the objects
        prefetched where their order is not one `listed_ids` reads in."""
        ids = {}
        for name in self.listed_many:
            found = listed_ids(rows, name)
            if found is None:
                prefetch_related_objects(rows, name)
            else:
                ids[name] = found
        return {**self.get_serializer_context(), LISTED_IDS: ids}

    def get_object(self) -> Model:
        # Fetched once per request: a write checks If-Match on the object it then changes.
        if getattr(self, "_object", None) is None:
            queryset = self.get_queryset()
            if self.request.method not in SAFE_METHODS:
                # A write hands its object to the service, which locks and reads it again, and is
                # answered from a fresh read: related rows prefetched here would be read for nothing.
                queryset = queryset.prefetch_related(None)
            elif self.action == "retrieve" and self.lean_answers():
                queryset = _without_prefetch(queryset, self.listed_many)
            pk = self.kwargs[self.lookup_url_kwarg or "pk"]
            self._object = access.fetch(self.request.user, queryset, pk)
        return self._object

    @property
    def versioned(self) -> bool:
        return issubclass(self.model, Versioned)

    def expected_version(self) -> ExpectedVersion:
        """The versions the request's If-Match names (None: no check); ParseError when malformed."""
        header = self.request.headers.get("If-Match")
        return None if header is None or not self.versioned else parse_if_match(header)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Any:
        """An answer that is one versioned object carries its version as the ETag."""
        response = super().finalize_response(request, response, *args, **kwargs)
        instance = getattr(getattr(response, "data", None), "serializer", None)
        instance = getattr(instance, "instance", None)
        if isinstance(instance, Versioned) and 200 <= response.status_code < 300 and "ETag" not in response:
            response["ETag"] = etag(instance.version)
        return response


class ScopedModelViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    ScopedGenericViewSet,
):
    """CRUD over `queryset`, scoped by `access.restrict`, writing through services.

    Subclasses name the services; a service takes `acting_user` and `data` (validated, with
    referenced objects resolved) and does every rule check itself."""

    create_service: ClassVar[Callable[..., Model]]
    update_service: ClassVar[Callable[..., Model]]
    delete_service: ClassVar[Callable[..., None]]
    instance_kwarg: ClassVar[str]

    # No docstrings on list and retrieve: the schema describes each operation by its view's.

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # DRF's list, reading the ids of `listed_many` in one query each for the whole page.
        if not self.lean_answers():
            return super().list(request, *args, **kwargs)
        queryset = _without_prefetch(self.filter_queryset(self.get_queryset()), self.listed_many)
        page = self.paginate_queryset(queryset)
        rows = list(queryset if page is None else page)
        with one_time_zone():
            data = self.get_serializer(rows, many=True, context=self.listed_context(rows)).data
        return Response(data) if page is None else self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # DRF's retrieve, reading the ids of `listed_many` in one query each.
        if not self.lean_answers():
            return super().retrieve(request, *args, **kwargs)
        instance = self.get_object()
        return Response(self.get_serializer(instance, context=self.listed_context([instance])).data)

    def check_if_match(self, action: str) -> None:
        """Refuse a stale write before reading its body (RFC 9110 evaluates preconditions first),
        when the caller may do `action` at all (else the service's 403 comes first); the service
        checks again, authoritatively, with the row locked."""
        self.expected = self.expected_version()
        if self.expected is not None:
            instance = self.get_object()
            if access.allowed(self.request.user, action, instance):
                check_version(instance, self.expected)  # type: ignore[arg-type]

    def write_kwargs(self) -> dict[str, Any]:
        """What every update and delete service of a versioned model is given besides its object."""
        return {"expected_version": getattr(self, "expected", None)} if self.versioned else {}

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_if_match(access.CHANGE)
        return super().update(request, *args, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.check_if_match(access.DELETE)
        return super().destroy(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access.require_model(request.user, access.ADD, self.model)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        instance = type(self).create_service(acting_user=self.request.user, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=instance.pk)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        kwargs = {self.instance_kwarg: serializer.instance}
        instance = type(self).update_service(
            acting_user=self.request.user, data=serializer.validated_data, **kwargs, **self.write_kwargs()
        )
        serializer.instance = self.get_queryset().get(pk=instance.pk)

    def perform_destroy(self, instance: Model) -> None:
        type(self).delete_service(
            acting_user=self.request.user, **{self.instance_kwarg: instance}, **self.write_kwargs()
        )
