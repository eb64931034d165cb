"""The language of a page an import brings, when its source does not say."""

from flask import current_app

from ..i18n import normal_tag
from ..plugins import hook


def guessed(text):
    """The language ``text`` (a page's title and text) is written in, as the
    ``guess_language`` hook tells (the search plugin counts English and
    French stop words), else the wiki's ``DEFAULT_LANGUAGE``: a page too
    short or too mixed to tell is written in the wiki's usual language."""
    return normal_tag(hook().guess_language(text=text)) or current_app.config["DEFAULT_LANGUAGE"]
