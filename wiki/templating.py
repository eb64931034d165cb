"""Jinja filters and globals shared by every template (core and plugins)."""

from datetime import datetime

from jinja2 import Undefined
from markupsafe import Markup, escape

from .models import utcnow
from .plugins import hook


def absolute_time(value):
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def relative_time(value, now=None):
    """``3 minutes ago``, ``2 days ago``; the absolute time goes in a tooltip."""
    if not value:
        return ""
    seconds = int(((now or utcnow()) - value).total_seconds())
    if seconds < 60:
        return "just now"
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800),
                       ("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


def iso_time(value):
    return value.isoformat() + "Z" if isinstance(value, datetime) else ""


def render_slot(name, **context):
    """Join what each plugin returns for a template slot; plain strings are escaped."""
    context = {k: None if isinstance(v, Undefined) else v for k, v in context.items()}
    parts = hook().template_slot(name=name, context=context)
    return Markup("\n").join(part if isinstance(part, Markup) else escape(part)
                             for part in parts if part)


def init_app(app):
    app.jinja_env.filters.update(abstime=absolute_time, reltime=relative_time, isotime=iso_time)
    app.jinja_env.globals["slot"] = render_slot
