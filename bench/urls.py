"""clientbase's URLs plus the bare baseline views the benchmarks compare against: the least a
Django view can do for the same answer: the same reads (the token's and the permissions' among
them, replayed as captured), no framework, no serializer, no service."""

from __future__ import annotations

import json
from typing import Any

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench.queries import replay
from clientbase.contacts.models import Contact
from clientbase.urls import urlpatterns as clientbase_urlpatterns

# The captured statements each replay view runs, by name (set by the workloads before timing).
STATEMENTS: dict[str, list[str]] = {}


def replay_view(request: HttpRequest, name: str) -> JsonResponse:
    """Run the statements captured under `name` and answer their rows as JSON."""
    answers = replay(STATEMENTS[name])
    return JsonResponse({"results": answers}, json_dumps_params={"default": str})


@csrf_exempt
def insert_view(request: HttpRequest) -> JsonResponse:
    """One INSERT of the contact the JSON body describes (its fields as stored, `customer_name`
    for its search document), by the ORM's insert compiler: no validation, history or audit."""
    values: dict[str, Any] = json.loads(request.body)
    customer_name = values.pop("customer_name")
    contact = Contact(**values)
    contact.derive_fields(customer_name=customer_name)
    for field in contact._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            field.pre_save(contact, add=True)
    fields = [f for f in contact._meta.concrete_fields if not f.primary_key]
    rows = Contact._base_manager._insert(  # type: ignore[attr-defined]
        [contact], fields=fields, returning_fields=[Contact._meta.pk], using=connection.alias
    )
    return JsonResponse({"id": rows[0][0] if rows else None}, status=201)


urlpatterns = [
    path("bench/replay/<str:name>/", replay_view),
    path("bench/insert/", insert_view),
    *clientbase_urlpatterns,
]
