"""Test settings: production settings with test-only conveniences.

DATABASE_URL and REDIS_URL still decide which real services the suite uses.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("DEBUG", "false")
# Keep the filesystem broker and files of test runs apart from a developer's portal.
os.environ.setdefault(
    "PRODUCTOPS_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test")
)

from productops.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["*"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A real Celery worker started by a test writes its mail to files the test reads.
EMAIL_BACKEND = (
    "django.core.mail.backends.filebased.EmailBackend"
    if os.environ.get("EMAIL_FILE_PATH")
    else "django.core.mail.backends.locmem.EmailBackend"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
AXES_ENABLED = True
# Tests share one cache: rates high enough that no test throttles another. Tests of throttling
# lower them with override_settings.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/min",
        "user": "100000/min",
        "failed_token": "100000/min",
    },
}
# Off for the suite: many tests move the clock a few seconds past a deadline and expect the page
# to change at once. tests/accounts/test_page_cache.py turns it on and tests it.
# A Celery worker started by such a test is told by TEST_PAGE_CACHE_SECONDS.
PAGE_CACHE_SECONDS = int(os.environ.get("TEST_PAGE_CACHE_SECONDS", "0"))
