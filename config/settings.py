"""Relais settings: one module, configured from the environment (see README, Configuration).

A missing or malformed value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    ConfigError,
    env_bool,
    env_broker_url,
    env_database,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RELAIS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "django-insecure-development-only-never-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ConfigError("SECRET_KEY", "must be at least 32 characters long.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ConfigError("ALLOWED_HOSTS", "is required when DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# The address people open, used in links sent by e-mail.
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django_prometheus",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "axes",
    "django_countries",
    # Ours, in dependency order (imports go one way: organisations <- notifications <- ...).
    "organisations",
    "notifications",
    "coordination",
    "referrals",
    # The public pages: they read the public directory and published pathways, never a case.
    "findhelp",
]

MIDDLEWARE = [
    # Request latency and counts for /metrics (the first and the last middleware).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Every log line of the request carries its id (and so do its tasks').
    "config.requestid.RequestIdMiddleware",
    # A database that cannot be reached answers 503 + Retry-After, wherever it failed.
    "config.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.NoStoreMiddleware",
    "config.middleware.ApiRequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.SessionIdleTimeoutMiddleware",
    "organisations.middleware.CurrentOrganisationMiddleware",
    "organisations.middleware.TwoFactorMiddleware",
    "notifications.middleware.ReadOnOpenMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organisations.context_processors.current_organisation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

# Database ---------------------------------------------------------------------------------------

DATABASES = {
    "default": env_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'relais.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs web, worker and beat against one file: WAL lets readers go on
    # while one writes, IMMEDIATE takes the write lock at BEGIN so that a transaction that
    # reads then writes waits for its turn instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": None}  # in memory
    # The inbox index carries an extra column on PostgreSQL (index-only counts); SQLite builds
    # the same index without it, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ConfigError(
        "CACHE_URL", f"expected redis://host:port/db or locmem://; got {CACHE_URL!r}."
    )

# Authentication ---------------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_COOKIE_HTTPONLY = True

# Guardian: no anonymous user; nothing in Relais is granted to people who are not signed in.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# django-axes: lock an account and address out after repeated failed sign-ins.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client address behind the reverse proxy (see config.client), for lock-outs and throttles.
TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT",
    default=1 if env_bool("TRUST_PROXY_HEADERS", default=False) else 0,
    minimum=0,
)
AXES_CLIENT_IP_CALLABLE = "config.client.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "config.lockout.AccountCeilingHandler"
AXES_ACCOUNT_FAILURE_CEILING = env_int("AXES_ACCOUNT_FAILURE_CEILING", default=50, minimum=0)
# A signed-in session ends after this long without a request (and after SESSION_COOKIE_AGE in
# any case): a phone left on a table at the port does not stay signed in.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", default=30 * 60, minimum=60)
AXES_VERBOSE = False
# Two-factor sign-in (organisations.two_factor): required of supervisors, organisation admins and
# platform admins in production; available to everyone.
REQUIRE_2FA_FOR_PRIVILEGED = env_bool("REQUIRE_2FA_FOR_PRIVILEGED", default=not DEBUG)
OTP_TOTP_ISSUER = "Relais"

# Internationalisation ---------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Day before month and a 24-hour clock in every language (Django's English is American).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TIME_ZONE", "Africa/Tunis")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ConfigError("TIME_ZONE", f"is not a known time zone: {TIME_ZONE!r}.") from None

# Static and media files -------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns at start-up without it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security ---------------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Cookies travel over HTTPS only; SECURE_COOKIES=0 for a trial on http://localhost (make run).
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # plain-HTTP probes from load balancers
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
if env_bool("TRUST_PROXY_HEADERS", default=False):
    # Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

# Browser features no page of Relais uses are switched off for every page.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# E-mail -----------------------------------------------------------------------------------------

# Development: a line per e-mail on the console, the messages themselves in var/mail (set
# EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend for whole messages on the console).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "config.mail.ConsoleSummaryBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
# Seconds an SMTP server may take; a delivery is taken for lost only well after it.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Relais <relais@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# API --------------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes DRF answer 401, not 403, when signed out.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.tokens.TokenAuthentication",  # knox's, lighter per request
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, with a JSON parser that answers 400 (not 500) to a body nested too deep.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["config.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("API_AUTH_THROTTLE", "20/min")},
    # Throttles read the client address as config.client does (never a spoofable header).
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The schema and the API docs: open in development, for signed-in users in production.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=DEBUG)
# API tokens (django-rest-knox): hashed, expiring, several per person with a name.
KNOX_TOKEN_MODEL = "organisations.ApiToken"
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", default=30, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": 20,
    "AUTO_REFRESH": False,
    "USER_SERIALIZER": None,
}

SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if API_DOCS_PUBLIC
        else "rest_framework.permissions.IsAuthenticated"
    ],
    "TITLE": "Relais API",
    "DESCRIPTION": "Coordination and case referral between cities and civil-society organisations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Served from our own static files: no CDN, and the page passes the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # JSON is the contract; form bodies are accepted (the browsable API) but not promised.
    "PARSER_WHITELIST": ["config.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReferralStateEnum": "referrals.models.State",
        "ServiceCategoryEnum": "organisations.models.ServiceCategory",
        "UrgencyEnum": "referrals.models.Urgency",
        "DeclineReasonEnum": "referrals.models.DeclineReason",
        "OutcomeEnum": "referrals.models.Outcome",
        "ExternalOutcomeEnum": "referrals.models.ExternalOutcome",
        "FieldsEnum": "referrals.models.SHAREABLE_FIELD_NAMES",
        "MeetingStatusEnum": "coordination.models.MeetingStatus",
        "ActionItemStatusEnum": "coordination.models.ActionStatus",
        "StatsScopeKindEnum": "referrals.insight.scope.ScopeKind",
        "OrganisationKindEnum": "organisations.models.OrganisationKind",
        "ActivityStatusEnum": "coordination.models.ActivityStatus",
        "ProgressStatusEnum": "coordination.progress.Status",
        "IndicatorKindEnum": "coordination.models.IndicatorKind",
    },
}

# Celery -----------------------------------------------------------------------------------------

CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_DATA_DIR = Path(env_str("CELERY_DATA_DIR", str(VAR_DIR / "celery")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: a folder shared by the web process, the worker and beat, through a
    # transport whose files appear whole (config/broker.py; kombu's own tears: kombu#1551).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DATA_DIR / "queue"),
        "data_folder_out": str(CELERY_DATA_DIR / "queue"),
        "processed_folder": str(CELERY_DATA_DIR / "processed"),
        "control_folder": str(CELERY_DATA_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
        "max_retries": 0,  # publishing: one attempt (see below)
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task (an e-mail waits at most EMAIL_TIMEOUT), far shorter than an hour.
        "visibility_timeout": 5 * 60,
        # Publishing: one connection attempt, no retry loop (kombu's default retried for 6 s).
        "max_retries": 0,
        "socket_connect_timeout": 2,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's, refusing to start while another beat runs (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# A fixed handful of periodic sweeps (django-celery-beat copies them into its tables).
# A request never waits on the broker: config.publish sends without retries and pauses after a
# refusal; the rows in the database are the outbox, and the sweeps send what waits.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
# Tasks are short (one e-mail, one sweep batch): a worker takes one message per process at a time,
# so one killed with -9 strands at most that many, and the visibility timeout (Redis) gives them
# back after five minutes rather than an hour.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "notification-delivery-sweep": {
        "task": "notifications.tasks.delivery_sweep_task",
        "schedule": 60.0,
    },
    "referral-deadline-sweep": {
        "task": "referrals.tasks.referral_deadline_sweep_task",
        "schedule": 300.0,
    },
    "referral-event-sweep": {
        "task": "referrals.tasks.referral_event_sweep_task",
        "schedule": 60.0,
    },
    "referral-incoming-digest": {
        "task": "referrals.tasks.incoming_digest_task",
        "schedule": 3600.0,
    },
    "referral-retention-sweep": {
        "task": "referrals.tasks.referral_retention_sweep_task",
        "schedule": 3600.0,
    },
    "case-retention-sweep": {
        "task": "referrals.tasks.case_retention_sweep_task",
        "schedule": 3600.0,
    },
    "coordination-meeting-reminder-sweep": {
        "task": "coordination.tasks.meeting_reminder_sweep_task",
        "schedule": 300.0,
    },
    "coordination-action-item-sweep": {
        "task": "coordination.tasks.action_item_sweep_task",
        "schedule": 3600.0,
    },
    "coordination-indicator-report-sweep": {
        "task": "coordination.tasks.indicator_report_sweep_task",
        "schedule": 3600.0,
    },
}

# Notifications ----------------------------------------------------------------------------------

NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", default=8, minimum=1)
# A delivery claimed longer ago than this was lost with its worker: the sweep sends it again.
NOTIFICATIONS_STALE_AFTER = env_int("NOTIFICATIONS_STALE_AFTER", default=300, minimum=10)
if NOTIFICATIONS_STALE_AFTER <= EMAIL_TIMEOUT:
    # Else a slow SMTP send still running would be taken for a dead worker's, and sent twice.
    raise ConfigError(
        "NOTIFICATIONS_STALE_AFTER",
        f"must be longer than EMAIL_TIMEOUT ({EMAIL_TIMEOUT} s), not {NOTIFICATIONS_STALE_AFTER}.",
    )

# Referrals --------------------------------------------------------------------------------------

# Days after a referral ends during which the receiving side still reads the shared personal data.
REFERRAL_RETENTION_DAYS = env_int("REFERRAL_RETENTION_DAYS", default=90, minimum=0)
# Days after a case's last referral ended (and its last change) before the case is anonymised:
# what identifies the person goes, what the statistics count stays (see referrals.privacy).
CASE_RETENTION_DAYS = env_int("CASE_RETENTION_DAYS", default=365, minimum=1)

# A box's per-state counts are kept until one of its referrals changes, and at most this long
# (referrals.box_counts; 0: counted on every page).
BOX_COUNTS_CACHE_SECONDS = env_int("BOX_COUNTS_CACHE_SECONDS", default=60, minimum=0)

# Statistics -------------------------------------------------------------------------------------

# Counts of people or referrals under this are shown as "<5" (see referrals.insight.disclosure).
STATS_MIN_CELL = env_int("STATS_MIN_CELL", default=5, minimum=2)
# Computed statistics are reused for this many seconds (0: always computed afresh).
STATS_CACHE_SECONDS = env_int("STATS_CACHE_SECONDS", default=300, minimum=0)

# The open-data directory (Open Referral HSDS 3.0, /api/hsds/): the country of the addresses
# (ISO 3166-1 alpha-2) and how long a page of the export is served from the cache.
DIRECTORY_COUNTRY = env_str("DIRECTORY_COUNTRY", "TN").upper()
if not (len(DIRECTORY_COUNTRY) == 2 and DIRECTORY_COUNTRY.isalpha()):
    raise ConfigError(
        "DIRECTORY_COUNTRY", f"expected a two-letter country code, not {DIRECTORY_COUNTRY!r}."
    )
OPEN_DATA_CACHE_SECONDS = env_int("OPEN_DATA_CACHE_SECONDS", default=300, minimum=0)

# Logging ----------------------------------------------------------------------------------------

# /metrics for Prometheus, with this bearer token only (no token: no page). config/metrics.py.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# LOG_FORMAT=json: one JSON object per line, for a log collector; every line carries the id of
# the request (or of the request whose task it is): config/requestid.py.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ConfigError("LOG_FORMAT", f"is plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
