"""The test run's settings: the production settings module with test values in the
environment (production-like: DEBUG stays off). Not for any other use."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")  # the live server speaks plain HTTP
os.environ.setdefault("STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="skinchart-test-"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# A fixed, test-only photo key (32 zero bytes): tests of rotation set their own.
os.environ.setdefault("PHOTO_KEYS", "test:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")

from skinchart.settings import *  # noqa: E402, F403

# Hashing at full argon2 strength would make each persona cost ~100 ms; tests of the
# production hasher read skinchart.settings.PASSWORD_HASHERS directly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
