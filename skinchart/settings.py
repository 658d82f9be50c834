"""Skinchart settings: one module, every value from the environment.

Safe production defaults; development (`make run`) and tests switch things off
explicitly through environment variables. README.md lists every variable.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from skinchart.lib.blob_crypto import DEV_KEY_ID, derive_dev_key, parse_keys
from skinchart.lib.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# Demo mode seeds a fictitious clinic with known passwords. It is refused unless the
# site is served only on loopback addresses (see skinchart/system/checks.py).
DEMO_MODE = env_bool("DEMO_MODE", False)

SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set unless DEBUG=true")
    SECRET_KEY = "dev-only-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if DEMO_MODE and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "::1"}:
    # Also checked at run time by skinchart.system.checks (for gunicorn, which runs no checks).
    raise ImproperlyConfigured("DEMO_MODE may only be on when ALLOWED_HOSTS are loopback addresses.")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_htmx",
    "csp",
    "skinchart.accounts",
    "skinchart.audit",
    "skinchart.clients",
    "skinchart.journal",
    "skinchart.catalogue",
    "skinchart.guides",
    "skinchart.consultations",
    "skinchart.scheduling",
    "skinchart.photos",
    "skinchart.consent",
    "skinchart.products",
    "skinchart.sessions",
    "skinchart.api",
    "skinchart.system",
    "skinchart.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "skinchart.accounts.middleware.LoginSessionMiddleware",
    "skinchart.consent.middleware.KioskMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "skinchart.system.middleware.PrivateResponseMiddleware",
    "skinchart.journal.middleware.BreakGlassMiddleware",
]

ROOT_URLCONF = "skinchart.urls"
WSGI_APPLICATION = "skinchart.wsgi.application"

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
                "skinchart.system.context_processors.clinic",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'skinchart.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait (busy
    # timeout) instead of failing on a lock upgrade; WAL lets readers go on; FULL
    # makes a commit survive power loss, not only a process crash. ADR 0003.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, login sessions ------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "system:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST SP 800-63B: length and a blocklist, no composition rules, no expiry (REG-34).
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "skinchart.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "skinchart.accounts.passwords.ClinicWordsValidator"},
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT", 12 * 3600)
REAUTH_MAX_AGE = env_int("REAUTH_MAX_AGE", 5 * 60)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 15 * 60)
LOGIN_THROTTLE_PER_ACCOUNT_AND_IP = env_int("LOGIN_THROTTLE_PER_ACCOUNT_AND_IP", 5)
LOGIN_THROTTLE_PER_ACCOUNT = env_int("LOGIN_THROTTLE_PER_ACCOUNT", 20)
LOGIN_THROTTLE_PER_IP = env_int("LOGIN_THROTTLE_PER_IP", 100)
MFA_PENDING_TIMEOUT = 5 * 60
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Skinchart")
# Proxy header carrying the client address, e.g. X-Forwarded-For behind nginx.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")

# --- Security headers ---------------------------------------------------------------
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE_COOKIES else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE_COOKIES else "csrftoken"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Language and time ----------------------------------------------------------------
# Not "LANGUAGE": that is the system's locale variable on many machines.
LANGUAGE_CODE = env_str("DEFAULT_LANGUAGE", "da")
if LANGUAGE_CODE not in ("da", "en"):
    raise ImproperlyConfigured("DEFAULT_LANGUAGE must be 'da' or 'en'")
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Copenhagen")
FORMAT_MODULE_PATH = ["skinchart.formats"]
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "DK")

# --- Static files and media -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
_media_backend: dict[str, object]
if MEDIA_STORAGE == "filesystem":
    # No MEDIA_URL is ever served: files leave only through access-checked views.
    _media_backend = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": None},
    }
elif MEDIA_STORAGE == "s3":
    _media_backend = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_secret("S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("S3_SECRET_ACCESS_KEY"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'")
STORAGES = {
    "default": _media_backend,
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Email and SMS ----------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Skinchart <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL")
SMS_API_KEY = env_secret("SMS_API_KEY")
SMS_SENDER = env_str("SMS_SENDER", "Skinchart")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms"))

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_cpr": {"()": "skinchart.lib.logging_filters.MaskCprFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)r"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_cpr"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every layout step at INFO; only its problems are worth a line.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# --- Journal ------------------------------------------------------------------------------
JOURNAL_RETENTION_YEARS = env_int("JOURNAL_RETENTION_YEARS", 10)  # REG-21: at least 10 years
# A care relation (REG-28): the client's practitioner, or an entry by the user within this many days.
CARE_RELATION_DAYS = env_int("CARE_RELATION_DAYS", 180)
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 240)
JOURNAL_PAGE_SIZE = 25

# --- Catalogue and client guides -----------------------------------------------------------
CATALOGUE_DIR = env_str("CATALOGUE_DIR", str(BASE_DIR / "catalogue"))
# REG-3: the least reflection period a treatment definition may set for a cosmetic treatment.
COSMETIC_MIN_REFLECTION_HOURS = env_int("COSMETIC_MIN_REFLECTION_HOURS", 48)
# REG-9: warn this many days before a guide's review-by date; past it, "warn" or "block" its use.
DOCUMENT_REVIEW_WARNING_DAYS = env_int("DOCUMENT_REVIEW_WARNING_DAYS", 90)
DOCUMENT_REVIEW_OVERDUE = env_choice("DOCUMENT_REVIEW_OVERDUE", ["block", "warn"], "block")
# How long a guide link sent to a client works (it can be revoked sooner).
GUIDE_LINK_DAYS = env_int("GUIDE_LINK_DAYS", 30)
# The address clients reach Skinchart at (for links in e-mails), e.g. https://journal.oskin.dk;
# empty: taken from the request (checked against ALLOWED_HOSTS).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL")
# PRODUCT.md §2 step 11: a spacing rule without a fixed gap ("plan individually") warns
# when the other treatment is booked within this many days before or after a session.
SPACING_REVIEW_DAYS = env_int("SPACING_REVIEW_DAYS", 14)

# --- API ----------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

# --- Photos ------------------------------------------------------------------------------
# Uploads larger than this many bytes are refused (413) before anything is decoded; the
# proxy in front should refuse bigger request bodies too (nginx client_max_body_size).
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 25_000_000)
# Width × height above this is refused before decoding (decompression bombs, V5.2.6).
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 24_000_000)
# Encryption at rest (ADR 0010): "id1:<base64 of 32 bytes>,id2:…"; new photos use
# PHOTO_KEY_ID, old ones the key they name. Without keys, DEBUG derives a development
# key from SECRET_KEY; outside DEBUG no photo is stored or shown (system check error).
PHOTO_KEYS = parse_keys(env_secret("PHOTO_KEYS"))
if not PHOTO_KEYS and DEBUG:
    PHOTO_KEYS = {DEV_KEY_ID: derive_dev_key(SECRET_KEY)}
PHOTO_KEY_ID = env_str("PHOTO_KEY_ID") or (next(iter(PHOTO_KEYS)) if len(PHOTO_KEYS) == 1 else "")
if PHOTO_KEYS and PHOTO_KEY_ID not in PHOTO_KEYS:
    raise ImproperlyConfigured("PHOTO_KEY_ID must name one of the keys in PHOTO_KEYS")
# An upload up to the photo limit stays in memory, so an unencrypted photo is never
# spooled to a temporary file; a bigger one goes to disk and is refused.
FILE_UPLOAD_MAX_MEMORY_SIZE = PHOTO_MAX_BYTES
