"""The project's own production settings (DJANGO_ENV=production) for the benchmark's gunicorn, with
one difference that touches no measured request: static files are collected, hashed but not
compressed, into a folder of the benchmark's (compressing them takes two minutes here, and no
endpoint measured serves a static file)."""

import os

from ecm_platform.settings import *  # noqa: F403
from ecm_platform.settings import STORAGES

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
