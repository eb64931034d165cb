"""The expand plugin: ``??? "Title"`` sections and raw ``<details>`` become
native, sanitized ``<details>`` with stable ids; the page carries what
expand.js needs (anchors, buttons, assets); mistakes show to editors only."""

import re
from html.parser import HTMLParser

import pytest

from wiki import services
from wiki.demo import WORKSHOP, load_demo
from wiki.extensions import db
from wiki.models import User
from wiki.plugins import loaded_plugin_names
from wiki.render import render_markdown
from wiki.text import slugify

pytestmark = pytest.mark.usefixtures("app")

@pytest.fixture
def app(app_factory):
    """Only this plugin: the tests don't depend on what other plugins do."""
    app = app_factory(PLUGINS=["expand"])
    with app.app_context():
        assert loaded_plugin_names() == ["expand"], "is plugins/ shadowed by tests/plugins/?"
        yield app
        db.session.remove()


class Tree(HTMLParser):
    """Start tags in document order as (tag, attrs, open ancestors' tags and
    ids), enough to check where an element sits."""

    VOID = {"br", "hr", "img", "input", "meta", "link"}

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.elements, self.stack = [], []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs, list(self.stack)))
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def tagged(self, tag):
        return [(attrs, ancestors) for t, attrs, ancestors in self.elements if t == tag]


def sections(html):
    """(id, open, summary text) of each <details>, in order."""
    found = re.findall(r'<details([^>]*)>\s*<summary>(.*?)</summary>', html, re.S)
    return [(re.search(r'id="([^"]*)"', attrs).group(1), " open" in attrs, summary)
            for attrs, summary in found]


def inside_section(html):
    return html[html.index("<details"):html.rindex("</details>")]


def page_content(view_html):
    start = view_html.index('<div class="page-content">') + len('<div class="page-content">')
    return view_html[start:view_html.index("</div>\n  ", start)]


# -- the syntax ---------------------------------------------------------------------


def test_a_section_is_closed_and_its_title_is_the_summary():
    html = render_markdown('??? "Background"\n    Why we meet.\n')
    assert sections(html) == [("section-background", False, "Background")]
    assert "<p>Why we meet.</p>" in inside_section(html)


def test_a_plus_opens_the_section_by_default():
    html = render_markdown('???+ "Agenda"\n    Three sessions.\n')
    assert sections(html) == [("section-agenda", True, "Agenda")]


@pytest.mark.parametrize("marker", ["???", '??? ""', "???   "])
def test_without_a_title_the_summary_invites_to_expand(marker):
    html = render_markdown(f"{marker}\n    Folded text.\n")
    assert sections(html) == [("section-click-here-to-expand", False, "Click here to expand...")]
    assert "Folded text." in html


def test_an_unquoted_title_keeps_all_its_words():
    html = render_markdown("??? Proposed structure\n    Text.\n")
    assert sections(html) == [("section-proposed-structure", False, "Proposed structure")]


def test_words_before_a_quoted_title_are_css_classes_as_in_pymdownx():
    html = render_markdown('??? tip "Good to know"\n    Text.\n')
    assert '<details class="tip" id="section-good-to-know">' in html


def test_sections_nest():
    html = render_markdown(
        '??? "Outer"\n    Outer text.\n\n    ???+ "Inner"\n        Inner text.\n\nAfter.\n'
    )
    assert sections(html) == [("section-outer", False, "Outer"), ("section-inner", True, "Inner")]
    around = {attrs["id"]: [a["id"] for tag, a in ancestors if tag == "details"]
              for attrs, ancestors in Tree(html).tagged("details")}
    assert around == {"section-outer": [], "section-inner": ["section-outer"]}
    assert html.rstrip().endswith("<p>After.</p>")


def test_ids_are_unique_and_keep_clear_of_heading_ids():
    html = render_markdown(
        '## Notes\n\n??? "Notes"\n    a\n\n??? "Notes"\n    b\n\n???\n    c\n\n???\n    d\n'
    )
    ids = re.findall(r' id="([^"]+)"', html)
    assert ids == ["notes", "section-notes", "section-notes_1",
                   "section-click-here-to-expand", "section-click-here-to-expand_1"]


def test_accented_titles_keep_their_letters_in_the_id():
    html = render_markdown('??? "Contexte en français"\n    Texte.\n')
    assert sections(html)[0][0] == "section-contexte-en-français"


@pytest.mark.parametrize("body, expected", [
    ("- one\n- two", "<li>two</li>"),
    ("1. first\n2. second", "<ol>"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<td>2</td>"),
    ("```python\ndef f():\n    return 1\n```", '<span class="k">def</span>'),
    ("    indented code", "<code>indented code"),
    ("## Heading", '<h2 id="heading">'),
    ("> quoted", "<blockquote>"),
    ("See [[Session 1]].", 'data-wikilink="Session 1"'),
    ("[a link](https://example.org)", 'href="https://example.org"'),
    ("Soil[^1].\n\n[^1]: Carbon.", 'class="footnote-ref"'),
    ("**bold** and `code`", "<strong>bold</strong> and <code>code</code>"),
], ids=["list", "ordered", "table", "fenced-code", "indented-code", "heading", "quote",
        "wiki-link", "link", "footnote", "inline"])
def test_a_section_holds_any_markdown(body, expected):
    indented = "\n".join("    " + line if line else "" for line in body.splitlines())
    html = render_markdown(f'??? "Section"\n{indented}\n\nAfter.\n')
    assert expected in inside_section(html)
    assert "After." not in inside_section(html)


def test_markers_inside_code_stay_literal():
    html = render_markdown('```\n??? "Not a section"\n<details>\n```\n\n`??? "inline"`\n')
    assert "<details" not in html
    assert '??? "Not a section"' in html.replace("&quot;", '"')


# -- raw HTML ---------------------------------------------------------------------


def test_raw_details_render_markdown_inside_and_get_an_id():
    html = render_markdown(
        "<details>\n<summary>Raw *summary*</summary>\n\nSome *text* and [[A page]].\n\n</details>\n"
    )
    assert sections(html) == [("section-raw-summary", False, "Raw <em>summary</em>")]
    assert "<p>Some <em>text</em> and <a" in html
    assert "markdown=" not in html


def test_raw_details_without_summary_get_the_default_one():
    html = render_markdown("<details open>\nJust text.\n</details>\n")
    assert sections(html) == [("section-click-here-to-expand", True, "Click here to expand...")]


@pytest.mark.parametrize("source", [
    '<details open ontoggle="alert(1)" style="color:red" id="main" class="x" onclick="alert(2)">'
    '<summary onfocus="alert(3)" style="x" tabindex="1" accesskey="s">Title</summary>Text</details>',
    '<details open ontoggle=alert(1)><summary onclick=alert(2)>Title</summary>\n\nText\n\n</details>',
    '    <details open ontoggle=alert(1)><summary onclick=alert(2)>Title</summary>Text</details>',
    '* <details open ontoggle=alert(1)><summary onclick=alert(2)>Title</summary>Text</details>',
    '??? "<img src=x onerror=alert(1)><b onmouseover=alert(2)>Title</b>"\n    Text\n',
], ids=["attributes", "markdown-inside", "indented", "in-a-list", "in-a-title"])
def test_hostile_attributes_are_dropped(source):
    html = render_markdown(source)
    tree = Tree(html)
    for _tag, attrs, _ancestors in tree.elements:
        assert not [name for name in attrs if name.startswith("on") or name in ("style", "tabindex",
                                                                                "accesskey")]
    for attrs, _ in tree.tagged("details"):
        assert set(attrs) <= {"open", "id", "class"}
    for attrs, _ in tree.tagged("summary"):
        assert attrs == {}
    assert "Title" in html


def test_a_section_id_from_raw_html_cannot_take_over_a_page_element():
    html = render_markdown('<details id="main">\n<summary>Main</summary>\nText\n</details>\n')
    assert sections(html)[0][0] == "section-main"


# -- on the page ----------------------------------------------------------------------


@pytest.fixture
def folded(make_page):
    return make_page("Workshop", (
        "## Agenda\n\nThree sessions.\n\n"
        '??? "Background"\n    ## Why this workshop\n\n    Text.\n\n'
        '    ??? "Details"\n        ### Costs\n\n        More.\n\n'
        "???\n    Untitled.\n"
    ))


def test_the_deep_link_contract_every_anchor_sits_where_expand_js_looks(client, folded):
    """expand.js opens the <details> around ``location.hash``'s element inside
    .page-content, or that element itself when it is a section. So: every
    section and every heading inside one has an id, once per page, and each
    section starts with its <summary> (the browser's toggle)."""
    html = client.get("/wiki/workshop").text
    tree = Tree(html)
    ids = [attrs["id"] for _tag, attrs, _anc in tree.elements if "id" in attrs]
    assert len(ids) == len(set(ids))
    in_content = [(tag, attrs, anc) for tag, attrs, anc in tree.elements
                  if ("div", {"class": "page-content"}) in anc]
    folded_ids = {attrs.get("id"): [a.get("id") for t, a in anc if t == "details"]
                  for tag, attrs, anc in in_content if tag in ("h2", "h3", "details")}
    assert folded_ids == {
        "agenda": [],
        "section-background": [],
        "why-this-workshop": ["section-background"],
        "section-details": ["section-background"],
        "costs": ["section-background", "section-details"],
        "section-click-here-to-expand": [],
    }
    assert all(attrs.get("id") for attrs, _ in tree.tagged("details"))
    assert 'class="headerlink" href="#costs"' in html  # the link a reader copies
    assert len(re.findall(r"<details[^>]*>\s*<summary>", html)) == 3


def test_the_script_and_styles_are_served_and_linked_without_inline_script(client, folded):
    html = client.get("/wiki/workshop").text
    head = html[:html.index("</head>")]
    assert '<script src="/plugins/expand/static/expand.js" defer></script>' in head
    assert '<link rel="stylesheet" href="/plugins/expand/static/expand.css">' in head
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # a strict CSP can come later
    assert not re.search(r"<[^>]+\son\w+=", html)
    with client.get("/plugins/expand/static/expand.js") as script:
        assert script.status_code == 200 and "javascript" in script.content_type
        js = script.text
    # The same names on both sides of the contract.
    for name in (".page-content details", "data-expand", "hashchange", "wiki:preview",
                 "beforeprint", "afterprint", "preview"):
        assert name in js
    with client.get("/plugins/expand/static/expand.css") as style:
        assert style.status_code == 200 and "print" in style.text


def test_expand_and_collapse_all_show_only_on_pages_with_sections(client, folded, make_page):
    html = client.get("/wiki/workshop").text
    buttons = re.findall(r'<button type="button"[^>]*data-expand="(open|close)"[^>]*\bhidden>([^<]+)<', html)
    assert buttons == [("open", "Expand all"), ("close", "Collapse all")]
    make_page("Plain")
    assert "data-expand" not in client.get("/wiki/plain").text


def test_the_preview_renders_sections_exactly_like_the_saved_page(as_editor, folded):
    body = folded.current_revision.body
    preview = as_editor.post("/preview", data={"body": body, "slug": "workshop"}).json["html"]
    assert "<details" in preview
    assert preview == page_content(as_editor.get("/wiki/workshop").text)


def test_an_unindented_section_is_flagged_to_editors_and_loses_no_text(client, auth, make_page):
    make_page("Flat", '??? "Background"\nThis line was not indented.\n')
    reader = client.get("/wiki/flat")
    assert reader.status_code == 200
    assert "This line was not indented." in reader.text
    assert "block-error" not in reader.text
    auth.login("editor")
    editor = client.get("/wiki/flat").text
    assert "The section “Background” is empty: indent its text by 4 spaces" in editor
    assert "This line was not indented." in editor


@pytest.mark.parametrize("source, problem", [
    ("<details>\n<summary>Open</summary>\n\nFirst.\n\nSecond.\n", "not closed with </details>"),
    ("Text.\n\n</details>\n", "without a <details> before them"),
])
def test_unpaired_details_tags_are_flagged_to_editors_and_lose_no_text(
        client, auth, make_page, source, problem):
    make_page("Broken", source)
    reader = client.get("/wiki/broken")
    assert reader.status_code == 200 and "block-error" not in reader.text
    auth.login("editor")
    editor = client.get("/wiki/broken").text
    assert problem in editor.replace("&lt;", "<").replace("&gt;", ">")
    for word in re.findall(r"[A-Z]\w+\.", source):
        assert word in editor


def test_the_demo_workshop_folds_its_background(app, users):
    load_demo(db.session.get(User, users["editor"]))
    page = services.find_page(slugify(WORKSHOP))[0]
    assert sections(page.current_revision.html) == [
        ("section-background-why-this-workshop", False, "Background: why this workshop"),
        ("section-contexte-en-français", False, "Contexte en français"),
    ]


def test_without_the_plugin_the_marker_stays_text(app_factory):
    app = app_factory(PLUGINS=[])
    with app.app_context():
        html = render_markdown('??? "Background"\n    Text.\n')
    assert "<details" not in html and "Background" in html

