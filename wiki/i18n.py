"""Languages: the one the interface speaks to a request, the catalogs it
speaks from, and the languages content is written in.

The interface language is, in order: a signed-in member's own choice (kept
in their account), a visitor's choice from the footer's switcher (kept in a
cookie), the browser's ``Accept-Language``, then ``DEFAULT_LANGUAGE``. Only
languages the wiki offers (``LANGUAGES``) are ever chosen: anything else in
the account, the cookie or the header is passed over.

Content languages (a page's, a comment's) are BCP 47 tags, not limited to
``LANGUAGES``: a wiki in English and French may hold a page in Spanish.

Catalogs: the core and the bundled plugins share one, ``wiki/translations``
(domain ``messages``); a third-party plugin may ship its own
``translations/`` folder beside its module, merged into the same domain
(docs/plugins.md). A catalog's ``.po`` is compiled to ``.mo`` when the app
starts and the ``.mo`` is missing or older, so a fresh checkout needs no step.
"""

import logging
import os
import re
import tempfile
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import current_app, g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_login import current_user

log = logging.getLogger(__name__)

CATALOGS = Path(__file__).parent / "translations"
COOKIE = "wiki_language"
COOKIE_AGE = 365 * 24 * 3600

# RFC 5646's language tag, without extensions beyond private use: a language
# (2-3 letters, or 4-8 registered), an optional script, region and variants.
_TAG = re.compile(
    r"^(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4,8})"
    r"(?:-[a-z]{4})?"
    r"(?:-(?:[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?$",
    re.IGNORECASE,
)

def is_language_tag(tag):
    """Whether ``tag`` is a well-formed BCP 47 language tag (``fr``, ``en-GB``,
    ``zh-Hant-TW``)."""
    return isinstance(tag, str) and len(tag) <= 35 and bool(_TAG.match(tag))


def normal_tag(tag):
    """``tag`` in its usual case (``en-GB``, ``zh-Hant``), or None when it is
    not a language tag."""
    if not is_language_tag(tag):
        return None
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha() and out[-1] != "x":
            out.append(part.title())
        elif len(part) == 2 and out[-1] != "x":
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def offered():
    """The languages the interface speaks, as configured (``LANGUAGES``)."""
    return current_app.config["LANGUAGES"]


def offered_language(value):
    """``value`` when it names a language the wiki offers, else None (an
    unknown code in a cookie or an account is passed over, not an error)."""
    if not isinstance(value, str):
        return None
    value = value.strip().replace("_", "-").lower()
    for code in offered():
        if value == code.lower():
            return code
    return None


def interface_language():
    """The interface language of this request (Flask-Babel's locale selector)."""
    if not has_request_context():
        return current_app.config["DEFAULT_LANGUAGE"]
    if "wiki_language" not in g:
        g.wiki_language = _choose()
    return g.wiki_language


def _choose():
    user = current_user._get_current_object() if current_user else None
    own = offered_language(getattr(user, "language", None)) if user and user.is_authenticated else None
    if own:
        return own
    chosen = offered_language(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    try:
        # Werkzeug parses the header leniently: a malformed one gives no match.
        best = request.accept_languages.best_match(offered())
    except ValueError:
        best = None
    return best or current_app.config["DEFAULT_LANGUAGE"]


def language_name(tag, in_language=None):
    """``Français`` for ``fr``: a language's own name (or its name in
    ``in_language``), capitalised; the tag itself when Babel does not know it."""
    try:
        locale = Locale.parse(tag.replace("-", "_"))
        name = locale.get_display_name(in_language or locale)
    except (ValueError, TypeError, UnknownLocaleError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def interface_locale():
    """Babel's ``Locale`` of this request's interface language."""
    return get_locale() or Locale.parse(current_app.config["DEFAULT_LANGUAGE"])


def _check_config(app):
    languages = app.config["LANGUAGES"]
    if isinstance(languages, str):  # WIKI_LANGUAGES="en,fr" from the environment
        languages = [code.strip() for code in languages.split(",") if code.strip()]
    bad = [code for code in languages if not is_language_tag(code)]
    if not languages or bad:
        raise ValueError(f"LANGUAGES must list language tags such as 'en', 'fr': {bad or languages!r}")
    app.config["LANGUAGES"] = [normal_tag(code) for code in languages]
    default = normal_tag(app.config["DEFAULT_LANGUAGE"] or "")
    if default not in app.config["LANGUAGES"]:
        raise ValueError(f"DEFAULT_LANGUAGE {app.config['DEFAULT_LANGUAGE']!r} is not one of LANGUAGES")
    app.config["DEFAULT_LANGUAGE"] = default


def compile_catalogs(folder):
    """Compile each ``.po`` under ``folder`` whose ``.mo`` is missing or older.
    Written to a temporary file then renamed: workers starting together each
    see a whole file. A read-only install logs why and keeps what it has."""
    for po in Path(folder).glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        try:
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            with po.open("rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name)
            fd, tmp = tempfile.mkstemp(dir=po.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as out:
                write_mo(out, catalog)
            os.replace(tmp, mo)
        except OSError as exc:
            log.warning("cannot compile %s: %s", po, exc)


def add_translations(app, folder):
    """Merge the catalogs of ``folder`` (``<lang>/LC_MESSAGES/messages.po``)
    into the interface's domain: a plugin's own translations."""
    compile_catalogs(folder)
    directories = app.extensions["babel"].translation_directories
    if str(folder) not in directories:
        directories.append(str(folder))


def init_app(app):
    _check_config(app)
    compile_catalogs(CATALOGS)
    # One Babel per app: it caches translations by language alone, and each
    # app may merge other plugins' catalogs.
    Babel(app, default_locale=app.config["DEFAULT_LANGUAGE"],
          default_translation_directories=str(CATALOGS), locale_selector=interface_language)

    @app.context_processor
    def languages_context():
        return {"interface_language": interface_language(),
                "interface_languages": [(code, language_name(code)) for code in offered()]}

    @app.after_request
    def vary_on_language(response):
        # What a page says depends on these: shared caches must keep them apart.
        if response.mimetype in ("text/html", "application/atom+xml"):
            response.vary.update(("Cookie", "Accept-Language"))
        return response
