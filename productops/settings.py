"""Settings for the ProductOps Portal.

Everything that differs between a laptop, CI and production comes from the
environment, read here and only here through productops.env.
"""

import importlib.util
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from productops.env import (
    env_bool,
    env_int,
    env_list,
    env_rate,
    env_str,
    env_timezone,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PRODUCTOPS_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# A development key is fine on a laptop; production must bring its own.
SECRET_KEY = env_str(
    "SECRET_KEY", "dev-insecure-key-change-me" if DEBUG else None, required=not DEBUG
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "productops.accounts.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "template_partials",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "productops.accounts",
    "telemetry",
    "strategy",
    "research",
]

# The three product apps, in navigation order. The home page and seed_demo
# look for optional `home.py` / `demo.py` modules in each.
PORTAL_APPS = ["telemetry", "strategy", "research"]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before anything reads the body: oversized API bodies and unstorable text get a JSON 4xx.
    "productops.api_input.ApiInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "productops.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "productops.accounts.middleware.UserTimezoneMiddleware",
    # Axes must come last so it sees the final authentication outcome.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "productops.urls"
WSGI_APPLICATION = "productops.wsgi.application"

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
                "productops.accounts.context_processors.portal",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASE_URL = env_url(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, a worker and beat share one file: WAL plus IMMEDIATE
    # transactions keep them from tripping over each other's locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "productops"),
        }
    }
    # Every request reads its session: from Redis that costs a fraction of a database query.
    # Written through to the database too, so a Redis restart signs nobody out. Only with a
    # shared cache: a per-process one would keep a signed-out session alive in other workers.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Pages and API lists a person saw are served again until the database changes, or for this many
# seconds at most (productops/page_cache.py). Only with a shared cache: a per-process one would not
# hear the other processes' writes. 0 turns it off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 10 if REDIS_URL else 0, minimum=0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Repeated wrong passwords for one username from one address lock it for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Password-reset mails per address and per client address, in each window of seconds.
PASSWORD_RESET_LIMIT_PER_EMAIL = env_int("PASSWORD_RESET_LIMIT_PER_EMAIL", 3, minimum=1)
PASSWORD_RESET_LIMIT_PER_IP = env_int("PASSWORD_RESET_LIMIT_PER_IP", 20, minimum=1)
PASSWORD_RESET_LIMIT_WINDOW = env_int("PASSWORD_RESET_LIMIT_WINDOW", 60 * 60, minimum=1)

# The portal speaks British English only; with translation off, the hundreds of gettext and
# get_language calls a page makes cost nothing. Dates still use en-gb formats.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_timezone("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Bootstrap's CSS and JS come from the bootstrap-wrapper package; htmx from django-htmx.
_bootstrap = importlib.util.find_spec("bootstrap")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", list(_bootstrap.submodule_search_locations)[0]),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: console unless SMTP or a folder is configured.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ProductOps Portal <productops@example.com>")
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# `make run PORT=…` serves elsewhere; links in e-mail follow it unless a real address is set.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}")
# How long a link confirming a new e-mail address stays good, in seconds.
EMAIL_CHANGE_MAX_AGE = env_int("EMAIL_CHANGE_MAX_AGE", 2 * 24 * 60 * 60, minimum=60)

# Celery: Redis when REDIS_URL is set, else Kombu's filesystem transport under
# var/, which needs no server yet runs a real worker and beat.
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "productops.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["productops.api_filters.FilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's parsers plus bounds and a check for text PostgreSQL cannot store.
        "productops.api_input.JSONParser",
        "productops.api_input.FormParser",
        "productops.api_input.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "productops.api_limits.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "productops.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "productops.api_rates.AnonRateThrottle",
        "productops.api_rates.UserRateThrottle",
    ],
    # Rates are counted per client address from REMOTE_ADDR; behind N proxies set NUM_PROXIES=N.
    # (DRF's default would trust any X-Forwarded-For a client sends, and so any address it claims.)
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
    # Counted in the cache (Redis when REDIS_URL is set), so every web process shares them.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/min"),
        "user": env_rate("API_THROTTLE_USER", "600/min"),
        "failed_token": env_rate("API_THROTTLE_FAILED_TOKEN", "20/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ProductOps Portal API",
    "DESCRIPTION": (
        "Everything the portal's pages do. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`, created on your profile page) or a browser session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "productops.api_schema.document_errors",
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several apps have a "status", "type", "kind" or "method": give each choice set its own name.
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "telemetry.models.Event.Status",
        "PropertyTypeEnum": "telemetry.models.PROPERTY_TYPES",
        "StrategyPhaseEnum": "strategy.models.Strategy.Phase",
        "PointTypeEnum": "strategy.models.Point.Type",
        "DispositionStatusEnum": "strategy.models.Disposition.Status",
        "AgendaItemKindEnum": "strategy.models.AgendaItem.Kind",
        "CommitmentKindEnum": "strategy.models.Commitment.Kind",
        "ReviewSessionStatusEnum": "strategy.models.ReviewSession.Status",
        "PositionStanceEnum": "strategy.models.Position.Stance",
        "LedgerKindEnum": "research.models.LedgerEntry.Kind",
        "LedgerMethodEnum": "research.models.LedgerEntry.Method",
        "ResearchRequestStatusEnum": "research.models.ResearchRequest.Status",
        "ResearchRequestMethodEnum": "research.models.ResearchRequest.Method",
        "AttributeTypeEnum": "research.models.AttributeDefinition.Type",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Scripts and styles come only from our own static files: an injected <script>,
# onclick= or style= does nothing. Bootstrap's CSS draws its icons from data: SVGs.
# The API docs views loosen this for themselves (productops/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
