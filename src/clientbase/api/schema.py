"""The OpenAPI description of the API (drf-spectacular), told as the server behaves.

`ApiAutoSchema` (`DEFAULT_SCHEMA_CLASS`) describes each operation with, besides what
drf-spectacular reads from its view and serializers:

- its error answers, each from the one table the exception handler answers with
  (`clientbase.api.errors.ERROR_ANSWERS`), declared by what the operation can answer
  (`error_statuses`): 400 when it takes parameters or a body, 401 and 403 when it needs a
  signed-in caller, 404 when its path names an object, 409 for a write, 412 with `If-Match`, 415
  with a body, 429 when it is throttled, 503 always (any request may write: an audit event, a
  refusal recorded); 414, the web server's, when it takes a query. An answer the view declares
  itself (`extend_schema(responses={429: OpenApiResponse(description=...)})`) keeps its
  description and gets the same body and headers;
- the `If-Match` header (with its syntax) on PUT, PATCH and DELETE of a versioned model, and the
  `ETag` header on every answer that is one versioned object;
- ids as the server reads them (a whole number from 1 to 2**63-1), in paths, filters and bodies;
- filters as their FilterSet reads them: booleans, bounds, enums of choices read from registries
  (events, audit types); an empty value is no filter (`allowEmptyValue`), also for a view that
  says so (`empty_query_is_absent`);
- request bodies as JSON only (the browsable API's forms aside), refusing unknown fields
  (`additionalProperties: false`) where the serializer does (`StrictSerializerMixin`), text under
  the text rules as a pattern (`text_pattern`), amounts as `json_type_refusal` reads them;
- the view's own docstring as the description (not one inherited from a base class), followed by
  the rules a schema cannot state (`unstated_rules`: the view's `schema_rules` and its references
  by id); only these operations may refuse a valid-looking request (schemathesis.toml).

`answered_as` gives a serializer an example of its object, shown on the docs page; `add_links` (a
postprocessing hook) links each create to the operations on the object it created, so that
clients (and schemathesis' stateful tests) can follow create → read → update → delete."""

from __future__ import annotations

import inspect
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.encoding import force_str
from drf_spectacular.drainage import has_override
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_media_type_object
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema_serializer
from gunicorn.config import LimitRequestLine
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.relations import ManyRelatedField, PrimaryKeyRelatedField

from clientbase import text
from clientbase.api.errors import (
    BAD_REQUEST,
    CONFLICT,
    ERROR_ANSWERS,
    FORBIDDEN,
    NOT_FOUND,
    PRECONDITION_FAILED,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    UNAUTHORIZED,
    UNSUPPORTED_MEDIA_TYPE,
    ErrorAnswer,
)
from clientbase.api.filters import MAX_ID
from clientbase.errors import BUSY_MESSAGE
from clientbase.versions import Versioned

# An If-Match value the server reads (`clientbase.api.viewsets.parse_if_match`): `*`, or a
# comma-separated list of entity tags, each optionally weak (`W/"3"`).
IF_MATCH_PATTERN = r'^(\*|(W/)?"[!#-~]*"( ?, ?(W/)?"[!#-~]*")*)$'

IF_MATCH = OpenApiParameter(
    "If-Match",
    {"type": "string", "pattern": IF_MATCH_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag this change is based on, e.g. `"3"`. When the object has changed since '
    "(its version is another), the write is refused with 412 and nothing changes. Without it, "
    "or with `*`, the write is not checked. A list of tags matches when any strong one names the "
    "current version; a weak one never does.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201],
    required=True,
    description='The version of the object answered, as a strong entity tag (e.g. `"3"`); it goes '
    "up with every change. Send it back as `If-Match` to refuse a write over someone else's change.",
)

# The id of an object in a path: the server reads a whole number from 1 to 2**63-1.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID, "format": "int64"}

# The operations a view's `schema_rules["write"]` apply to: a viewset's create and update, an
# APIView's POST, PUT and PATCH.
WRITES = frozenset({"create", "update", "partial_update", "post", "put", "patch"})

# gunicorn's answer to a request line longer than `limit_request_line` (clientbase serve keeps
# gunicorn's default).
URI_TOO_LONG_STATUS = 414

ERROR_DETAIL = "ErrorDetail"
FIELD_ERRORS = "FieldErrors"

# The headers error answers carry.
RETRY_AFTER = {
    "description": "Seconds to wait before asking again (a whole number, at least 1).",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
WWW_AUTHENTICATE = {
    "description": "`Token`: how to authenticate (`Authorization: Token <key>`).",
    "schema": {"type": "string"},
}

# Examples of the bodies, shown on the API docs page.
# The error answers are one set of components shared by every operation, so their examples are
# schematic: a field error names the field (`field` here) as the body or query names it.
ERROR_EXAMPLES: dict[int, Any] = {
    400: {
        "field": ["This field is required."],
        "other_field": ["Ensure this field has no more than 200 characters."],
    },
    401: {"detail": "Authentication credentials were not provided."},
    403: {"detail": "You may not change “approval_limit”: it needs the approval-authority permission."},
    404: {"detail": "Not found."},
    409: {"detail": "The change conflicts with the data as it is now: the answer names the rule."},
    412: {
        "detail": "This contact was changed by someone else since version 3; it is now at version 4. "
        "Nothing was saved: load it again and reapply your change."
    },
    415: {"detail": 'Unsupported media type "text/plain" in request.'},
    429: {"detail": "Request was throttled. Expected available in 42 seconds."},
    503: {"detail": BUSY_MESSAGE},
}


class ApiAutoSchema(AutoSchema):
    """The schema of every API view (`DEFAULT_SCHEMA_CLASS`); see the module's docstring."""

    # What the operation can answer -------------------------------------------------------------

    def error_statuses(self) -> set[int]:
        """The error answers this operation can give (statuses of `ERROR_ANSWERS`)."""
        statuses = {SERVICE_UNAVAILABLE.status}
        parameters = self._get_parameters()
        has_body = self.method not in SAFE_METHODS and self.get_request_serializer() is not None
        if parameters or has_body:
            statuses.add(BAD_REQUEST.status)
        if has_body:
            statuses.add(UNSUPPORTED_MEDIA_TYPE.status)
        if self._needs_sign_in():
            statuses |= {UNAUTHORIZED.status, FORBIDDEN.status}
            if self.method not in SAFE_METHODS:
                statuses.add(CONFLICT.status)
        if any(parameter["in"] == "path" for parameter in parameters):
            statuses.add(NOT_FOUND.status)
        if any(parameter["in"] == "header" and parameter["name"] == "If-Match" for parameter in parameters):
            statuses.add(PRECONDITION_FAILED.status)
        if self.view.get_throttles():
            statuses.add(TOO_MANY_REQUESTS.status)
        return statuses

    def _needs_sign_in(self) -> bool:
        permissions = self.view.get_permissions()
        return bool(self.view.get_authenticators()) and not all(
            isinstance(permission, AllowAny) for permission in permissions
        )

    # Answers -----------------------------------------------------------------------------------

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status in self.error_statuses():
            responses.setdefault(str(status), {"$ref": self._error_response(ERROR_ANSWERS[status])})
        if any(parameter["in"] == "query" for parameter in self._get_parameters()):
            responses.setdefault(str(URI_TOO_LONG_STATUS), {"$ref": self._uri_too_long()})
        for code, response in list(responses.items()):
            answer = ERROR_ANSWERS.get(int(code)) if code.isdigit() else None
            if answer is not None and "$ref" not in response and not response.get("content"):
                # Named by the view with a description of its own: the answer's body and headers.
                responses[code] = {
                    **self._error_response_object(answer),
                    "description": response.get("description") or answer.description,
                }
        return dict(sorted(responses.items()))

    def _error_response(self, answer: ErrorAnswer) -> str:
        """The reference to `answer`'s response component, registered on first use."""
        component = ResolvedComponent(
            name=answer.name,
            type=ResolvedComponent.RESPONSE,
            object=f"error-answer-{answer.status}",
            schema=self._error_response_object(answer),
        )
        self.registry.register_on_missing(component)
        return f"#/components/responses/{answer.name}"

    def _uri_too_long(self) -> str:
        """The web server's answer to a request line it does not read (a query too long)."""
        component = ResolvedComponent(
            name="URITooLong",
            type=ResolvedComponent.RESPONSE,
            object="uri-too-long",
            schema={
                "description": f"The request line (method, path and query) is longer than the web "
                f"server reads ({LimitRequestLine.default} bytes, gunicorn's `limit_request_line`); "
                "answered by the web server, as a page, before the API sees it.",
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
        )
        self.registry.register_on_missing(component)
        return f"#/components/responses/{component.name}"

    def _error_response_object(self, answer: ErrorAnswer) -> dict[str, Any]:
        """`answer` as an OpenAPI response: its description, its JSON body, its headers."""
        schema = self._error_schema(answer)
        example = ERROR_EXAMPLES.get(answer.status)
        media = build_media_type_object(schema)
        if example is not None:
            media["example"] = example
        response: dict[str, Any] = {"description": answer.description, "content": {"application/json": media}}
        headers: dict[str, Any] = {}
        if answer.retry_after:
            headers["Retry-After"] = RETRY_AFTER
        if answer is UNAUTHORIZED:
            headers["WWW-Authenticate"] = WWW_AUTHENTICATE
        if headers:
            response["headers"] = headers
        return response

    def _error_schema(self, answer: ErrorAnswer) -> dict[str, Any]:
        detail = self._schema_component(
            ERROR_DETAIL,
            {
                "type": "object",
                "description": "An error in words: what was refused and why.",
                "properties": {"detail": {"type": "string"}},
                "required": ["detail"],
            },
        )
        if not answer.fields:
            return detail
        fields = self._schema_component(
            FIELD_ERRORS,
            {
                "type": "object",
                "description": "The refused fields (a query parameter, a body field; "
                "`non_field_errors` for the body as a whole), each with its messages; a nested "
                "field's errors nest the same way (a list's by position).",
                "additionalProperties": {"anyOf": [{"type": "array"}, {"type": "object"}]},
            },
        )
        return {"anyOf": [fields, detail]}

    def _schema_component(self, name: str, schema: dict[str, Any]) -> dict[str, str]:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    # Versions: If-Match and ETag ---------------------------------------------------------------

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
        stale = OpenApiResponse(description=PRECONDITION_FAILED.description)
        if isinstance(responses, dict):
            return {**responses, 412: stale}
        if self.method == "DELETE":
            return {204: None, 412: stale}
        return {200: responses, 412: stale}

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

    # Parameters, bodies, descriptions ----------------------------------------------------------

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"] = dict(ID_SCHEMA)
        return parameters

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_parameters()
        if getattr(self.view, "empty_query_is_absent", False):
            # The view reads an empty optional parameter as one not given.
            _empty_means_absent(parameters)
        return parameters

    def _get_filter_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_filter_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        filters = filterset_class.base_filters if filterset_class is not None else {}
        for parameter in parameters:
            spec = filters.get(parameter["name"])
            choices = spec.extra.get("choices") if isinstance(spec, django_filters.ChoiceFilter) else None
            if callable(choices):
                # Choices read from a registry when asked (events, audit types): the values now,
                # when every app has registered its own.
                parameter["schema"]["enum"] = [value for value, _label in choices()]
            if spec is not None:
                _describe_filter(parameter["schema"], spec)
        return _empty_means_absent(parameters)

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        return _empty_means_absent(super()._get_pagination_parameters())

    def map_parsers(self) -> list[Any]:
        # JSON is the API's body; the form parsers serve the browsable API's forms. Views that
        # take files (imports) name their own parsers.
        media_types = super().map_parsers()
        return ["application/json"] if "application/json" in media_types else media_types

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        # A field whose schema is given whole (`extend_schema_field`) is described by it alone:
        # its serializer field may take more (a blank value) for the service to refuse.
        if not has_override(field, "field"):
            super()._insert_field_validators(field, schema)

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction != "request":
            return schema
        if getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        for name, field in serializer.fields.items():
            described = schema.get("properties", {}).get(name)
            if not isinstance(described, dict):
                continue
            if isinstance(field, serializers.CharField):
                _describe_text(described, field, _model_field(model, field))
            elif isinstance(field, serializers.DecimalField):
                _describe_amount(described, field)
            elif isinstance(field, PrimaryKeyRelatedField) and described.get("type") == "integer":
                described.update(ID_SCHEMA)
            elif (
                isinstance(field, ManyRelatedField)
                and isinstance(field.child_relation, PrimaryKeyRelatedField)
                and described.get("items", {}).get("type") == "integer"
            ):
                described["items"].update(ID_SCHEMA)
        return schema

    def get_description(self) -> str:  # type: ignore[override]
        action = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        action_doc = force_str(getattr(action, "__doc__", None) or "")
        view_doc = force_str(type(self.view).__dict__.get("__doc__") or "")
        description = inspect.cleandoc(action_doc) or inspect.cleandoc(view_doc)
        rules = self.unstated_rules()
        if rules:
            listed = "\n".join(f"- {rule}" for rule in rules)
            description += (
                "\n\n**Rules the schema cannot state** (a well-formed request that breaks one is "
                f"a 400 naming the field):\n\n{listed}"
            )
        return description

    def unstated_rules(self) -> list[str]:
        """What this operation refuses with a 400 although the request is as described: the view's
        `schema_rules` (`{action or method: [rule]}`) and, for a body,
        its references by id (they must name objects the caller may see). `"write"` rules apply to
        the creates and updates (`WRITES`)."""
        declared = getattr(self.view, "schema_rules", {})
        action = getattr(self.view, "action", None) or self.method.lower()
        rules = list(declared.get(action, []))
        if action in WRITES:
            rules = [*declared.get("write", []), *rules]
        if self.method not in SAFE_METHODS:
            serializer = self.get_request_serializer() if self.method != "DELETE" else None
            references = _references(serializer)
            if references:
                names = ", ".join(f"`{name}`" for name in references)
                rules.insert(0, f"{names}: the id of an existing object the caller may see.")
        return rules


# The characters the text rules refuse (`clientbase.text`): in single-line text, every control
# character, the line separators, the bidirectional controls and the zero-width characters; in
# multi-line text the same less line feed, carriage return and tab.
_REFUSED_SINGLE_LINE = sorted(
    {
        *map(chr, range(0x00, 0x20)),
        *map(chr, range(0x7F, 0xA0)),
        *text.LINE_SEPARATORS,
        *text.BIDI_CONTROLS,
        *text.ZERO_WIDTH,
    }
)
_REFUSED_MULTI_LINE = [char for char in _REFUSED_SINGLE_LINE if char not in text.MULTI_LINE_CONTROLS]


def _character_class(chars: list[str]) -> str:
    """`chars` (sorted) as the inside of a regular-expression class, in runs: `\\u0000-\\u001f...`."""
    runs: list[list[int]] = []
    for code in map(ord, chars):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}" for start, end in runs
    )


def text_pattern(*, multiline: bool, blank: bool) -> str:
    """The pattern of a text field under the text rules: none of the refused characters, and
    (`blank` False) at least one character that is not white space, as the serializer trims it."""
    refused = _character_class(_REFUSED_MULTI_LINE if multiline else _REFUSED_SINGLE_LINE)
    if blank:
        return f"^[^{refused}]*$"
    return f"^[^{refused}]*[^\\s{refused}][^{refused}]*$"


def _model_field(model: Any, field: serializers.Field) -> Any:
    if model is None or not isinstance(field.source, str) or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


def _describe_text(schema: dict[str, Any], field: serializers.CharField, model_field: Any) -> None:
    """The rules of a text the request writes: a model's text field follows the text rules
    (single- or multi-line); any other text refuses NUL (as DRF's `CharField` does); a field that
    may not be blank needs a character that is not white space when trimmed."""
    if schema.get("type") != "string" or "enum" in schema or "format" in schema or "pattern" in schema:
        return
    blank = field.allow_blank or not field.trim_whitespace
    if model_field is not None and text.is_text_field(model_field):
        schema["pattern"] = text_pattern(multiline=text.is_multiline(model_field), blank=blank)
    elif blank:
        schema["pattern"] = "^[^\\u0000]*$"
    else:
        schema["pattern"] = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def _references(serializer: Any) -> list[str]:
    """The fields of a request serializer that name other objects by id."""
    if serializer is None or isinstance(serializer, dict) or not hasattr(serializer, "fields"):
        return []
    if isinstance(serializer, type):
        serializer = serializer()
    return [
        name
        for name, field in serializer.fields.items()
        if not field.read_only
        and (
            isinstance(field, PrimaryKeyRelatedField)
            or (
                isinstance(field, ManyRelatedField)
                and isinstance(field.child_relation, PrimaryKeyRelatedField)
            )
        )
    ]


def _describe_amount(schema: dict[str, Any], field: serializers.DecimalField) -> None:
    """An amount as a request gives it (`clientbase.api.viewsets.json_type_refusal`): a string of
    digits with at most the field's decimal places (`"12.50"`), or a whole number; within its
    digits and bounds; where null is allowed, a blank string is null too."""
    whole_digits = (field.max_digits or 28) - (field.decimal_places or 0)
    negative = field.min_value is None or field.min_value < 0
    sign = "-?" if negative else ""
    places = f"(\\.[0-9]{{1,{field.decimal_places}}})?" if field.decimal_places else ""
    largest = 10**whole_digits - 1
    whole = {
        "type": "integer",
        "minimum": int(field.min_value) if field.min_value is not None else -largest,
        "maximum": int(field.max_value) if field.max_value is not None else largest,
    }
    kept = {key: value for key, value in schema.items() if key in ("description", "nullable", "title")}
    shapes = [{"type": "string", "pattern": f"^{sign}[0-9]{{1,{whole_digits}}}{places}$"}, whole]
    if field.allow_null:
        # DRF reads a blank amount as none (null) where null is allowed.
        shapes.append({"type": "string", "pattern": "^\\s*$"})
    schema.clear()
    schema.update({"anyOf": shapes, **kept})


def _describe_filter(schema: dict[str, Any], spec: django_filters.Filter) -> None:
    """A boolean filter as a boolean; the bounds a filter's form field checks (`min_value`,
    `max_value`, `max_length`), and a number filter reading whole numbers as an integer."""
    if isinstance(spec, django_filters.BooleanFilter):
        # `true` or `false` (`clientbase.api.filters.check_booleans`), whatever its method's hint.
        schema.clear()
        schema["type"] = "boolean"
        return
    whole = isinstance(spec, django_filters.NumberFilter) and issubclass(spec.field_class, forms.IntegerField)
    if whole and schema.get("type") == "number":
        schema["type"] = "integer"
    bounds = {"min_value": "minimum", "max_value": "maximum", "max_length": "maxLength"}
    for option, keyword in bounds.items():
        value = spec.extra.get(option)
        if value is not None and keyword not in schema:
            schema[keyword] = value


def answered_as(name: str, value: dict[str, Any]) -> Any:
    """A serializer decorator: `value` is an example of the object as the API answers it, shown
    with every answer of it on the API docs page (not used as a request)."""
    return extend_schema_serializer(examples=[OpenApiExample(name, value=value, response_only=True)])


def _empty_means_absent(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The optional query parameters of a FilterSet and of the pagination: an empty value
    (`?customer=`) is no filter (the default page), as django-filter and `Pagination` read it."""
    for parameter in parameters:
        if parameter.get("in") == "query" and not parameter.get("required"):
            parameter["allowEmptyValue"] = True
    return parameters


def add_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """A postprocessing hook: the answer of each create (`POST <collection>/`, 201 with an `id`)
    links to every operation on the object it made (`<collection>/{id}/...`), with `id` taken
    from the answer's body (OpenAPI links)."""
    paths = result.get("paths", {})
    for path, item in paths.items():
        create = item.get("post")
        answer = (create or {}).get("responses", {}).get("201")
        if not answer or "content" not in answer:
            continue
        links = {}
        for other_path, other_item in paths.items():
            if not other_path.startswith(f"{path}{{id}}/"):
                continue
            for method, operation in other_item.items():
                if method not in {"get", "put", "patch", "delete", "post"}:
                    continue
                name = _link_name(method, other_path[len(path) :])
                links[name] = {
                    "operationId": operation["operationId"],
                    "parameters": {"id": "$response.body#/id"},
                }
        if links:
            answer["links"] = links
    return result


def add_id_examples(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """A postprocessing hook: an id in a path has the example 1 (the docs page would otherwise
    show its maximum, 2⁶³ - 1, which JavaScript rounds beyond it)."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    parameter.setdefault("example", 1)
    return result


def _link_name(method: str, rest: str) -> str:
    """`GetById`, `PatchById`, `PostMakePrimary`: a link's name from its method and the path
    after the collection (`{id}/`, `{id}/make-primary/`)."""
    segments = rest.strip("/").split("/")[1:]
    action = "".join(word.capitalize() for segment in segments for word in segment.split("-"))
    return f"{method.capitalize()}{action or 'ById'}"
