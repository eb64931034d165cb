"""Configuration in layers: these defaults, then ``instance/config.py``, then
``WIKI_*`` environment variables, then the mapping given to ``create_app``."""

import os
import secrets
import time
from datetime import timedelta


class Defaults:
    SITE_NAME = "Wiki"

    # Languages the interface speaks (docs/languages.md); the last resort
    # when neither the reader nor their browser names one of them. Pages
    # are written in DEFAULT_LANGUAGE unless their editor says otherwise.
    LANGUAGES = ["en", "fr"]
    DEFAULT_LANGUAGE = "en"

    # Accounts
    REGISTRATION_ENABLED = True
    FIRST_USER_ADMIN = True  # the first account registered on an empty wiki
    DEFAULT_ROLE = "member"
    # (attempts, seconds): failed sign-ins per username and IP, failed
    # sign-ins per IP, accounts created per IP.
    LOGIN_RATE_LIMIT = (5, 900)
    LOGIN_IP_RATE_LIMIT = (30, 900)
    REGISTER_RATE_LIMIT = (5, 3600)
    # (links, seconds): reset links per address and requests per IP; links
    # confirming an address, per account.
    PASSWORD_RESET_RATE_LIMIT = (3, 3600)
    PASSWORD_RESET_IP_RATE_LIMIT = (10, 3600)
    CONFIRM_RATE_LIMIT = (3, 3600)
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a KDF name: Werkzeug's slow, memory-hard scrypt

    # Plugins: None loads every plugin found; a list names the ones to load.
    PLUGINS = None
    DISABLED_PLUGINS = []
    # Extra plugin objects or dotted module names (tests, local customisation).
    EXTRA_PLUGINS = []

    # Limits: a request body and the Markdown text of one page.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    MAX_PAGE_CHARS = 1_000_000

    # Cookies: set WIKI_SESSION_COOKIE_SECURE=true and
    # WIKI_REMEMBER_COOKIE_SECURE=true behind HTTPS (docs in README.md).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)

    # How many reverse proxies sit in front of the wiki (0: none). Only then
    # are X-Forwarded-For/-Proto/-Host trusted.
    PROXY_COUNT = 0

    # Mail (docs/mail.md): without MAIL_SERVER nothing is queued. The password
    # belongs in instance/config.py or WIKI_MAIL_PASSWORD, never in the code.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_FROM = "wiki@localhost"
    MAIL_DIGEST_HOUR = 7  # UTC hour the daily digests go
    MAIL_GIVE_UP_AFTER = 2 * 24 * 3600  # seconds a message is retried
    MAIL_POLL_SECONDS = 10  # how often each app server's sender looks at the outbox
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link works
    # The wiki's public address, for links in messages written outside a
    # request (digests, the command line): https://wiki.example.org
    BASE_URL = None

    # The REST API (docs/api.md): (calls, seconds) per token or signed-in
    # account, and per address for anonymous callers; origins whose pages may
    # call it from a browser (CORS), e.g. ["https://agenda.example.org"].
    API_RATE_LIMIT = (600, 60)
    API_ANONYMOUS_RATE_LIMIT = (120, 60)
    API_CORS_ORIGINS = []

    # Page templates (docs/templates.md): the pages directly under the page at
    # this address are the templates "New page" offers. That branch is hidden
    # from the tree and search for readers who cannot edit.
    TEMPLATES_PAGE = "templates"

    SQLALCHEMY_ENGINE_OPTIONS = {}
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


def load(app, test_config=None):
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WIKI")
    if test_config:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = os.path.join(app.instance_path, "wiki.sqlite")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Python's sqlite3 waits this many seconds for a lock (SQLite busy timeout).
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("connect_args", {}).setdefault("timeout", 30)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)


def instance_secret_key(instance_path):
    """Read ``instance/secret_key``, creating it on first run.

    Several workers may start at once: O_EXCL lets exactly one of them write
    the key, and the others read what it wrote.
    """
    path = os.path.join(instance_path, "secret_key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            with open(path) as f:
                key = f.read().strip()
            if key:
                return key
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: delete it to generate a new key") from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key
