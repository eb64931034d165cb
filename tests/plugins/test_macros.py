"""The macros plugin: ``{{toc}}``, ``{{children}}``, ``{{recent}}``,
``{{labels}}`` and panels. Dynamic macros are filled when the page is viewed,
for that reader: they follow changes to other pages without re-rendering
Markdown, never show a page the reader may not see, and bad input shows to
editors only, never as an error page."""

import re

import markdown
import pytest

from wiki import services
from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.models import User
from wiki.plugins import loaded_plugin_names
from wiki.render import render_markdown


@pytest.fixture
def app(app_factory):
    """Only this plugin: the tests don't depend on what other plugins do."""
    app = app_factory(PLUGINS=["macros"])
    with app.app_context():
        assert loaded_plugin_names() == ["macros"], "is plugins/ shadowed by tests/plugins/?"
        yield app
        db.session.remove()


@pytest.fixture
def render(app):
    return render_markdown


@pytest.fixture
def editor(users):
    return db.session.get(User, users["editor"])


def content(client, slug):
    """The rendered text of a page as the client's user sees it."""
    response = client.get(f"/wiki/{slug}")
    assert response.status_code == 200
    html = response.text
    start = html.index('<div class="page-content">') + len('<div class="page-content">')
    return html[start:html.index("</div>\n  ", start)]


def links(html):
    return re.findall(r'<a href="/wiki/([^"]+)">', html)


class no_markdown:
    """Within the block, any Markdown rendering fails the test."""

    def __enter__(self):
        self.patch = pytest.MonkeyPatch()

        def refuse(*args, **kwargs):
            raise AssertionError("a page view must not render Markdown")

        self.patch.setattr(markdown.Markdown, "convert", refuse)

    def __exit__(self, *exc):
        self.patch.undo()


# -- toc and panels: rendered with the page ----------------------------------------


def test_toc_lists_the_headings_of_the_page(render):
    html = render("{{toc}}\n\n# Agenda\n\n## Session 1\n\ntext\n")
    toc = html[:html.index("<h1")]
    assert '<div class="toc">' in toc
    assert '<a href="#agenda">Agenda</a>' in toc and '<a href="#session-1">Session 1</a>' in toc


def test_toc_with_arguments_still_renders_and_tells_editors(client, auth, make_page):
    make_page("Toc", "{{toc depth=2}}\n\n## One\n")
    assert '<div class="toc">' in content(client, "toc")
    assert "block-error" not in content(client, "toc")
    auth.login("editor")
    assert "toc takes no arguments (“depth=2” ignored)" in content(client, "toc")


@pytest.mark.parametrize("kind", ["info", "note", "tip", "warning"])
def test_panels(render, kind):
    html = render(f'!!! {kind} "Before you come"\n    Install **Teams**.\n')
    assert f'<div class="admonition {kind}">' in html
    assert '<p class="admonition-title">Before you come</p>' in html
    assert "<p>Install <strong>Teams</strong>.</p>" in html


def test_a_panel_without_title_is_named_after_its_kind(render):
    assert '<p class="admonition-title">Warning</p>' in render("!!! warning\n    Careful.\n")


def test_a_panel_holds_code(render):
    html = render('!!! note "Formula"\n    ```text\n    SOC = C × BD × depth\n    ```\n')
    assert '<div class="highlight"><pre>' in html and "SOC = C × BD × depth" in html


@pytest.mark.parametrize("source", [
    "`{{toc}}`", "```\n{{children}}\n```", "    {{recent}}", "\\{{toc}}",
], ids=["code-span", "fenced", "indented", "escaped"])
def test_macros_in_code_or_escaped_stay_literal(render, source):
    html = render(source + "\n\n## Heading\n")
    assert "{{" in html and 'class="toc"' not in html and "wiki-block" not in html


def test_a_macro_line_inside_a_paragraph_keeps_the_text_around_it(render):
    html = render("Sessions:\n{{children}}\nMore below.\n")
    assert html.index("Sessions:") < html.index('data-block="children"') < html.index("More below.")


# -- children -------------------------------------------------------------------------


@pytest.fixture
def workshop(make_page):
    """Workshop > Session 2 (members only) > Slides; Workshop > session 1 > Notes."""
    workshop = make_page("Workshop", "## Sessions and topics\n\n{{children}}\n")
    second = make_page("Session 2", parent=workshop, visibility="members")
    first = make_page("session 1", parent=workshop)  # sorted ignoring case
    make_page("Slides", parent=second)
    make_page("Notes", parent=first)
    return workshop


def test_children_lists_the_child_pages(client, workshop):
    assert links(content(client, "workshop")) == ["session-1"]


def test_children_never_show_a_members_only_page_to_anonymous_visitors(client, auth, workshop):
    make_deep = services.save_page(workshop, "{{children depth=3}}\n", None)
    assert make_deep.revision is not None
    assert links(content(client, "workshop")) == ["session-1", "notes"]
    auth.login("member")
    assert links(content(client, "workshop")) == ["session-1", "notes", "session-2", "slides"]


def test_children_with_depth_nest_the_lists(as_editor, workshop):
    services.save_page(workshop, "{{children depth=2}}\n", None)
    html = content(as_editor, "workshop")
    assert re.sub(r"\s+", "", html) == (
        '<ulclass="macro-children">'
        '<li><ahref="/wiki/session-1">session1</a><ul><li><ahref="/wiki/notes">Notes</a></li></ul></li>'
        '<li><ahref="/wiki/session-2">Session2</a><ul><li><ahref="/wiki/slides">Slides</a></li></ul></li>'
        "</ul>"
    )


def test_children_titles_are_escaped(client, make_page):
    parent = make_page("Parent", "{{children}}\n")
    make_page("<script>alert(1)</script> Kid", parent=parent)
    html = content(client, "parent")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Kid</a>" in html


def test_children_follow_changes_without_rendering_markdown(client, make_page, editor):
    """The children list is filled at view time: a child added, renamed,
    deleted or moved shows on the parent's next view, with no new revision of
    the parent and no Markdown work."""
    parent = make_page("Parent", "{{children}}\n")
    with no_markdown():
        assert "No child pages." in content(client, "parent")

    child = make_page("First child", parent=parent)
    with no_markdown():
        assert links(content(client, "parent")) == ["first-child"]

    services.change_settings(child, editor, title="Renamed child", slug="renamed-child")
    with no_markdown():
        html = content(client, "parent")
    assert links(html) == ["renamed-child"] and "Renamed child" in html

    other = make_page("Second child", parent=parent)
    services.move_page(other, None, editor)
    services.delete_page(child, editor)
    with no_markdown():
        assert "No child pages." in content(client, "parent")
    db.session.refresh(parent)
    assert parent.current_revision.number == 1


def test_children_in_the_preview_of_a_new_page(as_editor, make_page):
    html = as_editor.post("/preview", data={"body": "{{children}}\n"}).json["html"]
    assert "No child pages." in html


def test_children_in_the_preview_of_a_page_list_its_children(as_editor, workshop):
    html = as_editor.post("/preview", data={"body": "{{children}}\n", "slug": "workshop"}).json["html"]
    assert links(html) == ["session-1", "session-2"]


# -- recent -----------------------------------------------------------------------------


def test_recent_lists_the_latest_changes_the_reader_may_see(client, auth, make_page, editor):
    news = make_page("News", "{{recent count=3}}\n")
    make_page("Old")
    make_page("Middle")
    make_page("Secret", visibility="members")
    assert links(content(client, "news")) == ["middle", "old", "news"]
    auth.login("member")
    assert links(content(client, "news")) == ["secret", "middle", "old"]

    services.save_page(news, "{{recent count=3}}\n\nEdited.\n", editor)
    with no_markdown():
        assert links(content(client, "news")) == ["news", "secret", "middle"]
    assert "<time datetime=" in content(client, "news")


def test_recent_shows_five_by_default(client, make_page):
    make_page("News", "{{recent}}\n")
    for n in range(6):
        make_page(f"Page {n}")
    assert links(content(client, "news")) == [f"page-{n}" for n in (5, 4, 3, 2, 1)]


# -- labels -----------------------------------------------------------------------------


class LabelsPlugin:
    """Stands in for the labels plugin: every page has ``labels``."""

    def __init__(self, labels):
        self.labels = labels

    @hookimpl
    def page_labels(self, page):
        return self.labels


@pytest.mark.parametrize("labels, shown", [
    ([], '<p class="macro-labels empty">No labels</p>'),
    (["soil-carbon", "<b>workshop</b>"],
     '<ul class="macro-labels" aria-label="Labels"><li>soil-carbon</li>'
     "<li>&lt;b&gt;workshop&lt;/b&gt;</li></ul>"),
], ids=["none", "some"])
def test_labels_macro_with_a_labels_plugin(app_factory, labels, shown):
    app = app_factory(PLUGINS=["macros"], EXTRA_PLUGINS=[LabelsPlugin(labels)])
    with app.app_context():
        services.create_page("Tagged", "Text.\n\n{{labels}}\n", None)
        assert shown in content(app.test_client(), "tagged")


def test_labels_macro_shows_nothing_without_a_labels_plugin(as_editor, make_page):
    make_page("Tagged", "Text.\n\n{{labels}}\n")
    html = content(as_editor, "tagged")
    assert "label" not in html.lower() and "block-error" not in html


# -- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("source, problem", [
    ("{{children depth=deep}}", "children: depth must be a whole number from 1 to 5, not “deep”."),
    ("{{children depth=0}}", "children: depth must be a whole number from 1 to 5, not “0”."),
    ("{{children depth=1 depth=2}}", "children: “depth” is given twice."),
    ("{{children depth}}", "children: could not read “depth”: write key=value."),
    ("{{children colour=red}}", "children: unknown argument “colour”; it takes depth."),
    ("{{recent count=1000}}", "recent: count must be a whole number from 1 to 50, not “1000”."),
    ("{{recent count=-1}}", "recent: count must be a whole number from 1 to 50, not “-1”."),
    ("{{labels all=yes}}", "labels: unknown argument “all”; this macro takes no arguments."),
    ("{{chidlren}}", "macro: unknown macro “chidlren” (known: children, labels, recent, toc)."),
], ids=["not-a-number", "out-of-range", "twice", "no-value", "unknown-argument", "too-many",
        "negative", "no-arguments", "unknown-macro"])
def test_bad_macros_show_to_editors_in_place_and_never_break_the_page(client, auth, make_page,
                                                                      source, problem):
    make_page("Sessions", f"Before.\n\n{source}\n\nAfter.\n")
    reader = content(client, "sessions")
    assert "block-error" not in reader and "Before." in reader and "After." in reader
    auth.login("editor")
    editor = content(client, "sessions")
    assert f'<div class="block-error" role="note">{problem}</div>' in editor
    assert editor.index("Before.") < editor.index("block-error") < editor.index("After.")


def test_an_unknown_macro_keeps_its_text_for_everyone(client, make_page):
    make_page("Templates", "Write\n\n{{name}}\n\nin the template.\n")
    assert "<p>{{name}}</p>" in content(client, "templates")


def test_braces_that_are_not_a_macro_are_plain_text(client, as_editor, make_page):
    make_page("Jinja", "{{ user.name }} and {{x}} inline\n")
    html = content(as_editor, "jinja")
    assert "{{ " in html and "{{x}} inline" in html and "block-error" not in html


# -- with sections ------------------------------------------------------------------------


def test_macros_work_inside_sections_and_lists(app_factory):
    app = app_factory(PLUGINS=["expand", "macros"])
    with app.app_context():
        body = '??? "Sessions and topics"\n    {{children}}\n\n- Latest:\n\n    {{recent count=1}}\n'
        parent = services.create_page("Workshop", body, None)
        services.create_page("Session 1", "Text.\n", None, parent=parent)
        html = content(app.test_client(), "workshop")
    section = html[html.index("<details"):html.index("</details>")]
    assert '<a href="/wiki/session-1">Session 1</a>' in section
    listed = html[html.index("<ul>\n<li>"):]
    assert listed.index("Latest:") < listed.index('<ul class="macro-recent">')
