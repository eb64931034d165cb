"""No user text can bring script into a page.

User Markdown is rendered, then sanitized (``wiki/sanitize.py``). These tests
feed the HTML5 Security Cheatsheet vectors (cure53/H5SC, in ../shared/xss) to
that pipeline as raw HTML, as Markdown link and image targets and through a
real page view, then parse the output as a browser would and look for
anything able to run script: a forbidden element, an event handler, a style
attribute, a javascript:, vbscript: or data: URL. Targeted tests pin the rules
one by one: links, ``rel``, linkified URLs, comments, the plugin allowlist and
page titles.
"""

import html
import json
import re
import unicodedata
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from wiki import create_app
from wiki.render import clean, render_markdown
from wiki.sanitize import CORE_TAGS, FORBIDDEN_TAGS, Allowlist, Sanitizer

# The shared folder sits beside the repository checkout.
VECTORS_FILE = Path(__file__).resolve().parents[2] / "shared" / "xss" / "h5sc-vectors.json"
VECTORS = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]

EXTERNAL_REL = "nofollow noopener"


def vector_id(vector):
    return f"h5sc-{vector['id']}"


# -- the checker ----------------------------------------------------------------

# Attributes whose value a browser loads, runs or navigates to.
URL_ATTRIBUTES = frozenset({
    "href", "src", "action", "formaction", "xlink:href", "srcset",
    "poster", "background", "data", "cite", "ping", "longdesc", "dynsrc", "lowsrc",
})
SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


class ParsedMarkup(HTMLParser):
    """``markup`` as a browser's tokenizer sees it: start tags with their
    attributes (character references decoded), end tags, comments and other
    markup declarations. Escaped text such as ``&lt;script&gt;`` is text."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.start_tags, self.end_tags, self.comments, self.declarations = [], [], [], []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.start_tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self.end_tags.append(tag)

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_pi(self, data):
        self.declarations.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.declarations.append(f"<![{data}]>")


def scheme_view(url):
    """``url`` as its scheme is judged: character references decoded (the
    parser already did; once more only makes the check stricter), whitespace
    and control characters dropped anywhere, lowercased."""
    url = html.unescape(url)
    return "".join(
        ch for ch in url if not ch.isspace() and unicodedata.category(ch) not in {"Cc", "Cf"}
    ).lower()


def runs_script(name, value):
    urls = [value]
    if name == "srcset":  # "a.png 1x, data:... 2x": each candidate is a URL
        urls += value.split(",")
    return any(scheme_view(url).startswith(SCRIPT_SCHEMES) for url in urls)


def script_in(markup):
    """Everything in ``markup`` able to run script; an empty list when none."""
    parsed = ParsedMarkup(markup)
    found = [f"<{tag}>" for tag, _ in parsed.start_tags if tag in FORBIDDEN_TAGS]
    found += [f"</{tag}>" for tag in parsed.end_tags if tag in FORBIDDEN_TAGS]
    for tag, attrs in parsed.start_tags:
        for name, value in attrs:
            value = value or ""
            handler_or_style = name.startswith("on") or name == "style"
            if handler_or_style or (name in URL_ATTRIBUTES and runs_script(name, value)):
                found.append(f"<{tag} {name}={value!r}>")
    # Old Internet Explorer ran the markup of conditional comments.
    found += [f"<!--{data}-->" for data in parsed.comments]
    return found + parsed.declarations


def assert_no_script(markup):
    found = script_in(markup)
    assert not found, f"script-capable markup {found} in:\n{markup}"


def tags_in(markup):
    return {tag for tag, _ in ParsedMarkup(markup).start_tags}


def links_in(markup):
    """The attributes of each ``<a>`` in ``markup``, in order."""
    return [dict(attrs) for tag, attrs in ParsedMarkup(markup).start_tags if tag == "a"]


@pytest.mark.parametrize("markup", [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<p STYLE='color:red'>x</p>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt&#58;alert(1)">x</a>',
    '<a href=" java&#9;script:alert(1)">x</a>',
    '<a href="&#1;vbscript:msgbox(1)">x</a>',
    '<img src="data:image/svg+xml,x">',
    '<img srcset="a.png 1x, data:image/svg+xml,x 2x">',
    '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<!--[if IE]><img src=x><![endif]-->",
])
def test_the_checker_catches_script(markup):
    assert script_in(markup)


@pytest.mark.parametrize("markup", [
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<p>javascript:alert(1) onload=x style=y &lt;svg onload=alert(1)&gt;</p>",
    '<a href="/wiki/javascript" title="onclick">x</a>',
    '<a href="https://example.com/?u=data:x" rel="nofollow noopener">x</a>',
    '<img src="/static/logo.png" alt="style" srcset="logo.png 1x, logo-2x.png 2x">',
    "<pre><code>&lt;iframe src=data:text/html,x&gt;</code></pre>",
])
def test_the_checker_lets_harmless_markup_through(markup):
    assert script_in(markup) == []


# -- rendering without a database ---------------------------------------------


@pytest.fixture(scope="module")
def bare_app(tmp_path_factory):
    """One app, with every plugin, for the module's many rendering cases:
    rendering needs no database, and a fresh app per case would be slow."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WIKI_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        return create_app({"TESTING": True})


@pytest.fixture
def render(bare_app):
    """``render_markdown``: Markdown, then the app's sanitizer."""
    with bare_app.app_context():
        yield render_markdown


@pytest.fixture
def sanitize(bare_app):
    """The app's sanitizer alone (``wiki.render.clean``), no Markdown first."""
    with bare_app.app_context():
        yield clean


# -- every H5SC vector ---------------------------------------------------------


@pytest.mark.parametrize("vector", VECTORS, ids=vector_id)
def test_vector_as_raw_html_in_a_page_body(render, vector):
    out = render(vector["html"])
    assert_no_script(out)
    assert tags_in(out) <= CORE_TAGS


@pytest.mark.parametrize("vector", VECTORS, ids=vector_id)
def test_vector_given_straight_to_the_sanitizer(sanitize, vector):
    out = sanitize(vector["html"])
    assert_no_script(out)
    assert tags_in(out) <= CORE_TAGS


@pytest.mark.parametrize("vector", VECTORS, ids=vector_id)
def test_vector_as_link_text_link_title_and_image_alt(render, vector):
    text = vector["html"]
    assert_no_script(render(f'[{text}](https://example.com/ "{text}")\n\n![{text}](/img.png)\n'))


# The URLs the vectors carry in attributes (javascript:..., data:..., mhtml:...),
# each to be tried as a Markdown link or image target.
URL_VALUE = re.compile(
    r"""(?<![\w-])(?:[a-z]+:)?
        (?:href|src|action|formaction|poster|background|data|folder|handler|to|from|values)
        \s*=\s*(?:"([^"]*)"|'([^']*)'|`([^`]*)`|([^\s>"'`]+))""",
    re.IGNORECASE | re.VERBOSE,
)


def vector_urls():
    seen, params = set(), []
    for vector in VECTORS:
        for match in URL_VALUE.finditer(vector["html"]):
            url = next(group for group in match.groups() if group is not None)
            if ":" in url and url not in seen:
                seen.add(url)
                params.append(pytest.param(url, id=f"{vector_id(vector)}-{len(seen)}"))
    return params


VECTOR_URLS = vector_urls()
LINK_FORMS = {
    "link": "[x]({url})",
    "link-in-brackets": "[x](<{url}>)",
    "image": "![x]({url})",
    "reference": "[x][ref]\n\n[ref]: {url}",
    "autolink": "<{url}>",
}


def test_the_vectors_yield_script_urls_to_try():
    urls = [param.values[0] for param in VECTOR_URLS]
    assert len(urls) >= 30
    assert {url.split(":")[0] for url in urls} >= {"javascript", "data", "mhtml", "view-source"}


@pytest.mark.parametrize("form", LINK_FORMS.values(), ids=LINK_FORMS.keys())
@pytest.mark.parametrize("url", VECTOR_URLS)
def test_vector_url_as_a_markdown_link_or_image_target(render, url, form):
    assert_no_script(render(form.format(url=url)))


def test_every_vector_through_a_real_page_view(client, make_page):
    """The stored page as a visitor gets it, layout and all: the only
    script-capable markup is the layout's own (its <title>, <meta>, the
    stylesheet <link>s and wiki.js), exactly as on a page of plain text."""
    plain = client.get(f"/wiki/{make_page('Plain text', 'Just words.').slug}")
    layout = Counter(script_in(plain.get_data(as_text=True)))
    assert layout  # sanity: the checker does see the layout's own <script>

    pages = {vector["id"]: make_page(f"Vector {vector['id']}", vector["html"]) for vector in VECTORS}
    extra = {}
    for number, page in pages.items():
        response = client.get(f"/wiki/{page.slug}")
        assert response.status_code == 200, number
        found = Counter(script_in(response.get_data(as_text=True))) - layout
        if found:
            extra[number] = sorted(found.elements())
    assert extra == {}


# -- targeted rules --------------------------------------------------------------


def test_script_element_is_removed(render):
    out = render("Hello <script>alert(1)</script> world")
    assert "<script" not in out
    assert_no_script(out)


def test_img_onerror_is_dropped_and_the_image_kept(render):
    out = render('<img src="x" onerror="alert(1)">')
    assert '<img src="x">' in out
    assert "onerror" not in out


SCRIPT_URLS = {
    "javascript": "javascript:alert(1)",
    "mixed-case-entity-colon": "JaVaScRiPt&#58;alert(1)",
    "entity-first-letter": "&#x6A;avascript:alert(1)",
    "tab-inside": "java&#9;script:alert(1)",
    "newline-inside": "java&#10;script:alert(1)",
    "leading-space": " javascript:alert(1)",
    "leading-control": "&#1;javascript:alert(1)",
    "vbscript": "vbscript:msgbox(1)",
    "data-html": "data:text/html,<script>alert(1)</script>",
    "data-html-base64": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data-svg": "data:image/svg+xml,<svg onload=alert(1)>",
}


@pytest.mark.parametrize("url", SCRIPT_URLS.values(), ids=SCRIPT_URLS.keys())
def test_script_url_is_removed_from_a_link_and_the_text_kept(render, url):
    out = render(f'<a href="{url}">x</a>')
    assert "<a>x</a>" in out
    assert_no_script(out)


@pytest.mark.parametrize("url", SCRIPT_URLS.values(), ids=SCRIPT_URLS.keys())
def test_script_url_is_removed_from_an_image(render, url):
    out = render(f'<img src="{url}" alt="x">')
    assert '<img alt="x">' in out
    assert_no_script(out)


@pytest.mark.parametrize("form", LINK_FORMS.values(), ids=LINK_FORMS.keys())
@pytest.mark.parametrize("url", SCRIPT_URLS.values(), ids=SCRIPT_URLS.keys())
def test_script_url_in_markdown_leaves_no_script(render, url, form):
    assert_no_script(render(form.format(url=url)))


def test_iframe_is_removed(render):
    out = render('<iframe src="https://example.com/"></iframe>After')
    assert "iframe" not in out
    assert "After" in out


def test_svg_with_onload_is_removed(render):
    out = render('<svg onload="alert(1)"><circle r="9"/></svg>Shape')
    assert "svg" not in out
    assert "onload" not in out
    assert "Shape" in out


def test_details_is_not_allowed_by_the_core(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path))
    with create_app({"TESTING": True, "PLUGINS": []}).app_context():
        out = render_markdown("<details open ontoggle=alert(1)><summary>More</summary>Hidden</details>")
    assert "<details" not in out
    assert "ontoggle" not in out
    assert "Hidden" in out


def test_details_allowed_by_a_plugin_still_loses_its_ontoggle():
    allowlist = Allowlist()
    allowlist.extend(tags=["details", "summary"], attributes={"details": ["open", "ontoggle"]})
    out = Sanitizer(allowlist).clean("<details open ontoggle=alert(1)><summary>More</summary></details>")
    assert "<details open" in out
    assert "ontoggle" not in out


@pytest.mark.parametrize("markup", [
    '<p style="color:red">x</p>',
    '<span style="background:url(javascript:alert(1))">x</span>',
    '<div style="width:expression(alert(1))">x</div>',
    '<a href="/wiki/x" style="position:fixed;inset:0">x</a>',
    '<img src="/a.png" style="x:y">',
    "<table><tr><td style=color:red>x</td></tr></table>",
])
def test_style_attribute_is_removed(render, markup):
    out = render(markup)
    assert "style" not in out
    assert_no_script(out)


@pytest.mark.parametrize("markup", [
    "Before <!-- a secret note --> after",
    "<!--[if IE]><script>alert(1)</script><![endif]-->after",
    "<!-- a --><!-->after",
    "<div>\n<!--\n<img src=x onerror=alert(1)>\n-->\nafter\n</div>",
])
def test_html_comments_are_stripped(render, markup):
    out = render(markup)
    assert "<!--" not in out
    assert "secret" not in out
    assert "after" in out
    assert_no_script(out)


# -- rel and linkified URLs ----------------------------------------------------


@pytest.mark.parametrize("text", [
    "[site](https://example.com/)",
    "[site](http://example.com/page?a=1&b=2)",
    "<https://example.com/>",
    "[site](//example.com/)",
    '<a href="https://example.com/">site</a>',
    '<a href="https://example.com/" rel="opener">site</a>',
])
def test_external_link_gets_rel(render, text):
    (link,) = links_in(render(text))
    assert link["rel"] == EXTERNAL_REL


@pytest.mark.parametrize("href", [
    "HTTPS://EXAMPLE.COM/",
    "https:example.com",
    " //example.com/",
    "https&#58;//example.com/",  # character references: bleach keeps them as written
    "&#x68;ttps://example.com/",
    "&#47;/example.com/",
    "/&#9;/example.com/",
    "/\\example.com/",  # a browser reads "\" as "/"
    "\\\\example.com/",
])
def test_external_link_in_disguise_gets_rel(sanitize, href):
    (link,) = links_in(sanitize(f'<a href="{href}">site</a>'))
    assert link["rel"] == EXTERNAL_REL


@pytest.mark.parametrize("text", [
    "[page](/wiki/home)",
    "[section](#usage)",
    "[sibling](other-page)",
    "[search](?q=x)",
    '<a href="/wiki/home" rel="opener">page</a>',
    "[[Home]]",
])
def test_relative_link_gets_no_rel(render, text):
    (link,) = links_in(render(text))
    assert "rel" not in link


def test_bare_url_becomes_a_link_with_rel(render):
    out = render("Read https://example.com/docs first.")
    assert links_in(out) == [{"href": "https://example.com/docs", "rel": EXTERNAL_REL}]
    assert out.endswith("</a> first.</p>")


@pytest.mark.parametrize("text", [
    "javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "mailto:someone@example.com",
])
def test_bare_url_of_another_scheme_stays_text(render, text):
    out = render(f"See {text} here.")
    assert links_in(out) == []
    assert_no_script(out)


@pytest.mark.parametrize("text", [
    "```\nhttps://example.com/fenced\n```",
    "    https://example.com/indented",
    "Inline `https://example.com/inline` code.",
    "<pre>https://example.com/pre</pre>",
])
def test_url_in_code_is_not_linkified(render, text):
    out = render(text)
    assert "https://example.com/" in out
    assert links_in(out) == []


# -- the plugin allowlist --------------------------------------------------------


def test_script_capable_elements_are_all_forbidden():
    assert {"script", "style", "svg", "math", "iframe", "object", "embed", "form"} <= FORBIDDEN_TAGS
    assert not FORBIDDEN_TAGS & CORE_TAGS


@pytest.mark.parametrize("tag", sorted(FORBIDDEN_TAGS))
def test_allowlist_refuses_a_forbidden_tag(tag):
    allowlist = Allowlist()
    with pytest.raises(ValueError, match="can never be allowed"):
        allowlist.extend(tags=["details", tag])
    assert allowlist.tags == Allowlist().tags  # nothing half-applied


@pytest.mark.parametrize("tag", ["SCRIPT", "Svg", " iframe "])
def test_allowlist_refuses_a_forbidden_tag_in_any_spelling(tag):
    with pytest.raises(ValueError, match="can never be allowed"):
        Allowlist().extend(tags=[tag])


@pytest.mark.parametrize("protocol", ["javascript", "JavaScript", "javascript:", "vbscript", "data", "DATA"])
def test_allowlist_refuses_a_script_protocol(protocol):
    allowlist = Allowlist()
    with pytest.raises(ValueError, match="can never be allowed"):
        allowlist.extend(protocols=["ftp", protocol])
    assert allowlist.protocols == Allowlist().protocols


def test_allowlist_silently_drops_event_handlers_and_style():
    allowlist = Allowlist()
    allowlist.extend(
        tags=["details"],
        attributes={
            "details": ["open", "ontoggle", "OnClick", " onmouseover", "style", "STYLE"],
            "*": ["onload", "lang"],
        },
    )
    assert allowlist.attributes["details"] == ["open"]
    assert allowlist.attributes["*"] == ["lang", "title"]

    out = Sanitizer(allowlist).clean('<details open onclick="alert(1)" style="x" lang="en">x</details>')
    assert out == '<details open lang="en">x</details>'


def test_plugin_protocol_still_cannot_smuggle_script():
    allowlist = Allowlist()
    allowlist.extend(protocols=["ftp"])
    out = Sanitizer(allowlist).clean('<a href="ftp://example.com/f">f</a><a href="javascript:alert(1)">j</a>')
    assert links_in(out) == [{"href": "ftp://example.com/f", "rel": EXTERNAL_REL}, {}]


# -- through the real views ----------------------------------------------------


def page_html(client, page):
    response = client.get(f"/wiki/{page.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize("title", [
    "<script>alert(1)</script> Notes",
    '"><img src=x onerror=alert(1)> Notes',
])
def test_page_title_is_plain_text(client, make_page, title):
    layout = Counter(script_in(page_html(client, make_page("Plain", "Text."))))
    body = page_html(client, make_page(title, "Text."))
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert str(escape(title)) in body  # shown, as text
    assert Counter(script_in(body)) == layout


def test_wiki_links_stay_safe_when_resolved_in_the_view(as_editor, make_page):
    """A page view rewrites wiki links in the stored HTML; hostile attributes
    next to ``data-wikilink`` must not survive that rewrite as markup."""
    layout = Counter(script_in(page_html(as_editor, make_page("Plain", "Text."))))
    make_page("Target", "Text.")
    body = (
        "[[Target]] [[<img src=x onerror=alert(1)>]] [[Missing|<svg onload=alert(1)>]]\n\n"
        '<a data-wikilink="Target" title="x> <img src=x onerror=alert(1)>" href="javascript:alert(1)">t</a>\n'
        "<a title=' data-wikilink=\"Missing\" ' href=\"https://example.com/\" onclick=alert(1)>u</a>\n"
    )
    out = page_html(as_editor, make_page("Links", body))
    assert 'href="/wiki/target"' in out
    assert Counter(script_in(out)) == layout
