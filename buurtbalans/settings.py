"""Django settings for Buurtbalans, read from the environment.

Every setting that differs between machines comes from an environment variable through the typed
helpers below, so a deployment is configured without editing code (see README, "Configuration").
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment; anything but a clear yes/no is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from exc


def env_secret(name: str, default: str | None = None) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


DEBUG = env_bool("DEBUG", False)

# Runtime files (SQLite database, uploads, generated reports) live under var/, never in the package.
VAR_DIR = Path(os.environ.get("BUURTBALANS_VAR_DIR") or BASE_DIR / "var")
if not VAR_DIR.is_absolute():
    VAR_DIR = BASE_DIR / VAR_DIR
UPLOAD_DIR = VAR_DIR / "uploads"
# Uploaded import files (core/uploads.py) are removed once imported; a file whose check or import failed is kept at
# most UPLOAD_RETENTION_FAILED_DAYS, a checked one nobody confirmed UPLOAD_RETENTION_UNCONFIRMED_DAYS.
UPLOAD_RETENTION_FAILED_DAYS = env_int("UPLOAD_RETENTION_FAILED_DAYS", 7)
UPLOAD_RETENTION_UNCONFIRMED_DAYS = env_int("UPLOAD_RETENTION_UNCONFIRMED_DAYS", 1)

# `make demo` writes a random key to var/secret_key, so a local installation runs with DEBUG off without
# anyone choosing a key; a deployment passes SECRET_KEY or SECRET_KEY_FILE.
_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
_LOCAL_SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = (
    env_secret("SECRET_KEY")
    or (_LOCAL_SECRET_KEY_FILE.read_text().strip() if _LOCAL_SECRET_KEY_FILE.is_file() else None)
    or _DEFAULT_SECRET_KEY
)


def _runs_a_file_command() -> bool:
    """Whether the `buurtbalans` console script runs a command that only reads and writes files (buurtbalans/cli.py)."""
    import sys

    return bool(getattr(sys.modules.get("buurtbalans.cli"), "running_file_command", False))


if not DEBUG and SECRET_KEY == _DEFAULT_SECRET_KEY:
    if not _runs_a_file_command():
        # The message is translated by buurtbalans/cli.py (SECRET_KEY_MISSING), which prints it.
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off, or run `make secret`.")
    # A file command on a fresh install (issue 14): a random key for this process only. File commands make no
    # sessions, recovery codes or signed links, so nothing signed or hashed with this key outlives the process.
    SECRET_KEY = os.urandom(32).hex()
# Earlier keys, comma-separated, while a new SECRET_KEY is rolled out: signed links and the hashed recovery codes
# (accounts/recovery.py) made with an old key keep working until it is dropped from this list.
SECRET_KEY_FALLBACKS = [k.strip() for k in (env_secret("SECRET_KEY_FALLBACKS") or "").split(",") if k.strip()]

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Public open data (CBS, Leefbaarometer, boundaries) a user keeps locally; only tests and the demo read it.
OPEN_DATA_DIR = os.environ.get("BUURTBALANS_OPEN_DATA_DIR") or None

# Worker processes for one policy study's runs (issue 15): 1 computes them in the job's own process; more starts a
# local Dask cluster of that many for the run (docs/simulation-screens.md).
BUURTBALANS_SIMULATION_WORKERS = max(1, env_int("BUURTBALANS_SIMULATION_WORKERS", 1))

# Under this share of a complex's dwellings still owned, the corporation has lost its means to steer it
# ("sturingsmogelijkheden verdwenen", issue 16 item 2; docs/history.md). A share between 0 and 1.
BUURTBALANS_STEERING_POWER_THRESHOLD = float(os.environ.get("BUURTBALANS_STEERING_POWER_THRESHOLD") or 0.5)

INSTALLED_APPS = [
    # No django.contrib.admin: nothing in the product needs it, and an unthrottled second login is a risk (issue 11).
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # accounts: two-step verification (TOTP app and recovery codes) and the Content-Security-Policy header.
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Unused: recovery codes are hashed in accounts.RecoveryCodeDevice. Kept (tables empty) because accounts migration
    # 0004 moves django-otp's plain static tokens out of it; remove with that migration squashed.
    "django_otp.plugins.otp_static",
    "csp",
    "buurtbalans.core",
    "buurtbalans.accounts",
    "buurtbalans.neighbourhoods",
    "buurtbalans.portfolio",
    "buurtbalans.households",
    "buurtbalans.rules",
    "buurtbalans.allocation",
    "buurtbalans.steering",
    "buurtbalans.placements",  # intake, contingents, placements of vulnerable households (issue 13 item 3)
    "buurtbalans.liveability",
    "buurtbalans.cooperatives",
    "buurtbalans.history",  # statuses, income bands and ownership as on a date; steering power (issue 16)
    "buurtbalans.accountability",  # objection register, follow-ups of motivation tenants (issue 13 item 4)
    "buurtbalans.simulation",  # policy simulation (issue 15): the simulate_policy command; engine.simulation
    "buurtbalans.evaluation",  # interventions register and their evaluation (issue 16 part A); engine.evaluation
    "buurtbalans.screens",  # the overview, complex and buurt pages: they combine apps (issue 12)
    "buurtbalans.privacy",  # retention, subject access and erasure (issue 11); no models of its own
    "buurtbalans.demo",  # seed_demo, seed_social_demo and their generators; on top of every domain app, no models
    "buurtbalans.api",  # the REST API /api/v1/ and its tokens (issue 17): on top, it may use every app
    "ninja",  # django-ninja: only for its bundled Swagger UI files, so /api/v1/docs works offline under the CSP
]

MIDDLEWARE = [
    # Outermost: under /api/v1/ every error answer, from any layer below, gets the API's error body (issue 17).
    "buurtbalans.api.middleware.ApiErrorShapeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "buurtbalans.accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "buurtbalans.core.middleware.DutchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "buurtbalans.core.middleware.RefuseNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_otp.middleware.OTPMiddleware",  # accounts: request.user.is_verified()
    "buurtbalans.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "buurtbalans.accounts.middleware.SecondStepMiddleware",
    # Pages for a signed-in user show personal data: no browser or proxy may keep them (privacy, issue 11).
    "buurtbalans.privacy.middleware.PrivatePagesNotStoredMiddleware",
]

ROOT_URLCONF = "buurtbalans.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "buurtbalans" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "buurtbalans.core.context_processors.membership",
                "buurtbalans.rules.context_processors.parameter_banner",
            ],
        },
    },
]

WSGI_APPLICATION = "buurtbalans.wsgi.application"

_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'buurtbalans.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _SQLITE_DEFAULT, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The JIT compiler spent longer compiling the overview's aggregates than running them (0.5 s vs 0.3 s at 100k
    # dwellings); our queries are short OLTP/reporting queries that never profit from it.
    # random_page_cost 1.1 instead of 4 (the default assumes spinning disks): with the working set in memory or on
    # SSD an index lookup is nearly as cheap as a sequential read, and the planner then reads a page of complexes'
    # tenancies by index instead of scanning all of them (the overview's composition: 36 -> 18 ms at 100k dwellings).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the worker write while the web process reads; the timeout rides out short write locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts: login, passwords, sessions and security headers (issue 11, OWASP ASVS 4.0.3 level 2) ---
# Passwords (ASVS 2.1): at least 12 characters, at most 128, no composition rules; not one of the 20,000 passwords
# most common in breaches (Django's list), nor like the user's own name or e-mail address.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "buurtbalans.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
# A password-reset link works for one hour and only once (it stops working when the password changes).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
# Reset mails per hour to one e-mail address, and reset requests per hour from one client (accounts/throttle.py).
PASSWORD_RESET_REQUESTS_PER_EMAIL = env_int("PASSWORD_RESET_REQUESTS_PER_EMAIL", 3)
PASSWORD_RESET_REQUESTS_PER_ADDRESS = env_int("PASSWORD_RESET_REQUESTS_PER_ADDRESS", 10)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (accounts/throttle.py): tries per account name and per address before a lock, which starts at
# LOGIN_LOCK_SECONDS and doubles each time up to LOGIN_LOCK_MAX_SECONDS.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 60)
LOGIN_LOCK_MAX_SECONDS = env_int("LOGIN_LOCK_MAX_SECONDS", 3600)
LOGIN_LOCK_RESET_SECONDS = env_int("LOGIN_LOCK_RESET_SECONDS", 24 * 3600)
# Reverse proxies in front of the app that append to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Two-step verification (TOTP app, recovery codes) for every role that reads special-category data and for
# administrators (accounts/mfa.py derives the roles from the role table). Off only for tests and trials.
MFA_REQUIRED = env_bool("BUURTBALANS_MFA_REQUIRED", True)
OTP_TOTP_ISSUER = "Buurtbalans"

# Sessions (ASVS 3.3): logged out after 30 minutes without a request and 12 hours after logging in at the latest.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 3600)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# E-mail (password links). Without EMAIL_HOST, mails are written as files under VAR_DIR/mail (a local install).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", "") or ""
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buurtbalans <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# HTTPS: USE_HTTPS=1 behind TLS switches on secure cookies, the redirect to https and HSTS (one year); each can
# also be set on its own. SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO,https when a proxy ends TLS.
USE_HTTPS = env_bool("USE_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and USE_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", USE_HTTPS)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if USE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", USE_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
_PROXY_SSL_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
if _PROXY_SSL_HEADER:
    _proxy_header, _comma, _proxy_value = _PROXY_SSL_HEADER.partition(",")  # not `_`: that is gettext here
    if not _proxy_header.startswith("HTTP_") or not _proxy_value:
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={_PROXY_SSL_HEADER!r}: use HEADER,value, e.g. HTTP_X_FORWARDED_PROTO,https"
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_header.strip(), _proxy_value.strip())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): only our own scripts and style sheets, no inline script or style attribute,
# no framing. Charts are inline SVG with presentation attributes; the NL Design System CSS uses data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# --- end accounts ---

# --- API (issue 17, docs/api.md) ---
# Requests per token per minute (a fixed window counted in the database: every web worker sees the same count).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600)
# The longest a token may be valid, and how long an idempotent write's answer is kept for a repeat.
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
API_IDEMPOTENCY_HOURS = env_int("API_IDEMPOTENCY_HOURS", 24)
# --- end API ---

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "buurtbalans" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end assets built by `make assets` (npm: NL Design System / Utrecht CSS) land in static/build.
STATICFILES_DIRS = [BASE_DIR / "buurtbalans" / "static"]

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Zip files and .xlsx workbooks given to an import (core/safeinput.py): at most this much unpacked in all, this
# many members, and no member packed more than IMPORT_MAX_ZIP_RATIO times beyond its first 10 MB (a zip bomb).
IMPORT_MAX_UNZIPPED_BYTES = env_int("IMPORT_MAX_UNZIPPED_BYTES", 500 * 1024 * 1024)
IMPORT_MAX_ZIP_MEMBERS = env_int("IMPORT_MAX_ZIP_MEMBERS", 1000)
IMPORT_MAX_ZIP_RATIO = env_int("IMPORT_MAX_ZIP_RATIO", 100)

# While a job runs, its worker writes a heartbeat this often; a running job without one for the timeout belongs
# to a dead worker and is failed, or queued again when its kind is retry-safe, up to WORKER_MAX_ATTEMPTS starts
# (docs/operations.md, "Background workers"). Keep the timeout well above the interval.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)
WORKER_HEARTBEAT_TIMEOUT_SECONDS = env_int("WORKER_HEARTBEAT_TIMEOUT_SECONDS", 120)
WORKER_MAX_ATTEMPTS = env_int("WORKER_MAX_ATTEMPTS", 3)
# How often a worker looks whether a periodic job (JobRunner.every) is due for a corporation.
WORKER_PERIODIC_CHECK_SECONDS = env_int("WORKER_PERIODIC_CHECK_SECONDS", 60)
# The worker polls for queued jobs this often when idle.
WORKER_POLL_SECONDS = env_int("WORKER_POLL_SECONDS", 2)

# --- RETENTION_: how long each kind of personal data is kept (docs/privacy.md gives the legal ground of each) ---
# Days, counted from the moment named; `buurtbalans purge_expired` (and its nightly job) removes what expired.
# Vulnerability markers: after the household's last tenancy ended, or after the marker's own end date.
RETENTION_MARKERS_DAYS = env_int("RETENTION_MARKERS_DAYS", 365)
# Support needs (zorgsignalen): after they were resolved; one never resolved, after it was reported.
RETENTION_SUPPORT_NEEDS_DAYS = env_int("RETENTION_SUPPORT_NEEDS_DAYS", 365)
RETENTION_SUPPORT_NEEDS_OPEN_DAYS = env_int("RETENTION_SUPPORT_NEEDS_OPEN_DAYS", 730)
# The free-text notes of signals, visits and activities: after the record's date (the record and its counts stay).
RETENTION_SOCIAL_NOTES_DAYS = env_int("RETENTION_SOCIAL_NOTES_DAYS", 730)
# Issue 13. The free text of intake conversations: after the placement that followed (the tenancy's start), or
# after the conversation when no placement followed (the household left the route); the choices stay.
RETENTION_INTAKE_NOTES_DAYS = env_int("RETENTION_INTAKE_NOTES_DAYS", 730)
# The free text of the voluntary follow-up of a motivation tenant: after the tenancy started.
RETENTION_FOLLOW_UP_NOTES_DAYS = env_int("RETENTION_FOLLOW_UP_NOTES_DAYS", 730)
# Motivation texts: after the allocation round closed (the assessors' scores stay with the decision).
RETENTION_MOTIVATION_TEXTS_DAYS = env_int("RETENTION_MOTIVATION_TEXTS_DAYS", 365)
# Objections with their decisions: as the allocation decisions they are about, 7 years after the decision.
RETENTION_OBJECTIONS_DAYS = env_int("RETENTION_OBJECTIONS_DAYS", 7 * 365 + 2)
# The logs and results of finished jobs (import reports quote rows; letters PDFs hold names and addresses).
RETENTION_JOB_RESULTS_DAYS = env_int("RETENTION_JOB_RESULTS_DAYS", 90)
# The audit log: 7 years (BIO logging, accountability). The product never deletes audit events: past this term
# the purge only counts them; removing them is an operator procedure (docs/privacy.md, "The audit log").
RETENTION_AUDIT_LOG_DAYS = env_int("RETENTION_AUDIT_LOG_DAYS", 7 * 365 + 2)
# --- end RETENTION_ ---

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
