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

# `make demo` writes a random key to var/secret_key, so a local installation runs with DEBUG off without
# anyone choosing a key; a deployment passes SECRET_KEY or SECRET_KEY_FILE.
_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
_LOCAL_SECRET_KEY_FILE = VAR_DIR / "secret_key"
SECRET_KEY = (
    env_secret("SECRET_KEY")
    or (_LOCAL_SECRET_KEY_FILE.read_text().strip() if _LOCAL_SECRET_KEY_FILE.is_file() else None)
    or _DEFAULT_SECRET_KEY
)
if not DEBUG and SECRET_KEY == _DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off, or run `make secret`.")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Public open data (CBS, Leefbaarometer, boundaries) a user keeps locally; only tests and the demo read it.
OPEN_DATA_DIR = os.environ.get("BUURTBALANS_OPEN_DATA_DIR") or None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "buurtbalans.core",
    "buurtbalans.neighbourhoods",
    "buurtbalans.portfolio",
    "buurtbalans.households",
    "buurtbalans.rules",
    "buurtbalans.allocation",
    "buurtbalans.steering",
    "buurtbalans.liveability",
    "buurtbalans.cooperatives",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "buurtbalans.core.middleware.DutchByDefaultLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "buurtbalans.core.middleware.RefuseNulBytesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
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
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
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

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "overview"
LOGOUT_REDIRECT_URL = "login"

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

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and env_bool("USE_HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# The worker polls for queued jobs this often when idle.
WORKER_POLL_SECONDS = env_int("WORKER_POLL_SECONDS", 2)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
