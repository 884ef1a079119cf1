"""The one settings module. Production differs from development only by environment variables."""

import datetime
import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from babel.numbers import is_currency
from django.core.exceptions import ImproperlyConfigured

from clientbase.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CLIENTBASE_VAR_DIR", Path.cwd() / "var")).resolve()
# var/ holds the database, the secret key and the cache: readable by this user only (0700); the
# SQLite file and its WAL/SHM files are made 0600 (`clientbase.private_files`).
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if VAR_DIR.stat().st_mode & 0o077 and VAR_DIR.stat().st_uid == os.getuid():
    VAR_DIR.chmod(0o700)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/.

    The generated key is for one machine only: sessions, password-reset and portal links, and
    signed values made with it are valid on this machine alone. Servers of one installation (several
    app servers behind a proxy) share one SECRET_KEY by environment (docs/deploy.md); the system
    check clientbase.W001 warns when REDIS_URL is set and the key comes from var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "csp",
    "clientbase.apps.ClientbaseConfig",
    "clientbase.customers",
    "clientbase.contacts",
    "clientbase.contracts",
    "clientbase.workorders",
    "clientbase.notifications",
    "clientbase.transfer",
    "clientbase.portal",
    "clientbase.quality",
    "clientbase.reports",
    "clientbase.audit",
]

MIDDLEWARE = [
    # Every request's id: from the proxy's X-Request-ID or new, in the answer and in every log line.
    "clientbase.logs.RequestIdMiddleware",
    # /healthz and /readyz: answered first, no sign-in, host check or HTTPS redirect (clientbase.health).
    "clientbase.health.HealthMiddleware",
    # /metrics for the addresses CLIENTBASE_METRICS_ALLOWED names; times every request (clientbase.metrics).
    "clientbase.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The Content-Security-Policy header of every page (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signs a portal user out once its access is not current (revoked, support end passed).
    "clientbase.portal.middleware.PortalSessionMiddleware",
    # A busy database (a lock wait timed out, a deadlock) is a 503 with Retry-After, never a 500.
    "clientbase.middleware.BusyDatabaseMiddleware",
]

# Staff sign in by username (StaffBackend: ModelBackend for staff only); portal contacts by e-mail
# address (PortalBackend).
AUTHENTICATION_BACKENDS = [
    "clientbase.backends.StaffBackend",
    "clientbase.portal.backends.PortalBackend",
]

ROOT_URLCONF = "clientbase.urls"
WSGI_APPLICATION = "clientbase.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # `{{ amount|money }}` in every template: the amount in CLIENTBASE_CURRENCY.
            "builtins": ["clientbase.templatetags.money", "clientbase.templatetags.dates"],
        },
    },
]

# Database: DATABASE_URL, else an SQLite file in var/ (WAL, busy timeout, IMMEDIATE transactions so
# that concurrent writers queue instead of failing with "database is locked").
_sqlite_default = f"sqlite:///{VAR_DIR / 'clientbase.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _sqlite_default))}
# Seconds a write waits for a lock another transaction holds (a long import, even its dry run,
# holds SQLite's one write lock throughout) before it gives up; the request is then answered 503
# "the database is busy", nothing saved (`clientbase.errors.is_busy_database_error`).
CLIENTBASE_DB_LOCK_TIMEOUT = float(os.environ.get("CLIENTBASE_DB_LOCK_TIMEOUT") or "20")


def apply_lock_timeout(database: dj_database_url.DBConfig, seconds: float) -> None:
    """Bound a lock wait of `database` (a DATABASES entry) to `seconds`: SQLite's busy `timeout`
    (seconds), PostgreSQL's `lock_timeout` (milliseconds, through the connection's `options`, kept
    beside any the DATABASE_URL gave; a `lock_timeout` given there wins). At least 1 ms, so that 0
    means "do not wait" on both (PostgreSQL reads 0 as "wait for ever")."""
    milliseconds = max(1, round(seconds * 1000))
    options = database.setdefault("OPTIONS", {})
    if database["ENGINE"] == "django.db.backends.sqlite3":
        options["timeout"] = milliseconds / 1000
    elif "postgresql" in database["ENGINE"]:
        given = str(options.get("options") or "")
        if "lock_timeout" not in given:
            options["options"] = f"{given} -c lock_timeout={milliseconds}".strip()


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
    if "PYTEST_XDIST_WORKER" in os.environ or os.environ.get("CLIENTBASE_TESTING"):
        # A file, not shared-cache memory, so threaded tests see real SQLite locking.
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
    if test_name := os.environ.get("CLIENTBASE_TEST_DB_NAME"):
        # Lets several test runs share one PostgreSQL server without colliding.
        DATABASES["default"]["TEST"] = {"NAME": test_name}
apply_lock_timeout(DATABASES["default"], CLIENTBASE_DB_LOCK_TIMEOUT)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds what every server process must share: login and token throttles, lockouts, the
# stored data-quality counts. REDIS_URL (e.g. redis://cache.internal:6379/0) shares it between
# machines (several app servers behind a proxy); without it, a file cache in var/ shares it between
# the processes of this machine only.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
if REDIS_URL and not os.environ.get("CLIENTBASE_TESTING"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CLIENTBASE_CACHE_PREFIX", "clientbase"),
        }
    }
elif os.environ.get("CLIENTBASE_TESTING"):  # the fleet test runs servers with REDIS_URL, not this
    # Each test process its own cache, so that parallel test processes (pytest -n) count apart.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The currency of every amount (quotes, invoices, approval limits): an ISO 4217 code (clientbase.money).
CLIENTBASE_CURRENCY = os.environ.get("CLIENTBASE_CURRENCY", "USD").strip().upper() or "USD"
if not is_currency(CLIENTBASE_CURRENCY):
    raise ImproperlyConfigured(
        f"CLIENTBASE_CURRENCY={CLIENTBASE_CURRENCY!r} is not an ISO 4217 currency code (USD, EUR, GBP, ...)."
    )
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# Opening hours in TIME_ZONE (e.g. "Mon-Fri 08:00-18:00; Sat 09:00-13:00"); outside them the work-order
# page lists the emergency contacts first. Checked when the apps load (clientbase.workorders.business_hours).
CLIENTBASE_BUSINESS_HOURS = os.environ.get("CLIENTBASE_BUSINESS_HOURS", "").strip() or "Mon-Fri 08:00-18:00"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or os.environ.get("CLIENTBASE_TESTING"):
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "clientbase.audit.views.csrf_failure"  # records the refusal, then Django's 403 page
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# HTTPS: assumed as soon as ALLOWED_HOSTS names anything beyond the loopback defaults (a real site
# is served over TLS by a reverse proxy, which must set X-Forwarded-Proto and must be the only way
# in); `make run` on 127.0.0.1 stays plain http. CLIENTBASE_HTTPS=false/true overrides the guess.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1", "testserver"})
CLIENTBASE_HTTPS = env_bool("CLIENTBASE_HTTPS", any(host not in LOOPBACK_HOSTS for host in ALLOWED_HOSTS))
if CLIENTBASE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Strict-Transport-Security, one year by default: browsers then refuse plain http to this site
    # (and its subdomains) for that long. CLIENTBASE_HSTS_SECONDS=0 leaves the header out.
    SECURE_HSTS_SECONDS = int(os.environ.get("CLIENTBASE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CLIENTBASE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("CLIENTBASE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content Security Policy (django-csp), the second wall behind escaping: scripts and styles only
# from this site's files (no inline script, no inline event handler, no inline style, no eval),
# images also as data: URIs, no plugins, forms posting only here, no page framed by another site.
# The one page with a policy of its own is the HTML part of a mail on the message page
# (`clientbase.notifications.views.MAIL_FRAME_POLICY`: a sandboxed frame, inline styles only).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Mail: real SMTP when EMAIL_HOST is set, otherwise messages stay in the outbox.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clientbase <noreply@localhost>")
# Outbox retries (seconds): exponential backoff from the base, capped so that delivery resumes within
# two minutes of an SMTP outage ending.
CLIENTBASE_MAIL_RETRY_BASE = float(os.environ.get("CLIENTBASE_MAIL_RETRY_BASE", "5"))
CLIENTBASE_MAIL_RETRY_MAX = float(os.environ.get("CLIENTBASE_MAIL_RETRY_MAX", "60"))
# "Send test e-mail" (`clientbase.notifications.services.send_test_email`, every surface): at most one
# to a contact per INTERVAL seconds, at most PER_HOUR asked for by one user within an hour; 0 lifts
# a limit.
CLIENTBASE_TEST_EMAIL_INTERVAL = int(os.environ.get("CLIENTBASE_TEST_EMAIL_INTERVAL") or "300")
CLIENTBASE_TEST_EMAIL_PER_HOUR = int(os.environ.get("CLIENTBASE_TEST_EMAIL_PER_HOUR") or "20")
# E-mails one user may write from the records (contact and customer pages, send-email/) per hour.
CLIENTBASE_SEND_EMAIL_PER_HOUR = int(os.environ.get("CLIENTBASE_SEND_EMAIL_PER_HOUR") or "60")

CLIENTBASE_DEFAULT_REGION = os.environ.get("CLIENTBASE_DEFAULT_REGION", "US").upper()


# Sign-in lockout of every way of signing in (staff, admin, portal, API token; `clientbase.lockout`):
# failed sign-ins per sign-in name and per client address before a lockout of LOCKOUT seconds,
# counted in the default cache. CLIENTBASE_LOGIN_* are the names; the former
# CLIENTBASE_PORTAL_LOGIN_* environment variables still work when the new ones are not set.
def _login_setting(name: str, default: str) -> int:
    value = os.environ.get(f"CLIENTBASE_LOGIN_{name}") or os.environ.get(f"CLIENTBASE_PORTAL_LOGIN_{name}")
    return int(value or default)


CLIENTBASE_LOGIN_ATTEMPTS = _login_setting("ATTEMPTS", "5")
CLIENTBASE_LOGIN_IP_ATTEMPTS = _login_setting("IP_ATTEMPTS", "20")
CLIENTBASE_LOGIN_LOCKOUT = _login_setting("LOCKOUT", "900")
CLIENTBASE_PORTAL_LOGIN_ATTEMPTS = CLIENTBASE_LOGIN_ATTEMPTS
CLIENTBASE_PORTAL_LOGIN_IP_ATTEMPTS = CLIENTBASE_LOGIN_IP_ATTEMPTS
CLIENTBASE_PORTAL_LOGIN_LOCKOUT = CLIENTBASE_LOGIN_LOCKOUT
# Days an audit event is kept; `clientbase purge_audit` deletes older ones.
CLIENTBASE_AUDIT_RETENTION_DAYS = int(os.environ.get("CLIENTBASE_AUDIT_RETENTION_DAYS") or "365")
# Days the facts of a sent, failed or bounced message, and what an import kept of the rows it
# changed, are kept; `clientbase purge_personal_data` clears older ones.
CLIENTBASE_MESSAGE_BODY_RETENTION_DAYS = int(
    os.environ.get("CLIENTBASE_MESSAGE_BODY_RETENTION_DAYS") or "365"
)
CLIENTBASE_IMPORT_FILE_RETENTION_DAYS = int(os.environ.get("CLIENTBASE_IMPORT_FILE_RETENTION_DAYS") or "90")
# Whose X-Forwarded-For counts (`clientbase.clientip`): comma-separated addresses or networks of
# the reverse proxies in front of this site; empty: REMOTE_ADDR is the client.
CLIENTBASE_TRUSTED_PROXIES = env_list("CLIENTBASE_TRUSTED_PROXIES", "")
# API tokens (django-rest-knox: stored as SHA-512 digests, shown once) never expire unless
# CLIENTBASE_TOKEN_TTL gives their lifetime in seconds.
_token_ttl = os.environ.get("CLIENTBASE_TOKEN_TTL", "").strip()
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(seconds=int(_token_ttl)) if _token_ttl else None,
    "AUTH_HEADER_PREFIX": "Token",
}

# Customer portal: reset mails per address per lockout period; the address customers reach this
# site at, for the links in invitation and reset mails (empty: the address of the request that
# caused them). A contact's support_start/support_end are days in TIME_ZONE: sign-in works from the
# start of the first day to the end of the last there. Links expire after PASSWORD_RESET_TIMEOUT
# (3 days).
CLIENTBASE_PORTAL_RESET_MAILS = int(os.environ.get("CLIENTBASE_PORTAL_RESET_MAILS", "3"))
CLIENTBASE_PORTAL_BASE_URL = os.environ.get("CLIENTBASE_PORTAL_BASE_URL", "")

# Uploads and imports (`clientbase.transfer.limits`, docs/import-export.md "Limits"): every file
# uploaded through the web is capped as it arrives (`clientbase.transfer.uploads`); imports through
# the web read at most IMPORT_MAX_ROWS rows; every import (the command line's too) refuses more than
# IMPORT_MAX_COLUMNS columns, a value longer than IMPORT_MAX_CELL_CHARS (Excel's own cell limit) and
# an XLSX workbook unpacking to more than XLSX_MAX_UNZIPPED_BYTES (its texts, held in memory, to
# more than XLSX_MAX_SHARED_STRINGS_BYTES, or holding more than XLSX_MAX_SHARED_STRINGS of them: 5
# different texts a row at the row cap). Request bodies other than files stay in memory up to
# DATA_UPLOAD_MAX_MEMORY_SIZE; uploaded files larger than FILE_UPLOAD_MAX_MEMORY_SIZE go to a
# temporary file; a request carries at most one file (the import's).
CLIENTBASE_UPLOAD_MAX_BYTES = int(os.environ.get("CLIENTBASE_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
CLIENTBASE_IMPORT_MAX_ROWS = int(os.environ.get("CLIENTBASE_IMPORT_MAX_ROWS", "100000"))
CLIENTBASE_IMPORT_MAX_COLUMNS = int(os.environ.get("CLIENTBASE_IMPORT_MAX_COLUMNS", "200"))
CLIENTBASE_IMPORT_MAX_CELL_CHARS = int(os.environ.get("CLIENTBASE_IMPORT_MAX_CELL_CHARS", "32767"))
CLIENTBASE_XLSX_MAX_UNZIPPED_BYTES = int(
    os.environ.get("CLIENTBASE_XLSX_MAX_UNZIPPED_BYTES", str(200 * 1024 * 1024))
)
CLIENTBASE_XLSX_MAX_SHARED_STRINGS_BYTES = int(
    os.environ.get("CLIENTBASE_XLSX_MAX_SHARED_STRINGS_BYTES", str(25 * 1024 * 1024))
)
CLIENTBASE_XLSX_MAX_SHARED_STRINGS = int(os.environ.get("CLIENTBASE_XLSX_MAX_SHARED_STRINGS", "500000"))
FILE_UPLOAD_HANDLERS = [
    "clientbase.transfer.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 1

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clientbase.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "clientbase.api.pagination.Pagination",
    # django-filter's, reading the FilterSets shared with the pages more strictly (booleans).
    "DEFAULT_FILTER_BACKENDS": ["clientbase.api.filters.FilterBackend"],
    # JSON nested beyond a few levels is refused before parsing (clientbase.api.parsers); forms
    # and multipart bodies carry the import uploads.
    "DEFAULT_PARSER_CLASSES": [
        "clientbase.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Every operation's error answers, If-Match/ETag, ids and bodies as the server reads them.
    "DEFAULT_SCHEMA_CLASS": "clientbase.api.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "clientbase.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        # DRF's browsable API, its pages allowing inline styles (not scripts) under the CSP.
        "clientbase.api.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {"auth_token": os.environ.get("CLIENTBASE_TOKEN_THROTTLE", "10/min")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "clientbase API",
    "DESCRIPTION": (
        "Customers, locations, assets and contacts for field-service companies; their work orders, "
        "quotes, invoices, service contracts and reports.\n\n"
        '**Getting started.** `POST /api/v1/auth/token/` with `{"username": …, "password": …}` '
        '(a staff user, or a portal user\'s e-mail address) answers `{"token": …}`; send it as '
        "`Authorization: Token <token>` (the Authorize button here). Bodies are JSON. Lists answer a "
        "page with `next` and `previous` links, filters are query parameters, an id of something outside "
        "your scope answers 404.\n\n"
        "**Writes.** Every object answers its `version` and an `ETag`; send it back as `If-Match` "
        "to refuse a write over someone else's change (412). A refused write changes nothing: 400 "
        'names each field (`{"field": ["message"]}`), 409 says which rule (`{"detail": …}`). '
        "Each operation lists its error answers, and the rules a schema cannot state in its text."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/schema/ and /api/docs/ are public on purpose: they describe the shape of the API (as the
    # open-source code does), the same for everybody, and hold no data.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_PUBLIC": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from the online validator (another site's image, refused by the CSP).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shown under one name wherever a serializer uses them.
    "ENUM_NAME_OVERRIDES": {"MessageStatusEnum": "clientbase.notifications.models.Message.Status"},
    # Links from each create to the operations on the object it made (clientbase.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clientbase.api.schema.add_links",
        "clientbase.api.schema.add_id_examples",
    ],
    # Operations grouped by what they act on (`contacts`, `work-orders`, …), not all under "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Who may read /metrics (Prometheus): addresses or networks, comma-separated (the client's address
# as clientbase.clientip reads it: X-Forwarded-For counts only from CLIENTBASE_TRUSTED_PROXIES).
CLIENTBASE_METRICS_ALLOWED = env_list("CLIENTBASE_METRICS_ALLOWED", "127.0.0.1,::1")
for _network in CLIENTBASE_METRICS_ALLOWED:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"CLIENTBASE_METRICS_ALLOWED: {_network!r} is not an address or network."
        ) from _error

# Log lines to stderr, each with its request's id (clientbase.logs): CLIENTBASE_LOG_FORMAT=json for
# one JSON object per line (log collectors), else text.
CLIENTBASE_LOG_FORMAT = os.environ.get("CLIENTBASE_LOG_FORMAT", "text").strip().lower() or "text"
if CLIENTBASE_LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"CLIENTBASE_LOG_FORMAT={CLIENTBASE_LOG_FORMAT!r}: text or json.")
LOGGING = logging_config(CLIENTBASE_LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))
