"""Django settings. Everything comes from the environment with a safe embedded default:
SQLite in ./var, Celery tasks run in-process, e-mail to the console. `DATABASE_URL`
switches to PostgreSQL (`DATABASE_OWNER_URL` names the schema owner's role for migrations),
`CELERY_BROKER_URL` to a real broker."""

import datetime as dt
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


def local_secret_key(path: Path) -> str:
    """A random key made once for this installation and kept beside its database (owner-only), so
    `make run` needs no configuration and no two installations share a key. Production sets
    QYZMET_SECRET_KEY, the same on every host."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    import secrets
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent)  # mode 0600
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))
    try:
        os.link(tmp, path)  # atomic: of processes starting together, the first one's key wins
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return path.read_text().strip()


# Off unless a developer turns it on (QYZMET_DEBUG=1): DEBUG pages show tracebacks, settings and
# the environment to anyone.
DEBUG = env_bool("QYZMET_DEBUG", False)
SECRET_KEY = os.environ.get("QYZMET_SECRET_KEY") or local_secret_key(VAR_DIR / "secret_key")
ALLOWED_HOSTS = os.environ.get("QYZMET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_structlog",
    "health_check",  # /health/ (qyzmet/edge/health.py)
    "qyzmet.edge",
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
    "qyzmet.edge.middleware.AdmissionControl",  # first: shedding a surge must cost next to nothing
    "django_structlog.middlewares.RequestMiddleware",  # request id; every server error logged
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "qyzmet.edge.middleware.RejectBadInput",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "qyzmet.edge.sessions.SessionUserMiddleware",  # the user read with the session, in one statement
    "axes.middleware.AxesMiddleware",
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

# On PostgreSQL the app connects as a role that owns nothing and may not change or remove the
# append-only tables (DATABASE_URL, qyzmet_app in `make prod`); the schema's owner, which runs the
# migrations, connects through DATABASE_OWNER_URL (qyzmet_owner): `python -m qyzmet migrate` sets
# QYZMET_DATABASE_AS_OWNER=1 (qyzmet/cli.py). Without DATABASE_OWNER_URL both are DATABASE_URL.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL") or None
_database_url = os.environ.get("DATABASE_URL") or None
if DATABASE_OWNER_URL and env_bool("QYZMET_DATABASE_AS_OWNER", False):
    _database_url = DATABASE_OWNER_URL
DATABASES = {
    "default": dj_database_url.parse(_database_url, conn_max_age=60)
    if _database_url
    else dj_database_url.parse(f"sqlite:///{VAR_DIR / 'qyzmet.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound on the server, and statements a connection runs often (the engine's
    # transitions, the audit append) prepared after a few runs: PostgreSQL then skips parsing and
    # planning them. Turn it off (QYZMET_PG_PREPARE=0) behind a transaction-mode pooler.
    if os.environ.get("QYZMET_PG_PREPARE", "1") != "0":
        DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Sessions whose row names the signed-in user: a signed-in request is resolved by one indexed read
# of the session joined to its user (qyzmet/edge/sessions.py).
SESSION_ENGINE = "qyzmet.edge.sessions"
# A form the CSRF check turns away gets the site's page in the visitor's language (edge/views.py).
CSRF_FAILURE_VIEW = "qyzmet.edge.views.csrf_failure"

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["qyzmet.formats"]  # kk and en date and number formats (Django ships none for kk)
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
# The in-memory transport names a host, or kombu warns on every connection that none was given.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL.startswith("memory://"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Sites (or a smoke test) sharing one broker keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("QYZMET_CELERY_QUEUE", "celery")
CELERY_BEAT_SCHEDULE = {
    "engine-tick": {"task": "qyzmet.engine.tick", "schedule": 60.0},
    # the dashboards' totals of closed applications (engine/figures.py), and with them the figures
    # pages' and open data's (analytics/rollup.py, on the engine's `rolled_up` signal)
    "engine-roll-up-figures": {"task": "qyzmet.engine.roll_up_figures", "schedule": 3600.0},
    "gateway-retry-pending-lookups": {"task": "qyzmet.gateway.tasks.retry_pending_lookups", "schedule": 30.0},
    "paper-intake-retry-queued": {
        "task": "qyzmet.intake.paper.tasks.retry_queued_registrations",
        "schedule": 30.0,
    },
    # events whose delivery never started or stalled (a process or the broker went away)
    "outbox-redispatch": {"task": "qyzmet.outbox.redispatch", "schedule": 60.0},
    # the audit and register chain heads, verified, signed and published (registry/heads.py)
    "registry-publish-heads": {
        "task": "qyzmet.registry.publish_heads",
        "schedule": float(os.environ.get("QYZMET_HEADS_EVERY_SECONDS", "300")),
    },
    # permits: expiry and the reminder 30 days before (registry/watch.py), and the watch over the
    # state databases that proposes terminations to the licensor; once a day each
    "registry-permit-terms": {"task": "qyzmet.registry.permit_terms", "schedule": 24 * 3600.0},
    "registry-watch-holders": {"task": "qyzmet.registry.watch_holders", "schedule": 24 * 3600.0},
}
# Each engine event as a JSON line for analytics (qyzmet/analytics); unset, nothing is exported.
QYZMET_ANALYTICS_FILE = os.environ.get("QYZMET_ANALYTICS_FILE") or None

# The e-government gateway: unset, its simulators run in-process; set, they are reached over HTTP
# (`python -m qyzmet gateway serve`), as a real gateway would be.
QYZMET_GATEWAY_URL = os.environ.get("QYZMET_GATEWAY_URL") or None
# Services published beside the simulators, as NUC RK's CRL and OCSP are beside the gateway:
# the first path segment -> a WSGI app (named here, so the gateway layer imports no other).
QYZMET_GATEWAY_MOUNTS = {"pki": "qyzmet.pki.http.application"}
# Where the test certification centre publishes its CRL and answers OCSP; certificates issued
# name these URLs (the gateway's URL, else the simulators' default address).
QYZMET_PKI_URL = os.environ.get("QYZMET_PKI_URL") or QYZMET_GATEWAY_URL or "http://127.0.0.1:8101"

# Where the public verification pages live, for the QR codes on documents.
QYZMET_PUBLIC_URL = os.environ.get("QYZMET_PUBLIC_URL", "http://127.0.0.1:8000")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/office/"

# The edge (issue 11): bad input, size limits, brute force, admission control, logs -------------
# Uploads: files over FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to temporary files, not held in
# memory; a post declaring more than QYZMET_UPLOAD_MAX_REQUEST_BYTES is refused (413) unread.
MB = 1024 * 1024
QYZMET_UPLOAD_MAX_FILE_BYTES = int(float(os.environ.get("QYZMET_UPLOAD_MAX_FILE_MB", "10")) * MB)
QYZMET_UPLOAD_MAX_REQUEST_BYTES = int(float(os.environ.get("QYZMET_UPLOAD_MAX_REQUEST_MB", "25")) * MB)
FILE_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * MB)  # a post's fields other than files, and JSON bodies

# Password sign-in (portal, office, admin) through django-axes: AXES_FAILURE_LIMIT wrong passwords
# for one account from one address lock that pair out for AXES_COOLOFF_TIME (per pair, so a typo
# streak at a shared office address does not lock out everyone there, and no one can lock out an
# account from elsewhere). Wrong API tokens count per address (edge/throttle.py). Client address:
# REMOTE_ADDR only, since X-Forwarded-For is whatever the client says; behind a proxy set
# QYZMET_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP) to the header the proxy sets.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("QYZMET_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("QYZMET_SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt writes nothing
AXES_LOCKOUT_CALLABLE = "qyzmet.edge.views.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = [os.environ.get("QYZMET_CLIENT_IP_HEADER", "REMOTE_ADDR")]
AXES_VERBOSE = False

# Admission control (edge/middleware.py), per server process: requests that change state and
# reads in progress at once; past the bound a request waits QYZMET_ADMISSION_WAIT_MS at most,
# then gets 503 with Retry-After (a waiting-room page, or JSON under /api/). 0 turns a bound off.
# Keep their sum below gunicorn's --threads (e.g. 2 + 8 of 16): the spare threads answer the
# refusals, so a surge is refused at once rather than queued in front of busy threads. On two
# cores (bench/overload.py, 160 clients): two submissions at once per process admit 46/s at p99
# 0.37 s; four admit 57/s at p99 0.7-0.9 s; none (admission off) serve 76/s at p99 2.8 s. Raise
# it with the cores.
QYZMET_ADMISSION_WRITES = int(os.environ.get("QYZMET_ADMISSION_WRITES", "2"))
QYZMET_ADMISSION_READS = int(os.environ.get("QYZMET_ADMISSION_READS", "8"))
QYZMET_ADMISSION_WAIT_MS = int(os.environ.get("QYZMET_ADMISSION_WAIT_MS", "50"))
QYZMET_ADMISSION_RETRY_AFTER = int(os.environ.get("QYZMET_ADMISSION_RETRY_AFTER", "5"))
QYZMET_ADMISSION_EXEMPT = [STATIC_URL if STATIC_URL.startswith("/") else "/" + STATIC_URL]  # WhiteNoise's

# Logs: JSON lines on stderr with the request id (edge/logs.py); QYZMET_LOG_LEVEL sets the app's.
from qyzmet.edge.logs import logging_config  # noqa: E402

LOGGING = logging_config(debug=DEBUG, level=os.environ.get("QYZMET_LOG_LEVEL", "INFO"))
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = 10  # "request_started" only at DEBUG: one line per request
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False  # edge/logs.py binds the address the throttle uses
