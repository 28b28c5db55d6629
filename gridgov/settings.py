"""Settings. What a deployment changes comes from the environment (docs/configuration.md)."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GRIDGOV_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """A key from the environment, or one generated once per installation and kept in var/."""
    if key := os.environ.get("GRIDGOV_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# Data keys sealing ID and phone numbers (SM4-GCM, HMAC-SM3 blind index): see docs/cryptography.md.
# "VERSION:HEX[,…]" here, else the key file (generated once); GRIDGOV_DATA_CIPHER plugs in an HSM.
GRIDGOV_DATA_KEYS = os.environ.get("GRIDGOV_DATA_KEYS", "")
GRIDGOV_DATA_KEY_FILE = Path(os.environ.get("GRIDGOV_DATA_KEY_FILE", VAR_DIR / "data_keys"))
GRIDGOV_DATA_CIPHER = os.environ.get("GRIDGOV_DATA_CIPHER", "gridgov.crypto.cipher.SoftwareCipher")
DEBUG = _env_bool("GRIDGOV_DEBUG")
ALLOWED_HOSTS = os.environ.get("GRIDGOV_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("GRIDGOV_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "gridgov.static_files.StaticFiles",
    "django.contrib.humanize",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "gridgov.audit",
    "gridgov.crypto",
    "gridgov.jobs",
    "gridgov.areas",
    "gridgov.accounts",
    "gridgov.notify",
    "gridgov.registry",
    "gridgov.cases",
    "gridgov.assessment",
    "gridgov.dashboard",
    "gridgov.warnings",
    "gridgov.office",
    "gridgov.patrol",
    "gridgov.mobile",
    "gridgov.lines",
    "gridgov.portal",
    "gridgov.exchange",
    "gridgov.demo",
    "gridgov.backup",
]

MIDDLEWARE = [
    # Outermost, so it compresses what every other part wrote (text only) for browsers that
    # take gzip: a phone on a weak network gets a page in a quarter of the bytes. Static files
    # come precompressed (WhiteNoise) and pass untouched.
    "gridgov.compression.TextGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gridgov.security_headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "gridgov.audit.middleware.RequestIdMiddleware",
    "gridgov.input_guard.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gridgov.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "gridgov.accounts.twofactor_middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gridgov.accounts.middleware.IdleSessionMiddleware",
    "gridgov.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The role of this instance: "core" (the whole platform) or "public" (only the citizen side —
# portal, Open311, /healthz — on the internet, relaying reports to the core; docs/portal.md).
GRIDGOV_ROLE = os.environ.get("GRIDGOV_ROLE", "core").strip().lower() or "core"
if GRIDGOV_ROLE not in ("core", "public"):
    raise ValueError(f"GRIDGOV_ROLE must be core or public, not {GRIDGOV_ROLE!r}")
# A public instance: the core's base URL and the API key of its client system (kind public portal).
GRIDGOV_CORE_URL = os.environ.get("GRIDGOV_CORE_URL", "").rstrip("/")
GRIDGOV_CORE_KEY = os.environ.get("GRIDGOV_CORE_KEY", "")
# The relay by files where only a one-way gateway connects a public instance and the core: the
# folder files arrive in and the folder to write into (docs/portal.md); unset: no file relay.
GRIDGOV_RELAY_FILES_IN = os.environ.get("GRIDGOV_RELAY_FILES_IN", "")
GRIDGOV_RELAY_FILES_OUT = os.environ.get("GRIDGOV_RELAY_FILES_OUT", "")
GRIDGOV_RELAY_FILES_SUITE = os.environ.get("GRIDGOV_RELAY_FILES_SUITE", "sm")
if GRIDGOV_RELAY_FILES_SUITE not in ("sm", "common"):
    raise ValueError(
        f"GRIDGOV_RELAY_FILES_SUITE must be sm or common, not {GRIDGOV_RELAY_FILES_SUITE!r}"
    )
ROOT_URLCONF = "gridgov.portal.urls_public" if GRIDGOV_ROLE == "public" else "gridgov.urls"
if GRIDGOV_ROLE == "public":  # nobody signs in there: no staff middleware, every visitor anonymous
    from gridgov.portal.role import public_middleware

    MIDDLEWARE = public_middleware(MIDDLEWARE)
WSGI_APPLICATION = "gridgov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gridgov" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gridgov.context.platform",
            ],
            "libraries": {"pager": "gridgov.pager"},
        },
    },
]

# SQLite in WAL mode by default, so one command starts a working platform; PostgreSQL via
# DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gridgov.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "gridgov.sqlite_backend"
    # The backend copies the write-ahead log back itself every 50 write transactions, outside
    # the writers' lock; SQLite's automatic checkpoint (at 4,000 pages, 16 MB) is the backstop
    # for writes made outside a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=268435456;"
            " PRAGMA wal_autocheckpoint=4000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GRIDGOV_TEST_SQLITE") or ":memory:"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Password policy (GB/T 22239-2019 8.1.4.1): length, at least three kinds of character (lower
# case, upper case, digits, other), and a change at least every N days (0: never forced).
GRIDGOV_PASSWORD_MIN_LENGTH = int(os.environ.get("GRIDGOV_PASSWORD_MIN_LENGTH", "10"))
GRIDGOV_PASSWORD_MIN_CHARACTER_CLASSES = int(
    os.environ.get("GRIDGOV_PASSWORD_MIN_CHARACTER_CLASSES", "3")
)
GRIDGOV_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("GRIDGOV_PASSWORD_MAX_AGE_DAYS", "90"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": GRIDGOV_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "gridgov.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
# A session left idle this long ends (GB/T 22239-2019 8.1.4.1); 0: only the age above ends it.
GRIDGOV_SESSION_IDLE_MINUTES = int(os.environ.get("GRIDGOV_SESSION_IDLE_MINUTES", "30"))
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Served over HTTPS (`gridgov serve --cert` sets it for its web front; behind nginx set it and
# have nginx send `X-Forwarded-Proto`): cookies travel only over TLS, browsers are told to come
# back only over HTTPS for a year (HSTS), and a request the proxy marks https counts as secure.
GRIDGOV_HTTPS = _env_bool("GRIDGOV_HTTPS")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = GRIDGOV_HTTPS
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if GRIDGOV_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if GRIDGOV_HTTPS else None

# Failed logins per username and address before the account is held for a while.
LOGIN_FAILURE_LIMIT = int(os.environ.get("GRIDGOV_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("GRIDGOV_LOGIN_FAILURE_WINDOW", "900"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gridgov" / "locale"]
LANGUAGE_COOKIE_NAME = "gridgov_language"
TIME_ZONE = os.environ.get("GRIDGOV_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Browser libraries come from node_modules (installed by `npm ci` from package-lock.json).
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "gridgov" / "static",
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", _NODE / "leaflet.markercluster" / "dist"),
    ("vendor/leaflet.heat", _NODE / "leaflet.heat" / "dist"),
    ("vendor/leaflet-geoman", _NODE / "@geoman-io" / "leaflet-geoman-free" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
]
# `gridgov serve` collects the static files under content-hashed names with gzip copies and
# serves them cached for a year (GRIDGOV_STATIC_HASHED=1, set for its web front); tests and
# `runserver` serve them from the apps and node_modules as they are.
STATIC_HASHED = os.environ.get("GRIDGOV_STATIC_HASHED") == "1"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "gridgov.static_files.HashedStaticStorage"
        if STATIC_HASHED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_HASHED
MEDIA_ROOT = Path(os.environ.get("GRIDGOV_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"

# Uploads: refuse what is too big before it is read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
GRIDGOV_MAX_UPLOAD_BYTES = int(os.environ.get("GRIDGOV_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_refusal_tracebacks": {"()": "gridgov.errors.NoTracebackForRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        # A refused request (403, 404) is one line in the log, without a traceback.
        "django.request": {"filters": ["no_refusal_tracebacks"]},
        # What the log gateway delivers is written at the default level too.
        "gridgov.outbox": {"level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("GRIDGOV_LOG_LEVEL", "WARNING")},
}

# --- gridgov's own settings -------------------------------------------------------------------
# Digits a unit grid adds to its community code: 2 (CJ/T 213, 14 in all) or 3 (Beijing, 15 in all).
GRIDGOV_GRID_SEQ_WIDTH = int(os.environ.get("GRIDGOV_GRID_SEQ_WIDTH", "2"))
# Basemap tiles, e.g. Tianditu WMTS; empty means the grid polygons are the map.
GRIDGOV_TILE_URL = os.environ.get("GRIDGOV_TILE_URL", "")
GRIDGOV_TILE_ATTRIBUTION = os.environ.get("GRIDGOV_TILE_ATTRIBUTION", "")
GRIDGOV_TILE_SUBDOMAINS = os.environ.get("GRIDGOV_TILE_SUBDOMAINS", "")
GRIDGOV_LABEL_TILE_URL = os.environ.get("GRIDGOV_LABEL_TILE_URL", "")
# Seconds between checks whether the grid boundaries changed (the locator rebuilds its index then).
GRIDGOV_LOCATOR_REFRESH_SECONDS = float(os.environ.get("GRIDGOV_LOCATOR_REFRESH_SECONDS", "5"))
GRIDGOV_DEMO_ACCOUNTS_FILE = VAR_DIR / "demo-accounts.json"

# Commands `gridgov serve` starts beside the web server and restarts when they die.
GRIDGOV_BACKGROUND_COMMANDS = [["worker"], ["sender"]]
# Messages the sender keeps at the gateways at once (its threads); a killed sender may send that
# many twice. With 8 receivers a Kannel call, 64 is eight calls in flight (docs/sms.md).
GRIDGOV_SENDER_CONCURRENCY = int(os.environ.get("GRIDGOV_SENDER_CONCURRENCY", "64"))
# Jobs (docs/jobs.md): the worker's heartbeat thread stamps its running job every HEARTBEAT
# seconds; a job silent for STALE seconds (or whose worker on this host is gone) runs again, at
# most MAX_ATTEMPTS times in all. LOCAL_LIVENESS: workers on this host are checked by their lock.
GRIDGOV_JOB_HEARTBEAT_SECONDS = float(os.environ.get("GRIDGOV_JOB_HEARTBEAT_SECONDS", "5"))
GRIDGOV_JOB_STALE_SECONDS = float(os.environ.get("GRIDGOV_JOB_STALE_SECONDS", "60"))
GRIDGOV_JOB_MAX_ATTEMPTS = int(os.environ.get("GRIDGOV_JOB_MAX_ATTEMPTS", "3"))
GRIDGOV_JOB_LOCAL_LIVENESS = _env_bool("GRIDGOV_JOB_LOCAL_LIVENESS", True)
# Outbox (docs/outbox.md): a sender leases a message for LEASE seconds while its gateway works;
# failures wait RETRY·2^(n-1) seconds (with jitter, at most an hour), MAX_ATTEMPTS in all.
# RATE_LIMITS: per channel, at most so many messages to one destination within so many seconds.
GRIDGOV_OUTBOX_LEASE_SECONDS = float(os.environ.get("GRIDGOV_OUTBOX_LEASE_SECONDS", "60"))
GRIDGOV_OUTBOX_RETRY_SECONDS = float(os.environ.get("GRIDGOV_OUTBOX_RETRY_SECONDS", "30"))
GRIDGOV_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("GRIDGOV_OUTBOX_MAX_ATTEMPTS", "8"))
# Webhooks: 30 attempts with the backoff capped at an hour keep trying for more than a day.
GRIDGOV_OUTBOX_MAX_ATTEMPTS_BY_CHANNEL = {"webhook": 30, "federation": 40}
GRIDGOV_OUTBOX_RATE_LIMITS = {"sms": (10, 60)}
# Webhook receivers (docs/exchange.md): private addresses only inside these blocks (CIDR,
# comma-separated); a receiver failing longer than this many hours is disabled.
GRIDGOV_WEBHOOK_PRIVATE_NETWORKS = [
    n.strip()
    for n in os.environ.get("GRIDGOV_WEBHOOK_PRIVATE_NETWORKS", "").split(",")
    if n.strip()
]
GRIDGOV_WEBHOOK_DISABLE_AFTER_HOURS = float(
    os.environ.get("GRIDGOV_WEBHOOK_DISABLE_AFTER_HOURS", "72")
)
# The change feed shows events this many seconds old (None: 0 on SQLite, 5 on PostgreSQL).
GRIDGOV_CHANGE_FEED_SETTLE = (
    float(os.environ["GRIDGOV_CHANGE_FEED_SETTLE"])
    if os.environ.get("GRIDGOV_CHANGE_FEED_SETTLE")
    else None
)
# Only for the test suite and benches, whose receivers listen on loopback: never in production.
GRIDGOV_WEBHOOK_TEST_LOOPBACK = os.environ.get("GRIDGOV_WEBHOOK_TEST_LOOPBACK") == "1"
GRIDGOV_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("GRIDGOV_WEBHOOK_TIMEOUT_SECONDS", "10"))
# SMS (docs/sms.md): "log" writes messages to the log; "http" POSTs them to GRIDGOV_SMS_URL,
# signed; "kannel" uses Kannel's sendsms; "provider" a cloud SMS service (signature + template).
GRIDGOV_SMS_GATEWAY = os.environ.get("GRIDGOV_SMS_GATEWAY", "log")
GRIDGOV_KANNEL_SENDSMS_URL = os.environ.get(
    "GRIDGOV_KANNEL_SENDSMS_URL", "http://127.0.0.1:13013/cgi-bin/sendsms"
)
GRIDGOV_KANNEL_USERNAME = os.environ.get("GRIDGOV_KANNEL_USERNAME", "gridgov")
GRIDGOV_KANNEL_PASSWORD = os.environ.get("GRIDGOV_KANNEL_PASSWORD", "")
# Which delivery reports Kannel calls back with: 19 the final ones (delivered, failed, rejected),
# one per message; 31 adds "buffered" and "accepted by the SMSC" (twice the callbacks).
GRIDGOV_KANNEL_DLR_MASK = int(os.environ.get("GRIDGOV_KANNEL_DLR_MASK", "19"))
# Messages with the same text (a warning's, a bulk send's) go to up to this many receivers in one
# sendsms call; the sender's concurrency still counts messages, not calls.
GRIDGOV_KANNEL_RECEIVERS_PER_CALL = int(os.environ.get("GRIDGOV_KANNEL_RECEIVERS_PER_CALL", "8"))
# The number texts come from, and the platform's address as the gateway reaches it (for the
# delivery reports).
GRIDGOV_SMS_SENDER = os.environ.get("GRIDGOV_SMS_SENDER", "10690000")
GRIDGOV_SMS_CALLBACK_URL = os.environ.get("GRIDGOV_SMS_CALLBACK_URL", "http://127.0.0.1:8000")
# Where citizens reach the public portal (e.g. https://wg.example.gov.cn): SMS to citizens that
# point to a page carry a link only when it is set.
GRIDGOV_PORTAL_BASE_URL = os.environ.get("GRIDGOV_PORTAL_BASE_URL", "").rstrip("/")
GRIDGOV_SMS_PROVIDER_URL = os.environ.get("GRIDGOV_SMS_PROVIDER_URL", "")
GRIDGOV_SMS_PROVIDER_KEY_ID = os.environ.get("GRIDGOV_SMS_PROVIDER_KEY_ID", "")
GRIDGOV_SMS_PROVIDER_KEY_SECRET = os.environ.get("GRIDGOV_SMS_PROVIDER_KEY_SECRET", "")
# Bulk sends wait for this window (local time); warnings go out at any hour.
GRIDGOV_SMS_SEND_WINDOW = os.environ.get("GRIDGOV_SMS_SEND_WINDOW", "08:00-21:00")
# At most this many messages a second through the SMS gateway (0: no limit).
GRIDGOV_SMS_GATEWAY_RATE = float(os.environ.get("GRIDGOV_SMS_GATEWAY_RATE", "0"))
GRIDGOV_SMS_URL = os.environ.get("GRIDGOV_SMS_URL", "")
GRIDGOV_SMS_SECRET = os.environ.get("GRIDGOV_SMS_SECRET", "")
# Inbound SMS (a gateway forwarding citizens' texts) authenticates with this token.
GRIDGOV_SMS_INBOUND_TOKEN = os.environ.get("GRIDGOV_SMS_INBOUND_TOKEN", "")
# `make demo` where Kannel is installed: `gridgov serve` also runs a private Kannel with a simulated
# SMSC (`gridgov demo_kannel`, ports GRIDGOV_DEMO_KANNEL_PORT to +4) and the platform sends to it.
GRIDGOV_DEMO_KANNEL_PORT = int(os.environ.get("GRIDGOV_DEMO_KANNEL_PORT", "23900"))
if _env_bool("GRIDGOV_DEMO_KANNEL", False):
    GRIDGOV_SMS_GATEWAY = "kannel"
    GRIDGOV_KANNEL_SENDSMS_URL = f"http://127.0.0.1:{GRIDGOV_DEMO_KANNEL_PORT + 4}/cgi-bin/sendsms"
    GRIDGOV_KANNEL_PASSWORD = GRIDGOV_KANNEL_PASSWORD or "demo-kannel"
    GRIDGOV_SMS_CALLBACK_URL = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    GRIDGOV_SMS_INBOUND_TOKEN = GRIDGOV_SMS_INBOUND_TOKEN or "demo-inbound"
    GRIDGOV_BACKGROUND_COMMANDS = [*GRIDGOV_BACKGROUND_COMMANDS, ["demo_kannel"]]

# Case time limits: office hours (working time is counted inside them), and card thresholds.
GRIDGOV_OFFICE_HOURS = os.environ.get("GRIDGOV_OFFICE_HOURS", "08:30-12:00,13:30-17:30")
# From this month on, a banner asks for next year's holiday notice while it is missing.
GRIDGOV_CALENDAR_WARN_FROM_MONTH = 11
# A red card when a deadline has passed by this multiple of the stage's own limit.
GRIDGOV_RED_CARD_FACTOR = float(os.environ.get("GRIDGOV_RED_CARD_FACTOR", "1.0"))
# Escalate a case to the parent command center automatically when it gets a red card.
GRIDGOV_ESCALATE_ON_RED = os.environ.get("GRIDGOV_ESCALATE_ON_RED", "1") == "1"
GRIDGOV_PERIODIC_JOBS = {
    "cases.sweep_deadlines": 60,
    "cases.anonymise_reporters": 24 * 3600,  # cases: reporter details of long-closed cases
    "assessment.roll_up": 60,
    "registry.sweep_uploads": 3600,
    "notify.send_outbox": 60,  # a fallback: `gridgov sender` delivers within a second
    "registry.escalate_transfers": 600,
    "audit.apply_retention": 24 * 3600,
    "warnings.escalate_silence": 60,
    "warnings.run_rules": 24 * 3600,
    "office.remind": 3600,
    # field: tracks
    "patrol.close_stale_sessions": 3600,
    "patrol.ensure_partitions": 86400,
    # field: tasks, visits, diary
    "patrol.create_due_visits": 24 * 3600,
    # lines: disputes, hazards
    "lines.create_screenings": 24 * 3600,
    "lines.generate_inspection_tasks": 24 * 3600,
    "lines.escalate_overdue_hazards": 24 * 3600,
    # lines: special populations, rentals
    "lines.overdue_visits": 24 * 3600,
    "lines.special_visit_tasks": 24 * 3600,
    "lines.rental_warnings": 3600,
    # portal
    "portal.sync_reports": 300,  # public steps of portal reports and their SMS
    "portal.area_digest": 3600,  # new reports in followed areas: one SMS a day at most
    "portal.relay_push": 30,  # public instance only: reports up to the core (outbox)
    "portal.relay_pull": 120,  # public instance only: public steps down from the core
    "portal.relay_files": 300,  # the relay by files (one-way gateways), if folders are set
    # exchange: 12345, classifier
    "exchange.suggest_categories": 60,
    "exchange.retrain_classifier": 7 * 24 * 3600,
    # exchange: gazetteer, Open311
    # exchange: webhooks, change feed
    # exchange: data catalogue, packages
    "exchange.produce_packages": 300,
    # exchange: federation
    "exchange.federation_push": 60,
}
if GRIDGOV_ROLE == "public":
    # The citizen side only: the relay, the SMS of codes and steps, and retention (what was
    # relayed is not kept there longer than the core needs it to arrive).
    GRIDGOV_PERIODIC_JOBS = {
        k: GRIDGOV_PERIODIC_JOBS[k]
        for k in (
            "portal.relay_push",
            "portal.relay_pull",
            "portal.relay_files",
            "notify.send_outbox",
            "audit.apply_retention",
        )
    }
# Warnings: minutes of silence before an unacknowledged receipt is re-notified (then SMS, then the
# recipient's supervisor, each after as many minutes again); None: no escalation. Blue and yellow
# warnings are sent by SMS only after silence: after GRIDGOV_WARNING_SILENT_SMS_MINUTES for blue.
GRIDGOV_WARNING_ACK_MINUTES = {"red": 5, "orange": 15, "yellow": 60, "blue": None}
GRIDGOV_WARNING_SILENT_SMS_MINUTES = int(
    os.environ.get("GRIDGOV_WARNING_SILENT_SMS_MINUTES", "240")
)
# Blue and yellow warnings: "automatic" reaches every level below at once; "forward" reaches the
# next level only, which forwards it with its own instructions.
GRIDGOV_WARNING_LOW_CASCADE = os.environ.get("GRIDGOV_WARNING_LOW_CASCADE", "automatic")
# Identifier lookups that find a record held by another area: at most this many per user and
# hour (each is in the access log), and the holder decides a transfer within these working days.
GRIDGOV_IDENTIFIER_MATCHES_PER_HOUR = int(
    os.environ.get("GRIDGOV_IDENTIFIER_MATCHES_PER_HOUR", "30")
)
GRIDGOV_TRANSFER_WORKING_DAYS = int(os.environ.get("GRIDGOV_TRANSFER_WORKING_DAYS", "3"))
# bench/intake.py only: serve a bare one-row-insert view as the baseline.
GRIDGOV_BENCH_BARE = os.environ.get("GRIDGOV_BENCH_BARE") == "1"
# Largest photo accepted with a case.
GRIDGOV_MAX_PHOTO_BYTES = int(os.environ.get("GRIDGOV_MAX_PHOTO_BYTES", str(10 * 1024 * 1024)))
# A voice note with a case (about 4 minutes of Opus, 2 of AAC).
GRIDGOV_MAX_VOICE_BYTES = int(os.environ.get("GRIDGOV_MAX_VOICE_BYTES", str(2 * 1024 * 1024)))
# Office (docs/office.md): attachment size, reminders of unsigned notices, message polling.
GRIDGOV_OFFICE_MAX_FILE_BYTES = int(
    os.environ.get("GRIDGOV_OFFICE_MAX_FILE_BYTES", str(20 * 2**20))
)
GRIDGOV_OFFICE_ACK_REMIND_HOURS = int(os.environ.get("GRIDGOV_OFFICE_ACK_REMIND_HOURS", "24"))
GRIDGOV_OFFICE_POLL_SECONDS = int(os.environ.get("GRIDGOV_OFFICE_POLL_SECONDS", "3"))

# Two-factor sign-in (docs/security.md): administrators and every role that may reveal or export
# personal data or manage users need a second factor. New devices use "totp" (RFC 6238) or "sm3"
# (GM/T 0021); a device keeps the algorithm it was set up with.
GRIDGOV_REQUIRE_2FA = _env_bool("GRIDGOV_REQUIRE_2FA", True)
GRIDGOV_OTP_ALGORITHM = os.environ.get("GRIDGOV_OTP_ALGORITHM", "totp")
OTP_TOTP_ISSUER = os.environ.get("GRIDGOV_OTP_ISSUER", "gridgov")


def _audit_key() -> str:
    """The key of the audit chain's HMAC: from the environment, or a file made once in var/."""
    if key := os.environ.get("GRIDGOV_AUDIT_KEY"):
        return key
    path = Path(os.environ.get("GRIDGOV_AUDIT_KEY_FILE", VAR_DIR / "audit_key"))
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


GRIDGOV_AUDIT_KEY = _audit_key()
# Retention periods in days per kind of data (docs/security.md), e.g. "audit.changelog=1095".
# A period below a kind's legal minimum is a configuration error.
GRIDGOV_RETENTION_DAYS = {
    name.strip(): days.strip()
    for name, _sep, days in (
        item.partition("=")
        for item in os.environ.get("GRIDGOV_RETENTION_DAYS", "").split(",")
        if item.strip()
    )
}
# Days after a case is closed (or rejected, cancelled, merged) before its reporter's name, phone
# and channel details are blanked by the job cases.anonymise_reporters (docs/privacy.md).
GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS = int(
    os.environ.get("GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS", str(3 * 365 + 1))
)
