"""Settings, all from the environment with safe defaults (see the table in README.md)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # A key generated once and kept under var/, so sessions survive restarts of `make run`.
    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = envbool("DEBUG", "False")
SECRET_KEY = secret_key()
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

# HTTPS hardening is on unless the site is served over plain HTTP on purpose (`make run` turns
# it off for localhost).
SECURE_COOKIES = envbool("SECURE_COOKIES", "True")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "True")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "newsreader.apps.NewsreaderConfig",
    "articles",
    "annotations",
]

MIDDLEWARE = [
    "newsreader.length_required.LengthRequiredMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "newsreader.middleware.HtmxLoginRedirectMiddleware",
    "newsreader.not_allowed.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "newsreader.urls"
WSGI_APPLICATION = "newsreader.wsgi.application"

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
                "newsreader.context_processors.user_roles",
            ],
        },
    },
]

# The embedded PostgreSQL (pgserver, data under var/pgdata) unless DATABASE_URL is set.
APPLICATION_NAME = os.environ.get("NEWSREADER_PROCESS", "newsreader-web")
database_url = os.environ.get("DATABASE_URL", "")
if database_url:
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=60)}
    EMBEDDED_DATABASE = False
else:
    from newsreader import embedded_postgres

    DATABASES = {
        "default": {
            "ENGINE": "newsreader.embedded_db",
            "NAME": os.environ.get("NEWSREADER_DB_NAME", "newsreader"),
            "USER": "postgres",
            "HOST": str(embedded_postgres.socket_dir()),
            "CONN_MAX_AGE": 60,
        }
    }
    EMBEDDED_DATABASE = True
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = APPLICATION_NAME
# The API's hot read queries (newsreader.binary_rows) are prepared after this many runs on a
# connection. "off" for a pooler that cannot keep prepared statements (PgBouncer in
# transaction mode before 1.21). Django's own queries are never prepared.
_prepare = os.environ.get("NEWSREADER_PREPARE_THRESHOLD", "2").strip().lower()
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
    None if _prepare in ("off", "none", "") else int(_prepare)
)
# API workers keep the token rows they read until PostgreSQL notifies a change of tokens,
# users or groups (LISTEN, newsreader.authentication). "off" behind a pooler in transaction
# mode, which cannot keep a LISTEN on the connection.
NEWSREADER_TOKEN_CACHE = envbool("NEWSREADER_TOKEN_CACHE", "on")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads of archives can be large; the per-file limit is NEWSREADER_MAX_FILE_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files per request (Django's guard against a flood of temporary files); the upload page says
# it, and an archive counts as one.
NEWSREADER_UPLOAD_MAX_FILES = envint("NEWSREADER_UPLOAD_MAX_FILES", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = NEWSREADER_UPLOAD_MAX_FILES

REST_FRAMEWORK = {
    # Token first: its scheme goes into WWW-Authenticate, so a request without valid
    # credentials gets 401 (sign in again), not 403 (not allowed).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication with a cheaper lookup (a third of a list request's CPU).
        "newsreader.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "newsreader.negotiation.JSONFirstNegotiation",
    "DEFAULT_PARSER_CLASSES": ["newsreader.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "newsreader.throttling.AnonThrottle",
        "newsreader.throttling.UserThrottle",
    ],
    # Per process (newsreader.throttling): generous for sync consumers, slow for password guessing.
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "6000/minute"),
    },
    "EXCEPTION_HANDLER": "newsreader.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsreader API",
    "DESCRIPTION": "Articles, text revisions, annotations, incremental sync and exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs describe the API; what it returns still needs a token.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "newsreader.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ArticleStateEnum": "articles.models.Article.State",
        "ExportStateEnum": "annotations.models.ExportJob.State",
        "AnchorStateEnum": "annotations.models.Anchored.State",
    },
}

# Celery: by default the broker is the same PostgreSQL, through kombu's SQLAlchemy transport,
# so `make run` needs no other service. CELERY_BROKER_URL (e.g. redis://…) switches.


def postgres_broker_url(database: dict) -> str:
    """kombu's SQLAlchemy transport on the given Django database."""
    credentials = quote(database.get("USER") or "", safe="")
    if database.get("PASSWORD"):
        credentials += ":" + quote(database["PASSWORD"], safe="")
    host, port = database.get("HOST") or "", database.get("PORT") or ""
    name = quote(database["NAME"], safe="")
    if host.startswith("/"):  # A Unix socket directory.
        return f"sqla+postgresql+psycopg://{credentials}@/{name}?host={quote(host)}"
    return f"sqla+postgresql+psycopg://{credentials}@{host}{':' if port else ''}{port}/{name}"


CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or postgres_broker_url(DATABASES["default"])
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 180)
CELERY_TASK_ROUTES = {"articles.tasks.*": {"queue": "cleaning"}}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Newsreader itself.
NEWSREADER_MAX_FILE_BYTES = envint("NEWSREADER_MAX_FILE_BYTES", 10 * 1024 * 1024)
NEWSREADER_CLEANING_BATCH = envint("NEWSREADER_CLEANING_BATCH", 50)
NEWSREADER_MAX_CLEANING_ATTEMPTS = envint("NEWSREADER_MAX_CLEANING_ATTEMPTS", 3)
NEWSREADER_REQUEUE_AFTER = envint("NEWSREADER_REQUEUE_AFTER", 600)
NEWSREADER_PAGE_SIZE = envint("NEWSREADER_PAGE_SIZE", 50)
# The sync lists leave out rows changed this recently (and any newer than the oldest open
# transaction): the margin for the clocks of the machines writing them (newsreader.api).
NEWSREADER_SYNC_SETTLE_MS = envint("NEWSREADER_SYNC_SETTLE_MS", 1000)
NEWSREADER_SYNC_HORIZON_REFRESH_MS = envint("NEWSREADER_SYNC_HORIZON_REFRESH_MS", 250)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors": {"()": "newsreader.log_filters.ClientErrorsWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_errors"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # pgserver logs every attach and detach of every process at INFO.
    "loggers": {"pgserver": {"level": "WARNING"}},
}
