"""Text meant for users that nobody marked for translation (docs/languages.md).

Two checkers, each tested on small snippets below:

- Templates: Jinja's lexer separates the template's own HTML (``data``
  tokens) from its tags; in that HTML, text and the attributes people read
  (``title``, ``placeholder``, ``aria-label``, ``alt``, a button's ``value``)
  must not hold words: words come from ``_()``, ``ngettext()`` or
  ``{% trans %}``. Code samples (``<code>``, ``<kbd>``, ``<samp>``) and
  scripts are skipped.
- Python (``wiki/`` and ``plugins/``, command-line modules aside, whose
  output stays English): a literal string or f-string given to ``flash()``,
  ``render_error()``, ``abort(description=...)``, a WTForms field's label, a
  validator's message, ``ValidationError`` or the errors whose message is
  shown to users (``USER_ERRORS``); and a gettext call given an f-string or a
  built string (Babel cannot extract it, and the translation is never found).
  A module-level constant holding a literal counts as that literal.
"""

import ast
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

ROOT = Path(__file__).resolve().parents[1]

# --- Templates ----------------------------------------------------------------

# Text in the templates' own HTML that is not a word to translate. Anything
# without a letter ("·", "×", "→", "42") is never reported.
TEXT_ALLOWED = {"Markdown", "UTC"}
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description", "aria-roledescription"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Code samples, and what is not text at all.
SKIPPED_ELEMENTS = {"code", "kbd", "samp", "script", "style"}
# Stands for a Jinja tag or expression in the HTML fed to the parser: no letter.
HOLE = "\ue000"


def templates():
    found = sorted((ROOT / "templates").rglob("*.html"))
    found += sorted((ROOT / "plugins").glob("*/templates/**/*.html"))
    return found


def _skeleton(source, name="template"):
    """The template's own HTML, each Jinja tag or expression replaced by
    ``HOLE`` plus the newlines it spanned (so lines stay where they were).
    ``{% trans %}...{% endtrans %}`` is translated text: a hole as a whole."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only its lexer is used
    out = []
    in_trans = after_block_begin = False
    for _lineno, kind, value in env.lexer.tokeniter(source, name):
        if kind == "data" and not in_trans:
            out.append(value)
            continue
        if after_block_begin and kind == "name":
            in_trans = value in ("trans", "pluralize") or (in_trans and value != "endtrans")
        if kind != "whitespace":
            after_block_begin = kind == "block_begin"
        out.append((HOLE if kind.endswith("_begin") else "") + "\n" * value.count("\n"))
    return "".join(out)


class _Reader(HTMLParser):
    """Collects ``(line, what)`` for each unmarked text a person would read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attrs = {k: v or "" for k, v in attrs}
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        for key, value in attrs.items():
            read = key in READ_ATTRIBUTES or (
                key == "value" and tag == "input" and attrs.get("type", "").lower() in BUTTON_TYPES)
            if read and _has_words(value):
                self.found.append((line, f'{key}="{value.strip().replace(HOLE, "{{…}}")}"'))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_ELEMENTS:
            self.skipping -= 1

    def handle_endtag(self, tag):
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if self.skipping or not _has_words(data):
            return
        first_letter = next(i for i, c in enumerate(data) if c.isalpha())
        line = self.getpos()[0] + data[:first_letter].count("\n")
        text = data.strip(HOLE + " \t\r\n").replace(HOLE, "{{…}}")
        self.found.append((line, " ".join(text.split())))


def _has_words(text):
    text = text.strip()
    return text not in TEXT_ALLOWED and any(c.isalpha() for c in text)


def unmarked_in_template(source, name="template"):
    """``[(line, text)]``: words in ``source``'s own HTML, not marked."""
    reader = _Reader()
    reader.feed(_skeleton(source, name))
    reader.close()
    return reader.found


# --- Python -------------------------------------------------------------------

GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext", "lazy_ngettext",
           "lazy_pgettext"}
# Exceptions whose message the views show to users as it is.
USER_ERRORS = {"PageError", "AccountError", "AttachmentError", "LabelError", "CommentError",
               "ValidationError"}
# WTForms validators: where their message goes when given by position.
VALIDATORS = {"DataRequired": 0, "InputRequired": 0, "Email": 0, "EqualTo": 1, "Length": 2,
              "NumberRange": 2, "Regexp": 2, "URL": 1, "AnyOf": 1, "NoneOf": 1, "UUID": 0,
              "MacAddress": 0, "IPAddress": 2, "FileRequired": 0, "FileAllowed": 1, "FileSize": 2}
# Command-line modules (their output stays English: backups, imports and
# exports too), schema migrations, developer tools, the demo content.
SKIPPED_FILES = {"cli.py", "backup.py", "transfer.py", "catalogs.py", "importrules.py", "demo.py"}
SKIPPED_FOLDERS = {"migrations", "__pycache__", "tests", "transfer"}


def python_modules():
    found = []
    for folder in ("wiki", "plugins"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts[:-1])
            if path.name not in SKIPPED_FILES and not parts & SKIPPED_FOLDERS:
                found.append(path)
    return found


def _name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _constants(tree):
    """Module-level ``NAME = "literal"``: ``{name: node}``."""
    found = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and _literal(node.value, {})):
            found[node.targets[0].id] = node.value
    return found


def _literal(node, constants):
    """Whether ``node`` is text written in the code: a string, an f-string,
    one of them built with ``+``, ``%`` or ``.format()``, either side of a
    conditional, or a module constant holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_literal(v, constants) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        right = isinstance(node.op, ast.Add) and _literal(node.right, constants)
        return _literal(node.left, constants) or right
    if isinstance(node, ast.IfExp):
        return _literal(node.body, constants) or _literal(node.orelse, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal(node.func.value, constants)
    if isinstance(node, ast.Name):
        return node.id in constants
    return False


def _built(node):
    """Whether a gettext message is built at run time (an f-string, ``+``,
    ``%`` or ``.format()``) instead of written: its translation is never found."""
    return isinstance(node, ast.JoinedStr | ast.BinOp) or (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format")


def _argument(call, position, keyword):
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


def _user_text(call):
    """``(argument, what it is)`` of ``call`` that users read, if any."""
    name = _name(call.func)
    if name == "flash":
        return _argument(call, 0, "message"), "flash() message"
    if name == "render_error":
        return _argument(call, 1, "message"), "render_error() message"
    if name == "abort":
        return _argument(call, 1, "description"), "abort() description"
    if name in USER_ERRORS:
        return _argument(call, 0, "message"), f"{name} message"
    if name in VALIDATORS:
        return _argument(call, VALIDATORS[name], "message"), f"{name} message"
    if name == "ApiError":  # the API's problem documents: their detail is read too
        return _argument(call, 1, "detail"), "ApiError detail"
    if name == "SelectChoice":
        return _argument(call, 1, "label"), "choice label"
    # pydantic's Field (the API's schemas) takes a default, not a label.
    if name and name.endswith("Field") and name[:1].isupper() and name != "Field":
        return _argument(call, 0, "label"), f"{name} label"
    return None, None


def unmarked_in_python(source, name="module.py"):
    """``[(line, what)]``: literal text users read that no gettext call wraps,
    and gettext calls whose message is built rather than written."""
    tree = ast.parse(source, name)
    constants = _constants(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _name(node.func) in GETTEXT:
            if node.args and _built(node.args[0]):
                found.append((node.lineno, f"{_name(node.func)}() of a built string: use %(name)s"))
            continue
        argument, what = _user_text(node)
        if argument is not None and _literal(argument, constants):
            shown = ast.unparse(constants.get(getattr(argument, "id", None), argument))
            found.append((argument.lineno, f"{what}: {shown[:80]}"))
    return sorted(found)


# --- The checks ---------------------------------------------------------------

def _report(found):
    return "\n".join(f"{where}: {what}" for where, what in found)


def test_templates_have_no_unmarked_text():
    found = [(f"{path.relative_to(ROOT)}:{line}", text) for path in templates()
             for line, text in unmarked_in_template(path.read_text(encoding="utf-8"), str(path))]
    if found:
        pytest.fail(f"{len(found)} text(s) in templates not marked for translation:\n{_report(found)}",
                    pytrace=False)


def test_python_has_no_unmarked_text():
    found = [(f"{path.relative_to(ROOT)}:{line}", what) for path in python_modules()
             for line, what in unmarked_in_python(path.read_text(encoding="utf-8"), str(path))]
    if found:
        pytest.fail(f"{len(found)} string(s) in Python not marked for translation:\n{_report(found)}",
                    pytrace=False)


# --- The checkers themselves --------------------------------------------------

def test_the_template_checker_finds_text_and_attributes_people_read():
    source = ('<h1>{{ _("History") }}</h1>\n'
              '<p>Recent changes</p>\n'
              '<input type="submit" value="Save"> <input type="hidden" name="next" value="home">\n'
              '<a href="/x" title="{{ _("Edit") }}" class="button">{{ _("Edit") }}</a>\n'
              '<img src="a.png" alt="A map">\n'
              '<span>{{ n }} comments</span>\n')
    assert unmarked_in_template(source) == [(2, "Recent changes"), (3, 'value="Save"'), (5, 'alt="A map"'),
                                            (6, "comments")]


def test_the_template_checker_passes_marked_text_code_and_symbols():
    source = ('{% extends "base.html" %}\n'
              '{% block title %}{{ _("Search") }}{% endblock %}\n'
              '{% block content %}\n'
              '<p>{% trans url=url %}Read <a href="{{ url }}">the help</a> first.{% endtrans %}</p>\n'
              '<p>{{ ngettext("%(num)d result", "%(num)d results", total) }} · <code>label:soil</code></p>\n'
              '<button type="submit" aria-label="{{ _("Close") }}">×</button> → 42\n'
              '<option value="fr"{% if chosen %} selected{% endif %}>{{ name }}</option>\n'
              '{# A comment is not shown #}\n'
              '<script src="x.js"></script>\n'
              '{% endblock %}\n')
    assert unmarked_in_template(source) == []


def test_the_template_checker_gives_the_line_of_text_after_a_multiline_tag():
    source = '{% if x %}\n{{ a\n  + b }}\n\n  Words here\n{% endif %}'
    assert unmarked_in_template(source) == [(5, "Words here")]


def test_the_python_checker_finds_unmarked_messages():
    source = '''
NOT_FOUND = "There is no such page."
class F(FlaskForm):
    title = StringField("Title", validators=[Length(max=200, message="Too long.")])
    confirm = PasswordField(label="Repeat", validators=[EqualTo("password", "The passwords differ.")])
def view():
    flash("Page saved.", "success")
    flash(f"Signed in as {name}.", "success")
    flash("Closed." if closed else "Open.", "info")
    raise PageError("A page needs a title.")
    abort(404, description="No such file.")
    return render_error(404, NOT_FOUND)
    _(f"Hello {name}")
    _("Hello %s" % name)
'''
    lines = [line for line, _what in unmarked_in_python(source)]
    assert lines == [4, 4, 5, 5, 7, 8, 9, 10, 11, 12, 13, 14]


def test_the_python_checker_passes_marked_messages_and_non_text():
    source = '''
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
NOT_FOUND = _l("There is no such page.")
class F(FlaskForm):
    title = StringField(_l("Title"), validators=[Length(max=200, message=_l("Too long."))])
    next = HiddenField()
    stamp = HiddenField(validators=[Optional()])
    confirm = PasswordField(label=_l("Repeat"), validators=[EqualTo("password", _l("They differ."))])
def view():
    flash(_("Page saved."), "success")
    flash(_("Signed in as %(name)s.", name=name), "success")
    flash(ngettext("%(num)d label added.", "%(num)d labels added.", n), "success")
    flash(e.message, "error")
    flash(str(e), "error")
    abort(404)
    log.warning("cannot compile %s", path)
    raise ValueError(f"LANGUAGES must list tags: {bad!r}")
    flash(_(e.message), "error")
    return render_error(404, NOT_FOUND)
'''
    assert unmarked_in_python(source) == []


@pytest.mark.parametrize("path", ["wiki/cli.py", "plugins/search/cli.py", "wiki/migrations/env.py"])
def test_command_line_modules_and_migrations_are_not_checked(path):
    assert (ROOT / path).is_file() and ROOT / path not in python_modules()
    assert {ROOT / "wiki/views/auth.py", ROOT / "plugins/comments/forms.py"} <= set(python_modules())
