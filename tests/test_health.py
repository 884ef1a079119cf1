"""`/healthz` and `/readyz`: for load balancers, without sign-in and without data."""

from __future__ import annotations

import subprocess

import pytest
from django.core.cache import cache
from django.db import DatabaseError
from django.test import Client, override_settings

from clientbase import health
from tests.test_cli import CLIENTBASE, subprocess_env


@pytest.mark.django_db
def test_healthz_answers_without_sign_in_database_or_host_check(django_assert_num_queries):
    client = Client(HTTP_HOST="10.0.0.7")  # a probe names the server by its address
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_readyz_checks_database_migrations_and_cache():
    response = Client(HTTP_HOST="10.0.0.7").get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok"},
    }


@override_settings(SECURE_SSL_REDIRECT=True)
def test_the_probes_are_not_redirected_to_https():
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db
def test_readyz_names_what_fails_and_answers_503(monkeypatch):
    def broken(*args, **kwargs):
        raise DatabaseError("could not connect to server at 10.1.2.3 as user clientbase")

    monkeypatch.setattr(health.connection, "cursor", broken)
    monkeypatch.setattr(cache, "set", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("cache down")))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "unreachable"
    assert body["checks"]["cache"] == "unreachable"
    assert "10.1.2.3" not in response.content.decode()  # never an exception's text


@pytest.mark.django_db
def test_readyz_counts_migrations_not_applied(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)

    class Executor:
        def __init__(self, connection):
            self.loader = type(
                "Loader", (), {"graph": type("Graph", (), {"leaf_nodes": lambda self: []})()}
            )()

        def migration_plan(self, targets):
            return [("contacts.0099", False), ("workorders.0099", False)]

    monkeypatch.setattr(health, "MigrationExecutor", Executor)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "2 not applied"


@pytest.mark.django_db
def test_head_answers_the_status_without_a_body():
    for path in ("/healthz", "/readyz"):
        response = Client().head(path)
        assert response.status_code == 200 and response.content == b""


def test_only_get_and_head():
    response = Client().post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_redis_url_shares_the_cache_and_warns_about_a_key_of_one_machine(tmp_path):
    env = {**subprocess_env(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/9"}
    env.pop("SECRET_KEY", None)
    program = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    shown = subprocess.run(
        [CLIENTBASE, "shell", "--no-imports", "-c", program],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "django.core.cache.backends.redis.RedisCache", shown.stderr
    checked = subprocess.run([CLIENTBASE, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert "clientbase.W001" in checked.stderr + checked.stdout
    env["SECRET_KEY"] = "one-key-for-every-server-of-this-installation-0123456789"
    checked = subprocess.run([CLIENTBASE, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert "clientbase.W001" not in checked.stderr + checked.stdout
    env.pop("REDIS_URL")
    shown = subprocess.run(
        [CLIENTBASE, "shell", "--no-imports", "-c", program],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache"


@pytest.mark.django_db
def test_a_shared_cache_that_does_not_answer_is_a_503_not_a_500(settings):
    """Sign-in counts live in the cache: with Redis down, signing in answers 503 with a message
    (pages and API), never a 500; /readyz says why."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    page = Client().post("/accounts/login/", {"username": "someone", "password": "wrong-password"})
    assert page.status_code == 503
    assert "its shared cache does not answer" in page.content.decode()
    api = Client().post(
        "/api/v1/auth/token/", {"username": "someone", "password": "x"}, content_type="application/json"
    )
    assert api.status_code == 503
    assert api.json()["detail"].startswith("This service is briefly unavailable")
    assert Client().get("/readyz").json()["checks"]["cache"] == "unreachable"
