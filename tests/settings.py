"""Test settings: the real settings, with the test database as the Celery broker too."""

import os

# The live server of the browser tests speaks plain HTTP.
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")

from newsreader.settings import *  # noqa: F403
from newsreader.settings import DATABASES, postgres_broker_url

TEST_DATABASE_NAME = "test_" + DATABASES["default"]["NAME"]
# Processes the tests start (Celery workers, a second ingest) work on the test database.
if os.environ.get("NEWSREADER_USE_TEST_DATABASE"):
    DATABASES["default"]["NAME"] = TEST_DATABASE_NAME
if not os.environ.get("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = postgres_broker_url({**DATABASES["default"], "NAME": TEST_DATABASE_NAME})

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files straight from the source folders: no collectstatic before the tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Tests list what they have just written; the tests of the horizon set it themselves.
NEWSREADER_SYNC_SETTLE_MS = 0
NEWSREADER_SYNC_HORIZON_REFRESH_MS = 0
