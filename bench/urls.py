"""clientbase's URLs plus the bare baseline views the benchmarks compare against."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from bench.queries import BASELINE_QUERIES
from clientbase.urls import urlpatterns as clientbase_urlpatterns


def bare_view(request: HttpRequest, name: str) -> JsonResponse:
    """The least a Django view can do for the same answer: one raw query, rows as JSON."""
    sql, params = BASELINE_QUERIES[name](request.GET)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return JsonResponse({"results": rows}, json_dumps_params={"default": str})


urlpatterns = [path("bench/bare/<str:name>/", bare_view), *clientbase_urlpatterns]
