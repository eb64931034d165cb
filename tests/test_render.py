"""The rendering pipeline: Markdown features, wiki links, cached HTML."""

import markdown
import pytest

from wiki import services
from wiki.extensions import db
from wiki.models import User
from wiki.render import render_markdown

pytestmark = pytest.mark.usefixtures("app")


def test_tables():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<td>1</td>" in html


def test_fenced_code_is_highlighted():
    html = render_markdown("```python\ndef f():\n    return 1\n```\n")
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html


def test_headings_get_anchors_with_accents_kept():
    html = render_markdown("## Événements à venir\n")
    assert '<h2 id="événements-à-venir">' in html
    assert 'class="headerlink" href="#événements-à-venir"' in html


def test_footnotes():
    html = render_markdown("Soil[^1].\n\n[^1]: Organic carbon.\n")
    assert 'class="footnote-ref"' in html and 'id="fn:1"' in html


def test_one_text_leaves_nothing_behind_for_the_next():
    """The renderer is reused between texts: footnotes, heading ids, folded
    sections and stashed blocks of one must not reach the next."""
    first = render_markdown("## Intro\n\nSoil[^1].\n\n[^1]: Organic carbon.\n\n"
                            "??? Details\n    Folded.\n\n{{children}}\n")
    assert 'id="fn:1"' in first and "<details" in first
    second = render_markdown("## Intro\n\nPlain text.\n")
    assert '<h2 id="intro">' in second  # not "intro_1"
    assert "footnote" not in second and "<details" not in second and "Organic" not in second
    assert second.count("<p>") == 1


def test_wiki_links_render_with_their_text():
    html = render_markdown("See [[Session 1]] and [[Session 2|the second one]].")
    assert 'data-wikilink="Session 1"' in html and ">Session 1</a>" in html
    assert 'data-wikilink="Session 2"' in html and ">the second one</a>" in html


def test_wiki_link_to_existing_and_missing_pages(client, make_page, auth):
    make_page("Session 1")
    make_page("Index", "[[Session 1]] · [[Session 9|ninth]]")
    anonymous = client.get("/wiki/index").get_data(as_text=True)
    assert '<a class="wikilink" href="/wiki/session-1">Session 1</a>' in anonymous
    assert '<a class="wikilink missing" title="Missing page">ninth</a>' in anonymous
    auth.login("editor")
    editor = client.get("/wiki/index").get_data(as_text=True)
    assert ('<a class="wikilink missing" href="/new?title=Session+9" '
            'title="Missing page: create it">ninth</a>') in editor


def test_wiki_link_status_follows_later_changes(client, make_page, users):
    """The link is resolved when the page is viewed, not when it was saved."""
    make_page("Index", "[[Later]]")
    assert "wikilink missing" in client.get("/wiki/index").get_data(as_text=True)
    later = make_page("Later")
    assert 'href="/wiki/later"' in client.get("/wiki/index").get_data(as_text=True)
    services.change_settings(later, db.session.get(User, users["editor"]), title="Much Later",
                             slug="much-later")
    assert 'href="/wiki/much-later"' in client.get("/wiki/index").get_data(as_text=True)


def test_html_is_rendered_once_at_save_time(client, make_page, monkeypatch):
    page = make_page("Cached", "# Hello\n\n*world*")
    assert "<em>world</em>" in page.current_revision.html

    def no_markdown(*args, **kwargs):
        raise AssertionError("a page view must not render Markdown")

    monkeypatch.setattr(markdown.Markdown, "convert", no_markdown)
    response = client.get("/wiki/cached")
    assert response.status_code == 200 and "<em>world</em>" in response.get_data(as_text=True)


def test_a_failing_extension_shows_the_source_instead_of_an_error(app_factory, caplog):
    class Broken(markdown.extensions.Extension):
        def extendMarkdown(self, md):
            raise RuntimeError("boom")

    class Plugin:
        from wiki.hookspecs import hookimpl

        @hookimpl
        def markdown_extensions(self):
            return [Broken()]

    app = app_factory(EXTRA_PLUGINS=[Plugin()])
    with app.app_context():
        html = render_markdown("Some <b>text</b> & more")
    assert "could not be rendered" in html
    assert "Some &lt;b&gt;text&lt;/b&gt; &amp; more" in html
    assert "Markdown rendering failed" in caplog.text


@pytest.mark.parametrize("text", ["", "\n\n", "[[", "]]", "[[|]]", "[[ ]]", "```\nunclosed", "<div>",
                                  "*" * 500, "[x](", "| a |\n|", "\x00\x01\x02"])
def test_malformed_markdown_still_renders(text):
    assert isinstance(render_markdown(text), str)
