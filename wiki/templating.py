"""Jinja filters and globals shared by every template (core and plugins)."""

from datetime import datetime

from flask_babel import format_date, format_decimal, format_time, format_timedelta, gettext
from jinja2 import Undefined
from markupsafe import Markup, escape

from .models import utcnow
from .plugins import hook


def absolute_time(value):
    """``Dec 3, 2026 2:05 PM UTC`` / ``3 déc. 2026 14:05 UTC``, in the
    interface language (times are kept and shown in UTC)."""
    return f"{format_date(value, 'medium')} {format_time(value, 'short')} UTC" if value else ""


def relative_time(value, now=None):
    """``3 minutes ago``, ``il y a 2 jours``, in the interface language; the
    absolute time goes in a tooltip."""
    if not value:
        return ""
    delta = (now or utcnow()) - value
    if delta.total_seconds() < 60:
        return gettext("just now")
    # Babel rounds to the largest unit (threshold 1: "1 month", not "5 weeks").
    return format_timedelta(-delta, threshold=1, add_direction=True)


def number(value):
    """``12,345`` / ``12 345``: a count in the interface language."""
    return format_decimal(value)


def iso_time(value):
    return value.isoformat() + "Z" if isinstance(value, datetime) else ""


def render_slot(name, **context):
    """Join what each plugin returns for a template slot; plain strings are escaped."""
    context = {k: None if isinstance(v, Undefined) else v for k, v in context.items()}
    parts = hook().template_slot(name=name, context=context)
    return Markup("\n").join(part if isinstance(part, Markup) else escape(part)
                             for part in parts if part)


def init_app(app):
    app.jinja_env.filters.update(abstime=absolute_time, reltime=relative_time, isotime=iso_time,
                                 number=number)
    app.jinja_env.globals["slot"] = render_slot
