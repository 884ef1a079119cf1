"""Strict serializers and the base viewset that asks `access` for everything."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from rest_framework import exceptions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from clientbase import access
from clientbase.errors import Forbidden


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


class ScopedModelViewSet(viewsets.ModelViewSet):
    """CRUD over `queryset`, scoped by `access.restrict`, writing through services.

    Subclasses name the services; a service takes `acting_user` and `data` (validated, with
    referenced objects resolved) and does every rule check itself."""

    queryset: QuerySet
    create_service: ClassVar[Callable[..., Model]]
    update_service: ClassVar[Callable[..., Model]]
    delete_service: ClassVar[Callable[..., None]]
    instance_kwarg: ClassVar[str]
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

    def get_object(self) -> Model:
        return access.fetch(
            self.request.user, self.get_queryset(), self.kwargs[self.lookup_url_kwarg or "pk"]
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        access.require_model(request.user, access.ADD, self.model)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        instance = type(self).create_service(acting_user=self.request.user, data=serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=instance.pk)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        kwargs = {self.instance_kwarg: serializer.instance}
        instance = type(self).update_service(
            acting_user=self.request.user, data=serializer.validated_data, **kwargs
        )
        serializer.instance = self.get_queryset().get(pk=instance.pk)

    def perform_destroy(self, instance: Model) -> None:
        type(self).delete_service(acting_user=self.request.user, **{self.instance_kwarg: instance})
