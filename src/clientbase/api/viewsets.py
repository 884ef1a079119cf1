"""Strict serializers and the base viewset that asks `access` for everything."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from clientbase import access
from clientbase.errors import Forbidden
from clientbase.versions import ExpectedVersion, Versioned, check_version


class StrictSerializerMixin:
    """Unknown and read-only fields are named in a 400, never silently dropped."""

    fields: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {}
            for key in data:
                field = self.fields.get(key)
                if field is None:
                    errors[key] = ["Unknown field."]
                elif field.read_only:
                    errors[key] = ["This field is read-only."]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


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


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag this change is based on, e.g. `"3"`. When the object has changed since '
    "(its version is another), the write is refused with 412 and nothing changes. Without it, "
    "or with `*`, the write is not checked.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='The version of the object answered, as a strong entity tag (e.g. `"3"`); it goes '
    "up with every change. Send it back as `If-Match` to refuse a write over someone else's change.",
)
STALE = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}}},
    description="Precondition failed: the object changed since the version named in `If-Match` "
    "(`detail` gives the current version); nothing changed.",
)


class VersionedAutoSchema(AutoSchema):
    """The schema of a ScopedModelViewSet: `If-Match` on PUT, PATCH and DELETE with their 412, and
    the `ETag` response header on every answer that is one versioned object."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE") and self._versioned_model():
            parameters.append(IF_MATCH)
        if self._answers_versioned_object():
            parameters.append(ETAG)
        return parameters

    def get_response_serializers(self) -> Any:
        responses = super().get_response_serializers()
        if self.method not in ("PUT", "PATCH", "DELETE") or not self._versioned_model():
            return responses
        if isinstance(responses, dict):
            return {**responses, 412: STALE}
        if self.method == "DELETE":
            return {204: None, 412: STALE}
        return {200: responses, 412: STALE}

    def _versioned_model(self) -> bool:
        queryset = getattr(self.view, "queryset", None)
        return queryset is not None and issubclass(queryset.model, Versioned)

    def _answers_versioned_object(self) -> bool:
        if self.method == "DELETE" or self._is_list_view():
            return False
        responses = self.get_response_serializers()  # with the operation's own @extend_schema
        candidates = responses.values() if isinstance(responses, dict) else [responses]
        for candidate in candidates:
            serializer = candidate() if isinstance(candidate, type) else candidate
            model = getattr(getattr(serializer, "Meta", None), "model", None)
            if (
                isinstance(serializer, serializers.ModelSerializer)
                and isinstance(model, type)
                and issubclass(model, Versioned)
            ):
                return True
        return False


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

    schema = VersionedAutoSchema()
    queryset: QuerySet
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

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

    def get_object(self) -> Model:
        # Fetched once per request: a write checks If-Match on the object it then changes.
        if getattr(self, "_object", None) is None:
            queryset = self.get_queryset()
            if self.request.method not in SAFE_METHODS:
                # A write hands its object to the service, which locks and reads it again, and is
                # answered from a fresh read: related rows prefetched here would be read for nothing.
                queryset = queryset.prefetch_related(None)
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
