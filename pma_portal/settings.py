"""Settings, read from environment variables with safe local defaults.

Embedded default: SQLite file, Celery tasks run eagerly in-process, DEBUG off unless asked.
Production (PMA_ENV=production) refuses to start without a real SECRET_KEY and turns on secure
cookies, HSTS and SSL redirects so that `manage.py check --deploy` is clean.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PMA_ENV = os.environ.get("PMA_ENV", "development").strip().lower()
IS_PRODUCTION = PMA_ENV == "production"

_INSECURE_KEY = "django-insecure-local-development-key-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "") or _INSECURE_KEY
if IS_PRODUCTION and (
    SECRET_KEY == _INSECURE_KEY or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50
):
    raise ImproperlyConfigured(
        "PMA_ENV=production needs SECRET_KEY set to a random value of at least 50 characters."
    )

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "axes",
    "accounts",
    "jobs",
    "portfolios",
    "esg",
    "transitions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "pma_portal.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a sign-in refused by the throttle into the lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pma_portal.urls"
WSGI_APPLICATION = "pma_portal.wsgi.application"

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
                "accounts.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (runserver, an eager import) may write; wait rather than fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.PersonNameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttle for every door (portal, admin, API token): django-axes, see
# accounts/throttle.py and docs/security.md. A (username, address) pair is locked after
# AXES_FAILURE_LIMIT failures; an address alone after AXES_ADDRESS_FAILURE_LIMIT failures
# across usernames; both for the cool-off. The right password from another address works.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(seconds=int(os.environ.get("LOGIN_COOLOFF_SECONDS", "900")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.throttle.SignInThrottleHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # hammering does not extend the lock
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.throttle.username_of"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# No URL serves MEDIA_ROOT (pma_portal/urls.py): files leave through access-checked views only.
MEDIA_URL = "/media-is-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Outside production WhiteNoise serves straight from the app folders: no collectstatic needed.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = not IS_PRODUCTION

# Uploads: refuse anything above this many bytes with a clear message (holdings files).
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
# Holdings files above this many bytes are checked by a job, never in the request; bounds
# applied before parsing any upload (portfolios/lots/reading.py).
HOLDINGS_INLINE_CHECK_BYTES = int(os.environ.get("HOLDINGS_INLINE_CHECK_BYTES", str(1024 * 1024)))
HOLDINGS_MAX_ROWS = int(os.environ.get("HOLDINGS_MAX_ROWS", "250000"))
XLSX_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("XLSX_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.IsFirmMember"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PMA portal API",
    "DESCRIPTION": (
        "Personalized managed accounts: firms, advisors, clients, accounts, securities, "
        "strategies, customizations and tax lots. Every answer is limited to the caller's firm."
    ),
    "VERSION": "0.1.0",
    # Swagger UI from the pinned drf-spectacular-sidecar package: /api/docs/ works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pma_portal.schema.error_responses_hook",
    ],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets whose field names collide across apps ("mode") get explicit names.
    "ENUM_NAME_OVERRIDES": {
        "RestrictionModeEnum": "esg.models.RestrictionMode",  # do_not_buy, do_not_hold
        "ImportModeEnum": "portfolios.lots.imports.ImportMode.CHOICES",
        "AnalysisStatusEnum": "transitions.analysis.models.AnalysisStatus",
        "BatchScopeEnum": "transitions.rebalance.models.BatchScope",
        "TradeListStatusEnum": "transitions.rebalance.models.TradeListStatus",
        "BatchStatusEnum": "transitions.rebalance.models.BatchStatus",
        "BatchItemStatusEnum": "transitions.rebalance.models.BatchItemStatus",
        "ImportStatusEnum": "portfolios.models.ImportStatus",
        "BuySellEnum": "portfolios.models.TradeAction",  # a trade's action, a line's side
        "EmailStateEnum": "accounts.models.EMAIL_STATES",  # invitations', shares' e-mails
        "ProposalStatusEnum": "transitions.proposals.models.ProposalStatus",
        "BudgetKindEnum": "transitions.rebalance.models.BudgetKind",  # a setting: may inherit
        "EffectiveBudgetKindEnum": "transitions.rebalance.models.EFFECTIVE_BUDGET_KINDS",
    },
}

# Celery: without a broker, tasks run eagerly in-process (embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "1800"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "1700"))
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message whose worker process died goes back to the queue (with acks_late).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Unacknowledged messages of a worker killed outright come back after this (Redis); it must
# exceed the longest task. The reaper below brings such jobs back sooner.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3700"))
}


# E-mail (accounts/emails.py): invitations and shared proposals, sent by a Celery task after
# the transaction commits. EMAIL_URL (smtp://user:pass@host:587/?tls=1, smtps://… for implicit
# TLS) or EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS; with neither
# the console backend prints each e-mail (demo, development) and production uses the local MTA.
# Tests use Django's locmem outbox whatever is set here.
def _email_url_settings(url: str) -> dict:
    """The few SMTP settings an EMAIL_URL names (no dependency for six fields)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps", "submission"):
        raise ImproperlyConfigured("EMAIL_URL must start with smtp://, smtps:// or submission://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    use_ssl = parts.scheme == "smtps" or query.get("ssl", "").lower() in {"1", "true", "yes"}
    use_tls = not use_ssl and (
        parts.scheme == "submission" or query.get("tls", "").lower() in {"1", "true", "yes"}
    )
    return {
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if use_ssl else 587 if use_tls else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


_EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()
if _EMAIL_URL:
    globals().update(_email_url_settings(_EMAIL_URL))
else:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
_EMAIL_CONFIGURED = bool(_EMAIL_URL or os.environ.get("EMAIL_HOST"))
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if _EMAIL_CONFIGURED or IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "15"))  # a hung server fails, not blocks
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PMA portal <no-reply@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = ""
# Retries of a send that failed on a transient error (server down, timeout), with backoff.
EMAIL_MAX_RETRIES = int(os.environ.get("EMAIL_MAX_RETRIES", "5"))
EMAIL_RETRY_BACKOFF_SECONDS = int(os.environ.get("EMAIL_RETRY_BACKOFF_SECONDS", "60"))
# Links in e-mails are absolute: the portal's address as its users reach it.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Jobs (jobs/services.py): a running job's lease, renewed by progress calls and a heartbeat; a
# job whose lease passed is taken up again, at most JOBS_MAX_ATTEMPTS times in all.
JOBS_LEASE_SECONDS = int(os.environ.get("JOBS_LEASE_SECONDS", "60"))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "3"))
JOBS_RETRY_BACKOFF_SECONDS = int(os.environ.get("JOBS_RETRY_BACKOFF_SECONDS", "5"))
JOBS_REAP_EVERY_SECONDS = int(os.environ.get("JOBS_REAP_EVERY_SECONDS", "30"))
# Batch rebalance accounts (transitions/rebalance/batch.py) hold the same lease, reaped alike.
CELERY_BEAT_SCHEDULE = {
    "jobs_reap_expired": {
        "task": "jobs.tasks.jobs_reap_expired",
        "schedule": float(JOBS_REAP_EVERY_SECONDS),
    },
    "rebalance_batch_items_reap": {
        "task": "transitions.rebalance_batch_items_reap",
        "schedule": float(JOBS_REAP_EVERY_SECONDS),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_refusals": {"()": "pma_portal.log_filters.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Refused requests pass through the one-line filter (in every mode).
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# Content-Security-Policy on every answer (django-csp): scripts and styles from our own origin
# only, no inline script, no inline style attribute, no framing, forms post to us only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
