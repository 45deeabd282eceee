"""Django settings. Every deployment-specific value comes from the environment."""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
import django.conf.locale
from csp.constants import NONE, SELF

from madoguchi.core import languages as resident_languages

SRC_DIR = Path(__file__).resolve().parent
BASE_DIR = SRC_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MADOGUCHI_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _persistent_secret(filename: str) -> str:
    """Return a random secret kept in VAR_DIR so restarts keep sessions valid."""
    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(50)
    path.write_text(value)
    path.chmod(0o600)
    return value


TESTING = env_bool("MADOGUCHI_TESTING")
VAR_DIR.mkdir(parents=True, exist_ok=True)
DEBUG = env_bool("MADOGUCHI_DEBUG")
DEMO = env_bool("MADOGUCHI_DEMO")
BENCH = env_bool("MADOGUCHI_BENCH")
HTTPS = env_bool("MADOGUCHI_HTTPS")

SECRET_KEY = os.environ.get("MADOGUCHI_SECRET_KEY") or (
    "test-only-secret-key" if TESTING else _persistent_secret("secret_key")
)
ALLOWED_HOSTS = os.environ.get("MADOGUCHI_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("MADOGUCHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "django_prometheus",
    "csp",
    "madoguchi.core",
    "madoguchi.staff",
    "madoguchi.residents",
    "madoguchi.identity",
    "madoguchi.identity.contrib.oidc",
    "madoguchi.catalog",
    "madoguchi.registry",
    "madoguchi.registry.contrib.http",  # before file_import: when configured, the counter asks it
    "madoguchi.registry.contrib.file_import",
    "madoguchi.forms",
    "madoguchi.applications",
    "madoguchi.issuance",
    "madoguchi.approvals",
    "madoguchi.payments",
    "madoguchi.counter",
    "madoguchi.bpr",
    "madoguchi.translations",
    "madoguchi.retention",
    "madoguchi.channels",
    "madoguchi.search",
    "madoguchi.faq",
    "madoguchi.reservations",
    "madoguchi.line",
    "madoguchi.tickets",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole stack
    "madoguchi.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "madoguchi.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "madoguchi.catalog.ruby.RubyMiddleware",
    "madoguchi.core.middleware.SecurityHeadersMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: sees the view's name
]

# Edge apps, never in production: the demo city (MADOGUCHI_DEMO) and the benchmark floor
# (MADOGUCHI_BENCH). The test suite installs both: it starts from the demo city and tests the
# bench script and its floor.
if DEMO or TESTING:
    INSTALLED_APPS.append("madoguchi.demo")
if BENCH or TESTING:
    INSTALLED_APPS.append("madoguchi.benchfloor")

# OpenID Connect identity providers (docs/identity.md): a JSON list, one object per provider
# (id, label, issuer, client_id, client_secret, scopes, assurance, claims, purpose). Configured,
# not coded: none by default, and then the sign-in pages show no provider button.
OIDC_PROVIDERS = json.loads(os.environ.get("MADOGUCHI_OIDC_PROVIDERS", "") or "[]")
# Seconds to wait for a provider (discovery, keys, token) before saying it cannot be reached.
OIDC_TIMEOUT_SECONDS = float(os.environ.get("MADOGUCHI_OIDC_TIMEOUT", "5"))
# Clock skew allowed on the ID token's exp/iat; how long discovery and keys are cached.
OIDC_LEEWAY_SECONDS = 60
OIDC_CACHE_SECONDS = 3600

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "madoguchi.core.context_processors.site",
                "madoguchi.catalog.context_processors.city",
            ],
        },
    },
]

# --- Database: SQLite by default, anything dj-database-url understands via DATABASE_URL.
SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "madoguchi.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            # Kept open between requests, as with DATABASE_URL: opening one costs a file open,
            # five PRAGMAs and reading the schema again, about 1-2 ms of CPU per request.
            "CONN_MAX_AGE": 60,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id first (Django's recommendation: memory-hard, and far cheaper in CPU per sign-in than
# PBKDF2 at its default cost); the PBKDF2 hashers stay so that existing hashes still verify, and
# Django re-hashes them with Argon2 at the user's next successful sign-in.
# Its cost (docs/deploy.md, "Password hashing"): OWASP's first Argon2id setting, 19 MiB, two
# passes, one lane, about 26 ms of one core per hash here; an operator may raise it. A hash made
# with other parameters is re-made with these at the account's next sign-in.
ARGON2_TIME_COST = int(os.environ.get("MADOGUCHI_ARGON2_TIME_COST", "2"))
ARGON2_MEMORY_KIB = int(os.environ.get("MADOGUCHI_ARGON2_MEMORY_KIB", str(19 * 1024)))
ARGON2_PARALLELISM = int(os.environ.get("MADOGUCHI_ARGON2_PARALLELISM", "1"))
PRODUCTION_PASSWORD_HASHERS = [
    "madoguchi.core.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# Tests hash with MD5 so that thousands of sign-ins stay fast; never in production.
PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"] if TESTING else PRODUCTION_PASSWORD_HASHERS
)
LOGIN_URL = "residents:login"

# --- Internationalisation: Japanese first; residents' pages in every language of
# core.languages (staff pages in ja/en only, see core.middleware.LanguageMiddleware).
LANGUAGE_CODE = "ja"
LANGUAGES = [(language.code, language.native_name) for language in resident_languages.LANGUAGES]
# やさしい日本語 is a language of its own for Django (catalog locale/ja_Easy).
django.conf.locale.LANG_INFO.setdefault("ja-easy", {
    "bidi": False, "code": "ja-easy", "name": "Easy Japanese", "name_local": "やさしい にほんご",
})
LOCALE_PATHS = [SRC_DIR / "locale"]
# The visitor's choice (the header switch or the offer) is kept for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploads and issued documents go through Django's storage API: an S3-compatible bucket when
# MADOGUCHI_S3_BUCKET is set (django-storages), else MEDIA_ROOT on local disk. The files are
# private either way: no public ACL, no URL handed out; the app streams them to whoever may
# read them (docs/deploy.md).


def s3_storage(environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The default storage in an S3-compatible bucket when ``MADOGUCHI_S3_BUCKET`` is set."""
    bucket = environ.get("MADOGUCHI_S3_BUCKET", "").strip()
    if not bucket:
        return None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("MADOGUCHI_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("MADOGUCHI_S3_REGION") or None,
            # Without these two, boto3's own chain applies (AWS_* variables, instance role).
            "access_key": environ.get("MADOGUCHI_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("MADOGUCHI_S3_SECRET_ACCESS_KEY") or None,
            "location": environ.get("MADOGUCHI_S3_PREFIX", "").strip("/"),
            "addressing_style": environ.get("MADOGUCHI_S3_ADDRESSING_STYLE") or None,
            "default_acl": None,  # the bucket's own (private) policy; never public-read
            "querystring_auth": True,  # a URL, if one were ever made, is signed and expires
            "querystring_expire": 60,
            "file_overwrite": False,  # a name taken is never silently replaced
            "object_parameters": {"CacheControl": "private, no-store"},
        },
    }


STORAGES = {
    "default": s3_storage(os.environ) or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Tests serve static files from the app folders; production serves the collected, hashed files.
WHITENOISE_USE_FINDERS = TESTING
WHITENOISE_AUTOREFRESH = TESTING

# --- Sessions and cookies.
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not TESTING
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "madoguchi.core.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Background tasks (django-tasks backport of Django 6's tasks API).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# A task left RUNNING by a worker that has not beaten for this long is queued again
# (core.task_recovery); after this many runs whose worker died, it is failed instead.
TASK_RECOVERY_AFTER_SECONDS = int(os.environ.get("MADOGUCHI_TASK_RECOVERY_AFTER", "120"))
TASK_RECOVERY_MAX_ATTEMPTS = int(os.environ.get("MADOGUCHI_TASK_RECOVERY_MAX_ATTEMPTS", "3"))

# --- E-mail: SMTP from the environment; the demo keeps mail in a readable mailbox.
EMAIL_BACKEND = os.environ.get(
    "MADOGUCHI_EMAIL_BACKEND",
    "madoguchi.core.mail.MailboxBackend" if (DEMO or TESTING or not os.environ.get("EMAIL_HOST"))
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "madoguchi@city.midorigaoka.example")

# --- Encryption of sensitive answers: "kid:base64key" pairs, the first one encrypts.
def _persistent_encryption_keys() -> str:
    """Create a first AES-256 key in VAR_DIR for a machine without one (demo, development)."""
    path = VAR_DIR / "encryption_keys"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text("k1:" + base64.b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


ENCRYPTION_KEYS = os.environ.get("MADOGUCHI_ENCRYPTION_KEYS") or (
    "test:dGVzdC1vbmx5LWtleS0zMi1ieXRlcy1sb25nLTAwMDA=" if TESTING
    else _persistent_encryption_keys()
)
# Key of the registry's blind indexes (HMAC look-up keys, docs/registry-import.md).
REGISTRY_INDEX_KEY = os.environ.get("MADOGUCHI_REGISTRY_INDEX_KEY") or (
    "test-only-registry-index-key" if TESTING else _persistent_secret("registry_index_key"))

# --- The HTTP registry connector (docs/registry-http.md): registered only when its URL is set.
# MADOGUCHI_REGISTRY_HTTP_<KEY> sets <KEY> (URL, TOKEN, CLIENT_CERT ...); the connector checks them.
REGISTRY_HTTP = {k.removeprefix("MADOGUCHI_REGISTRY_HTTP_"): v for k, v in os.environ.items()
                 if k.startswith("MADOGUCHI_REGISTRY_HTTP_") and v}

# --- 保存年限 (docs/retention.md): audit events and past bookings have their own periods; each
# procedure sets its applications' period. The daily retention task deletes what is past them.
AUDIT_RETENTION_YEARS = int(os.environ.get("MADOGUCHI_AUDIT_RETENTION_YEARS", "7"))
BOOKING_RETENTION_DAYS = int(os.environ.get("MADOGUCHI_BOOKING_RETENTION_DAYS", "400"))
# Resident inquiries (問い合わせ) answered or closed, counted from their last message; and the
# questions typed into the FAQ chat, counted from when they were asked.
INQUIRY_RETENTION_YEARS = int(os.environ.get("MADOGUCHI_INQUIRY_RETENTION_YEARS", "1"))

# --- Client addresses: X-Forwarded-For is read only from these reverse proxies (IPs or CIDRs).
TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("MADOGUCHI_TRUSTED_PROXIES", "").split(",") if p.strip()
]
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the start, not each request

# --- The general counter (総合窓口): the department code that gets inquiries no department's
# words fit. Empty: the first department created.
MADOGUCHI_GENERAL_COUNTER = os.environ.get("MADOGUCHI_GENERAL_COUNTER", "")

# --- 標準処理期間: the calendar days the city aims to decide an application in, counted from the
# day after its receipt. The staff inbox shows each open case's 期限 and how long it has waited.
MADOGUCHI_PROCESSING_DAYS = int(os.environ.get("MADOGUCHI_PROCESSING_DAYS", "14"))
# Effect dashboard (bpr): the minutes of staff time one phone booking takes, so that each
# reservation made online counts as that much phone time replaced (shown on the page).
MADOGUCHI_BPR_PHONE_BOOKING_MINUTES = int(
    os.environ.get("MADOGUCHI_BPR_PHONE_BOOKING_MINUTES", "5"))

# --- Sign-in throttling. An account is locked after LOGIN_FAILURE_LIMIT failures in the window
# (even the right password waits). An address is never locked: many residents may share one
# (a library, a phone network); past LOGIN_ADDRESS_FAILURE_LIMIT failures from it, each further
# failure is answered after a growing pause (at most LOGIN_ADDRESS_MAX_DELAY_SECONDS, and at
# most LOGIN_ADDRESS_DELAY_SLOTS such pauses at a time per process so they cannot tie up the
# server); the right password of an account that has not failed is never paused or refused.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
LOGIN_ADDRESS_FAILURE_LIMIT = 30
LOGIN_ADDRESS_FIRST_DELAY_SECONDS = 0.25
LOGIN_ADDRESS_MAX_DELAY_SECONDS = 4.0
LOGIN_ADDRESS_DELAY_SLOTS = 1

# --- Abuse limits of the public pages that cost CPU or send mail (madoguchi.core.ratelimit,
# docs/operations.md): MADOGUCHI_RATE_LIMIT_<SCOPE>="ADDRESS/KEY/SECONDS" allows ADDRESS uses
# per client address and KEY uses per key (e-mail address or account) in SECONDS; 0 = no limit.
RATE_LIMIT_DEFAULTS = {
    "verify": "30/0/600",     # checking an uploaded document on the verification page
    "chat": "60/0/60",        # FAQ chat questions
    "inquiry": "30/10/3600",  # new inquiries and replies (key: the resident's account)
    "resume": "10/3/3600",    # "continue later" links (key: the address mailed)
    "signup": "20/3/3600",    # confirmation and "you already have an account" mails
    "reset": "20/3/3600",     # password reset mails
    "receipt": "60/5/3600",   # receipts of applications and bookings made without an account
}
RATE_LIMITS = {
    scope: os.environ.get(f"MADOGUCHI_RATE_LIMIT_{scope.upper()}", default)
    for scope, default in RATE_LIMIT_DEFAULTS.items()
}
for _scope, _text in RATE_LIMITS.items():  # a typo stops the start, not each request
    _parts = _text.split("/")
    if len(_parts) != 3 or not all(p.strip().isdigit() for p in _parts) or int(_parts[2]) <= 0:
        raise ValueError(f"MADOGUCHI_RATE_LIMIT_{_scope.upper()} must be ADDRESS/KEY/SECONDS")

# --- Prometheus metrics (madoguchi.core.metrics, docs/operations.md). /metrics answers 404 until
# one of these is set: a bearer token, or client addresses / CIDR ranges (read through
# MADOGUCHI_TRUSTED_PROXIES like every client address). Several processes on one machine share
# their counters through PROMETHEUS_MULTIPROC_DIR (``manage.py serve`` sets it for its children).
METRICS_TOKEN = os.environ.get("MADOGUCHI_METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = [
    n.strip() for n in os.environ.get("MADOGUCHI_METRICS_ALLOWED_IPS", "").split(",") if n.strip()
]
for _network in METRICS_ALLOWED_IPS:
    ipaddress.ip_network(_network, strict=False)  # a typo stops the start
PROMETHEUS_EXPORT_MIGRATIONS = False  # it would query the database while the apps load

# --- Logs (madoguchi.core.logs, docs/operations.md): one JSON object per line on stderr, each with
# the id of its request; one access line per request (madoguchi.request, MADOGUCHI_ACCESS_LOG).
# MADOGUCHI_LOG_FORMAT=text gives plain lines for a developer's terminal (the demo's default).
LOG_FORMAT = os.environ.get("MADOGUCHI_LOG_FORMAT", "text" if DEMO else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "madoguchi.core.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "madoguchi.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {
        "class": "logging.StreamHandler",
        "filters": ["request_id"],
        "formatter": "text" if LOG_FORMAT == "text" else "json",
    }},
    "root": {"handlers": ["console"], "level": os.environ.get("MADOGUCHI_LOG_LEVEL", "WARNING")},
    "loggers": {
        "madoguchi.request": {
            "level": "INFO" if env_bool("MADOGUCHI_ACCESS_LOG", default=not TESTING) else "WARNING",
        },
        # Django's own "Not Found: /path" lines would write paths, which may hold a token; the
        # access line has the status and the URL pattern instead. Server errors still show.
        "django.request": {"level": "ERROR"},
    },
}

# --- Signing issued documents (電子交付): the city's key, certificate and chain as PKCS#12.
SIGNING_PKCS12 = os.environ.get("MADOGUCHI_SIGNING_PKCS12") or str(VAR_DIR / "signing" / "city.p12")
SIGNING_PKCS12_PASSWORD = os.environ.get("MADOGUCHI_SIGNING_PKCS12_PASSWORD", "")

# Absolute address of the site, used in e-mails.
SITE_URL = os.environ.get(
    "MADOGUCHI_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
).rstrip("/")

# --- Fees paid online: the default provider ("stripe" in production, "demo" in the demo city)
# and Stripe's keys. STRIPE_API_BASE points the SDK at a local fake in tests only.
MADOGUCHI_PAYMENT_PROVIDER = os.environ.get(
    "MADOGUCHI_PAYMENT_PROVIDER", "demo" if DEMO or TESTING else "stripe")
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")

# --- LINE Messaging API (notification channel and chat menu). Off unless both are set.
LINE_CHANNEL_SECRET = os.environ.get("LINE_CHANNEL_SECRET", "")
LINE_CHANNEL_ACCESS_TOKEN = os.environ.get("LINE_CHANNEL_ACCESS_TOKEN", "")
LINE_API_BASE = os.environ.get("LINE_API_BASE", "https://api.line.me").rstrip("/")
LINE_API_DATA_BASE = os.environ.get("LINE_API_DATA_BASE", "https://api-data.line.me").rstrip("/")
