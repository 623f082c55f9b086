"""Settings of the bare DRF baseline: DEBUG off, the project's database and page size, keyset
pagination like the project's lists, nothing else installed."""

import environ

env = environ.Env()
SECRET_KEY = env.str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
INSTALLED_APPS = ["django.contrib.contenttypes", "rest_framework", "benchmarks.baseline"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "benchmarks.baseline.urls"
WSGI_APPLICATION = "benchmarks.baseline.wsgi.application"
# The plan's id is set for the connection's whole life: the member table enforces row-level
# security (ecm_platform/tenancy/row_security.py) and the baseline has no scope of its own.
BENCH_PLAN_ID = env.int("BASELINE_PLAN_ID")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 60  # the project's production default
DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c app.plan_ids={BENCH_PLAN_ID}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "America/Los_Angeles"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
