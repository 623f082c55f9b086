"""Settings for ECM Platform, read from the environment (django-environ).

With no environment at all this is the embedded quick-start configuration: SQLite, tasks run
eagerly in-process, DEBUG on. `DJANGO_ENV=production` switches on the deployment hardening and
refuses to start with the development secret key or with DEBUG on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105

env = environ.Env()
DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"

SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if IS_PRODUCTION:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured("DJANGO_ENV=production needs its own SECRET_KEY.")
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production refuses to run with DEBUG on.")

# The shared core, then the domain apps in layering order (ARCHITECTURE.md). Their `api.py` and
# `urls.py` modules are collected into the URL configuration.
LOCAL_APPS = [
    "ecm_platform.tenancy",
    "ecm_platform.calendars",
    "ecm_platform.audit",
    "ecm_platform.notifications",
    "ecm_platform.deadlines",
    "ecm_platform.outbox",
    "ecm_platform.jobs",
    "benefits",
    "members",
    "eligibility",
    "providers",
    "authorizations",
    "outreach",
    "community_supports",
    "exchange",
    "encounters",
    "reporting",
    "portal",
    "demo",
]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "pgtrigger",
    *LOCAL_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ecm_platform.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ecm_platform.tenancy.middleware.SessionTimeoutMiddleware",
    "ecm_platform.tenancy.middleware.PlanScopeMiddleware",
    "providers.middleware.ProviderScopeMiddleware",  # provider staff: their contracting plans
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes goes last (its documentation).
    "axes.middleware.AxesMiddleware",
]

if IS_PRODUCTION:  # static files come from collectstatic; runserver serves them in development
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "ecm_platform.urls"
WSGI_APPLICATION = "ecm_platform.wsgi.application"

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
                "ecm_platform.tenancy.context_processors.current_plan",
                "ecm_platform.notifications.context_processors.unread_notifications",
                "ecm_platform.deadlines.context_processors.deadlines_needing_action",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The scan's covering index INCLUDEs columns on PostgreSQL; SQLite (the demo) keeps its key columns
# and would say so on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, with the session carrying the plan scope for row-level security.
    DATABASES["default"]["ENGINE"] = "ecm_platform.tenancy.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    # NIST SP 800-63B: length and a common-password check, no composition rules, no rotation.
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: with ModelBackend first a locked-out user with the right password gets in.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Ten failures for one username, or from one address, lock both out for 30 minutes. Axes counts the
# failures within its cool-off window (30 minutes), which includes every 15-minute window.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Locked for 30 minutes from the lock: retrying during it does not keep the account locked.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=1 if IS_PRODUCTION else 0)
AXES_VERBOSE = False

# HIPAA 164.312(a)(2)(iii) automatic logoff: idle timeout (at most 30 minutes) with a warning first,
# and an absolute session lifetime.
SESSION_IDLE_TIMEOUT = timedelta(seconds=env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=15 * 60))
SESSION_IDLE_WARNING = timedelta(seconds=env.int("SESSION_IDLE_WARNING_SECONDS", default=2 * 60))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
if not timedelta(minutes=1) <= SESSION_IDLE_TIMEOUT <= timedelta(minutes=30):
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT_SECONDS must be between 60 and 1800.")
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "providers.authentication.ProviderApiKeyAuthentication",  # passes on plan keys
        "ecm_platform.tenancy.authentication.PlanApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ecm_platform.tenancy.permissions.HasCapability"],
    "DEFAULT_PAGINATION_CLASS": "ecm_platform.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bounded in size and nesting, refusing in the API's error shape (ecm_platform/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "ecm_platform.api.parsers.JSONParser",
        "ecm_platform.api.parsers.FormParser",
        "ecm_platform.api.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
API_KEY_CUSTOM_HEADER = "HTTP_AUTHORIZATION"
_ERROR_ENUMS = "drf_standardized_errors.openapi_serializers"
SPECTACULAR_SETTINGS = {
    "TITLE": "ECM Platform API",
    "DESCRIPTION": (
        "CalAIM Enhanced Care Management and Community Supports for Medi-Cal managed care plans. "
        "Authenticate with `Authorization: Api-Key <key>`; a key belongs to one plan and role. "
        "Every error has the shape `{type, errors: [{code, detail, attr}]}`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        name: f"{_ERROR_ENUMS}.{name}.choices"
        for name in (
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            "ErrorCode401Enum",
            "ErrorCode403Enum",
            "ErrorCode404Enum",
            "ErrorCode405Enum",
            "ErrorCode406Enum",
            "ErrorCode415Enum",
            "ErrorCode429Enum",
            "ErrorCode500Enum",
        )
    }
    | {
        "RoleEnum": "ecm_platform.tenancy.models.Role.choices",
        "ProviderRoleEnum": "ecm_platform.tenancy.models.ProviderRole.choices",
        "AuthorizationStatusEnum": "authorizations.models.Status.choices",
        "ReferralStatusEnum": "community_supports.referral_models.ReferralStatus.choices",
        "ReferralDeclineReasonEnum": "community_supports.referral_models.DeclineReason.choices",
        "ReferralClosureReasonEnum": "community_supports.referral_models.ClosureReason.choices",
        "EncounterSourceEnum": "encounters.models.EncounterSource.choices",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "ecm_platform.api.errors.DomainAwareExceptionHandler"}

# --- Background work -----------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="ecm")
# A broker that does not answer within half a second is down: the outbox keeps the work
# (ecm_platform.tasking) instead of a request waiting on the broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 0.5}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Publish the work a broker outage left in the outbox.
    "outbox-sweep": {
        "task": "ecm_platform.outbox.tasks.outbox_sweep",
        "schedule": timedelta(minutes=1),
    },
    # A background import whose worker stopped never blocks the next one (ecm_platform/jobs).
    "import-jobs-sweep": {
        "task": "ecm_platform.jobs.tasks.import_jobs_sweep_task",
        "schedule": timedelta(minutes=1),
    },
    # DOMAIN 3.3: the nightly high-utilizer scan, one task per plan.
    "high-utilizer-scans": {
        "task": "eligibility.tasks.high_utilizer_scans_all",
        "schedule": crontab(hour=2, minute=0),
    },
    # DOMAIN 5.2: decided discontinuations take effect on their date, members who left the plan end
    # their requests; late in the day, so an appeal filed on the effective date still holds it.
    "authorization-jobs": {
        "task": "authorizations.tasks.authorization_jobs_all",
        "schedule": crontab(hour=23, minute=30),
    },
    # DOMAIN 7: contracts past their last day have their members reassigned.
    "contract-ends": {
        "task": "providers.tasks.contract_ends_all",
        "schedule": crontab(hour=0, minute=30),
    },
    # ARCHITECTURE, Deadlines: every clock at risk or overdue is told to its owner once.
    "deadline-monitors": {
        "task": "ecm_platform.deadlines.tasks.deadline_monitors_all",
        "schedule": timedelta(minutes=15),
    },
    # The PHI access log's coming months have their partitions, and its months past six years are
    # dropped (ecm_platform/audit/partitions.py: the owner's functions, called as the app role).
    "phi-access-partitions": {
        "task": "ecm_platform.audit.tasks.phi_access_partitions",
        "schedule": timedelta(days=1),
    },
    "phi-access-retention": {
        "task": "ecm_platform.audit.tasks.phi_access_retention",
        "schedule": crontab(hour=3, minute=15),
    },
    # DOMAIN 8: engagements opened for the members newly targeted for outreach, ended for the rest.
    "outreach-targets": {
        "task": "outreach.tasks.targets_sync_all",
        "schedule": timedelta(minutes=10),
    },
    # DOMAIN 8, 10: the quarter just ended, built once for every plan early on the next quarter's first day.
    "outreach-measures-quarter-end": {
        "task": "outreach.tasks.measures_quarter_end_all",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=4, minute=0),
    },
    # Copy next year's default holiday calendar for every plan well before it is needed.
    "holiday-calendars-extend": {
        "task": "ecm_platform.calendars.tasks.holiday_calendars_extend_all",
        "schedule": timedelta(days=1),
    },
}

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ecm-platform@localhost")

# Community Supports elections change on these month-days, the same for every plan (DOMAIN 9).
COMMUNITY_SUPPORTS_ANCHORS = {"additions": ["01-01", "07-01"], "removals": ["01-01"]}

# --- Hardening -----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No inline scripts anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if IS_PRODUCTION else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step of every letter at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
