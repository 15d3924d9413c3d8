"""Django settings. Everything comes from the environment with a safe embedded default:
SQLite in ./var, Celery tasks run in-process, e-mail to the console. `DATABASE_URL`
switches to PostgreSQL, `CELERY_BROKER_URL` to a real broker."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("QYZMET_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded SQLite database lives here


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


DEBUG = env_bool("QYZMET_DEBUG", True)
SECRET_KEY = os.environ.get("QYZMET_SECRET_KEY", "dev-only-insecure-key-change-me")
if not DEBUG and SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("set QYZMET_SECRET_KEY when QYZMET_DEBUG is off")
ALLOWED_HOSTS = os.environ.get("QYZMET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "qyzmet.regulations",
    "qyzmet.audit",
    "qyzmet.providers",
    "qyzmet.outbox",
    "qyzmet.engine",
    "qyzmet.intake.paper",
    "qyzmet.notifications",
    "qyzmet.analytics",
    "qyzmet.office",
    "qyzmet.api",
    "qyzmet.pki",
    "qyzmet.gateway",
    "qyzmet.registry",
    "qyzmet.intake.online",
    "qyzmet.portal",
    "qyzmet.psc",
    "qyzmet.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "qyzmet.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qyzmet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
WSGI_APPLICATION = "qyzmet.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'qyzmet.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, and statements a connection runs often (the engine's
    # transitions, the audit append) prepared after a few runs: PostgreSQL then skips parsing and
    # planning them. Turn it off (QYZMET_PG_PREPARE=0) behind a transaction-mode pooler.
    if os.environ.get("QYZMET_PG_PREPARE", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "qyzmet" / "locale"]
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by collectstatic; served by WhiteNoise
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "qyzmet" / "static"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Signed documents as issued (registry.documents): local files in the embedded default; any
    # storage backend (an S3 bucket, say) in production, through the same storage API.
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ.get("QYZMET_DOCUMENTS_DIR", str(VAR_DIR / "documents"))},
    },
}

EMAIL_BACKEND = os.environ.get("QYZMET_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

# Celery: a real broker in production; in the embedded default, tasks run in-process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "engine-tick": {"task": "qyzmet.engine.tick", "schedule": 60.0},
    "gateway-retry-pending-lookups": {"task": "qyzmet.gateway.tasks.retry_pending_lookups", "schedule": 30.0},
    "paper-intake-retry-queued": {
        "task": "qyzmet.intake.paper.tasks.retry_queued_registrations",
        "schedule": 30.0,
    },
    # events whose delivery never started or stalled (a process or the broker went away)
    "outbox-redispatch": {"task": "qyzmet.outbox.redispatch", "schedule": 60.0},
}
# Each engine event as a JSON line for analytics (qyzmet/analytics); unset, nothing is exported.
QYZMET_ANALYTICS_FILE = os.environ.get("QYZMET_ANALYTICS_FILE") or None

# The e-government gateway: unset, its simulators run in-process; set, they are reached over HTTP
# (`python -m qyzmet gateway serve`), as a real gateway would be.
QYZMET_GATEWAY_URL = os.environ.get("QYZMET_GATEWAY_URL") or None

# Where the public verification pages live, for the QR codes on documents.
QYZMET_PUBLIC_URL = os.environ.get("QYZMET_PUBLIC_URL", "http://127.0.0.1:8000")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/office/"
