"""Confluence's storage format (the XML export's page bodies) -> the wiki's
Markdown: each construct, how it renders through the app's pipeline, the
seed workshop page, and bodies that are not what they should be."""

import html
import re

import pytest

from wiki import create_app
from wiki.render import render_markdown
from wiki.transfer.confluence.body import MAX_LIST_DEPTH, PageContext
from wiki.transfer.confluence.storage import storage_to_markdown


@pytest.fixture(scope="module")
def render(tmp_path_factory):
    """The app's rendering (Markdown with the plugins' extensions, then the
    sanitizer); no database needed, so one app serves the whole module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WIKI_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
        app = create_app({"TESTING": True})

    def render(markdown):
        with app.app_context():
            return render_markdown(markdown)

    return render


@pytest.fixture
def context():
    return PageContext(
        page_title="Workshop 2021",
        space_key="COP",
        people={"8a7f0c": "Juliane Wiesenhuetter", "pluu": "Paul Luu"},
        titles={"Workshop 2021": "Workshop 2021", "Follow up": "Follow up", "Session 1": "Session 1",
                "[Draft] Agenda | v2": "[Draft] Agenda | v2"},
        page_ids={"65540": "Session 1"},
    )


def convert(body, context):
    return storage_to_markdown(body, context)


def md(body, context):
    return convert(body, context).markdown


def text(rendered):
    """What a reader reads of rendered HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


# -- text ----------------------------------------------------------------------


def test_headings(context, render):
    body = ("<h1>Agenda</h1><h3>Session 1:</h3><h6>Small</h6><h2>   </h2><h2>C# and <em>F#</em></h2>"
            "<h4>Ticket #</h4>")
    out = md(body, context)
    assert out == "# Agenda\n\n### Session 1:\n\n###### Small\n\n## C# and *F#*\n\n#### Ticket \\#\n"
    rendered = render(out)
    assert '<h3 id="session-1">Session 1:' in rendered and ">C# and <em>F#</em><a" in rendered
    assert '<h4 id="ticket">Ticket #<a' in rendered


def test_paragraphs_and_spacing_paragraphs(context):
    body = "<p>First   paragraph\n  on two lines.</p><p>&nbsp;</p><p><br/></p><p>Second.</p>"
    assert md(body, context) == "First paragraph on two lines.\n\nSecond.\n"


def test_emphasis(context, render):
    body = ("<p><strong>bold</strong> <b>b</b> <em>italic</em> <i>i</i> <u>underlined</u> "
            "<s>struck</s> <span style=\"text-decoration: line-through;\">old</span> "
            "x<sup>2</sup> H<sub>2</sub>O <code>a * b</code></p>")
    out = md(body, context)
    assert out == ("**bold** **b** *italic* *i* <u>underlined</u> <s>struck</s> <s>old</s> "
                   "x<sup>2</sup> H<sub>2</sub>O `a * b`\n")
    assert render(out) == ("<p><strong>bold</strong> <strong>b</strong> <em>italic</em> <em>i</em> "
                           "<u>underlined</u> <s>struck</s> <s>old</s> x<sup>2</sup> H<sub>2</sub>O "
                           "<code>a * b</code></p>")


def test_emphasis_keeps_its_spaces_outside_and_does_not_nest_twice(context, render):
    body = ("<p>a<strong> bold </strong>b <strong>x <strong>y</strong></strong> "
            "<em><strong>both</strong></em> <em>one</em><em>two</em></p>")
    out = md(body, context)
    assert out == "a **bold** b **x y** ***both*** *onetwo*\n"
    assert render(out) == ("<p>a <strong>bold</strong> b <strong>x y</strong> "
                           "<strong><em>both</em></strong> <em>onetwo</em></p>")


def test_line_breaks(context, render):
    out = md("<p>Tuesday, April 27<br/>(UTC 11:00 am)<br/><br/></p>", context)
    assert out == "Tuesday, April 27  \n(UTC 11:00 am)\n"
    assert render(out) == "<p>Tuesday, April 27<br>\n(UTC 11:00 am)</p>"


# Each would be Markdown (or a macro, a section, a panel, raw HTML) if written as is.
TRICKY = ["2 * 3 * 4", "snake_case and _under_", "[[Not a link]]", "[x](y)", "![img](a.png)",
          "# not a heading", "> not a quote", "- not a list", "+ not a list", "1. not a list",
          "{{toc}}", "??? not a section", "!!! note not a panel", "<b>not bold</b>", "a | b | c",
          "`not code`", "back\\slash", "&copy; &amp;amp; stay", "===", "---", "~~~", "Wow![[x]]",
          "tab\tand  spaces"]


@pytest.mark.parametrize("words", TRICKY)
def test_text_never_becomes_markdown(context, render, words):
    body = f"<p>{html.escape(words, quote=False)}</p>"
    rendered = render(md(body, context))
    assert rendered.startswith("<p>") and rendered.count("<p>") == 1, rendered
    assert text(rendered) == " ".join(words.split())
    assert not re.search(r"<(?!/?p>)", rendered), rendered  # no other element


def test_text_after_a_line_break_never_starts_a_block(context, render):
    body = "<p>first<br/># second<br/>- third<br/>??? fourth<br/>{{toc}}<br/>1. fifth</p>"
    out = md(body, context)
    assert out == "first  \n\\# second  \n\\- third  \n&#63;?? fourth  \n\\{{toc}}  \n1\\. fifth\n"
    assert render(out) == ("<p>first<br>\n# second<br>\n- third<br>\n&#63;?? fourth<br>\n{{toc}}<br>\n"
                           "1. fifth</p>")


@pytest.mark.parametrize("words", TRICKY)
def test_text_in_a_table_cell_stays_text(context, render, words):
    cell = html.escape(words, quote=False)
    body = f"<table><tr><th>h</th></tr><tr><td>{cell}</td></tr></table>"
    rendered = render(md(body, context))
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.DOTALL)
    assert len(cells) == 1 and "<thead>" in rendered, rendered
    assert "<" not in cells[0] and html.unescape(cells[0]) == " ".join(words.split())


# -- lists -------------------------------------------------------------------------


def test_nested_and_mixed_lists(context, render):
    body = ("<ol><li>Welcome note</li><li>Presentations<ul><li>Carbon Benefits Project</li>"
            "<li>LandPKS<ol><li>first</li></ol></li></ul></li></ol>"
            "<ol start=\"4\"><li>four</li><li>five</li></ol>")
    out = md(body, context)
    assert out == ("1. Welcome note\n2. Presentations\n    - Carbon Benefits Project\n    - LandPKS\n"
                   "        1. first\n\n<!-- -->\n\n4. four\n5. five\n")
    rendered = render(out)
    assert ("<li>Presentations<ul>\n<li>Carbon Benefits Project</li>\n<li>LandPKS<ol>\n<li>first</li>"
            in rendered)
    assert '<ol start="4">' in rendered


def test_list_items_with_several_blocks(context, render):
    body = ("<ul><li><p>First paragraph</p><p>Second paragraph</p></li>"
            "<li><ac:structured-macro ac:name=\"code\"><ac:plain-text-body><![CDATA[x = 1]]>"
            "</ac:plain-text-body></ac:structured-macro></li></ul>")
    out = md(body, context)
    assert out == "- First paragraph\n\n    Second paragraph\n\n- \n\n    ```\n    x = 1\n    ```\n"
    rendered = render(out)
    assert "<li>\n<p>First paragraph</p>\n<p>Second paragraph</p>\n</li>" in rendered
    assert '<li>\n<div class="highlight"><pre><span></span><code>x = 1' in rendered


def test_a_list_written_right_in_a_list_joins_the_item_before(context):
    # Confluence writes an indented list this way.
    body = "<ul><li>a</li><ul><li>a.1</li></ul><li>b</li></ul>"
    assert md(body, context) == "- a\n    - a.1\n- b\n"


def test_empty_list_items_are_left_out(context):
    assert md("<ul><li></li><li>a</li><li><br/></li></ul><ol><li> </li></ol>", context) == "- a\n"


# -- tables -------------------------------------------------------------------------


def test_a_simple_table_becomes_a_markdown_table(context, render):
    body = ("<table><tbody><tr><th>Session</th><th>Date</th></tr>"
            "<tr><td>1</td><td><p>Tuesday <strong>27</strong><br/>April</p></td></tr>"
            "<tr><td>2 | 3</td><td><ac:link><ri:page ri:content-title=\"Session 1\"/></ac:link></td></tr>"
            "</tbody></table>")
    out = md(body, context)
    assert out == ("| Session | Date |\n|---|---|\n| 1 | Tuesday **27**<br>April |\n"
                   "| 2 \\| 3 | [[Session 1]] |\n")
    rendered = render(out)
    assert "<thead>\n<tr>\n<th>Session</th>\n<th>Date</th>" in rendered
    assert "<td>Tuesday <strong>27</strong><br>April</td>" in rendered and "<td>2 | 3</td>" in rendered


def test_a_table_with_merged_cells_stays_html(context, render):
    body = ("<table><tbody><tr><th colspan=\"2\">Sessions</th></tr>"
            "<tr><td rowspan=\"2\">Day 1</td><td>Opening</td></tr><tr><td>Talks</td></tr></tbody></table>")
    converted = convert(body, context)
    assert converted.markdown == (
        '<table markdown="1">\n<tr markdown="1">\n<th markdown="1" colspan="2">Sessions</th>\n</tr>\n'
        '<tr markdown="1">\n<td markdown="1" rowspan="2">Day 1</td>\n<td markdown="1">Opening</td>\n</tr>\n'
        '<tr markdown="1">\n<td markdown="1">Talks</td>\n</tr>\n</table>\n')
    assert any("HTML table" in note for note in converted.notes)
    assert render(converted.markdown) == (
        '<table>\n<tbody><tr>\n<th colspan="2">Sessions</th>\n</tr>\n<tr>\n<td rowspan="2">Day 1</td>\n'
        "<td>Opening</td>\n</tr>\n<tr>\n<td>Talks</td>\n</tr>\n</tbody></table>")


def test_a_table_with_block_content_in_cells_stays_html_with_markdown_inside(context, render):
    body = ("<table><tbody><tr><th>Topic</th><th>Notes</th></tr>"
            "<tr><td>SOC</td><td><ul><li>depth</li><li><ac:link><ri:page ri:content-title=\"Follow up\"/>"
            "<ac:plain-text-link-body><![CDATA[questions]]></ac:plain-text-link-body></ac:link></li></ul></td></tr>"
            "<tr><td><p>one</p><p>two</p></td><td><ac:structured-macro ac:name=\"code\"><ac:plain-text-body>"
            "<![CDATA[a < b]]></ac:plain-text-body></ac:structured-macro></td></tr></tbody></table>")
    out = md(body, context)
    assert '<td markdown="block">\n\n- depth\n- [[Follow up|questions]]\n\n</td>' in out
    assert '<td markdown="block">\n\none\n\ntwo\n\n</td>' in out
    rendered = render(out)
    assert ('<td>\n<ul>\n<li>depth</li>\n<li><a class="wikilink" data-wikilink="Follow up" href="#">'
            "questions</a></li>\n</ul>\n</td>") in rendered
    assert "<td>\n<p>one</p>\n<p>two</p>\n</td>" in rendered
    assert "<code>a &lt; b\n</code>" in rendered
    assert rendered.count("<table>") == 1 and rendered.count("<tr>") == 3


def test_a_table_without_a_header_row_stays_html(context, render):
    out = md("<table><tr><td>a</td><td>b</td></tr></table>", context)
    assert out.startswith('<table markdown="1">')
    assert "<td>a</td>\n<td>b</td>" in render(out)


def test_a_table_in_a_section_renders_intact(context, render):
    body = ("<ac:structured-macro ac:name=\"expand\"><ac:rich-text-body><table><tr><th rowspan=\"2\">A</th>"
            "<th>B</th></tr><tr><td><ul><li>x</li></ul></td></tr></table></ac:rich-text-body>"
            "</ac:structured-macro>")
    rendered = render(md(body, context))
    assert '<details id="section-click-here-to-expand">' in rendered
    assert '<th rowspan="2">A</th>' in rendered and "<ul>\n<li>x</li>\n</ul>" in rendered


# -- code ----------------------------------------------------------------------------


def test_code_macro_with_its_language(context, render):
    body = ('<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="language">'
            "python</ac:parameter><ac:parameter ac:name=\"linenumbers\">true</ac:parameter>"
            "<ac:plain-text-body><![CDATA[def soc(x):\n    return x < 1  # ``` & {{toc}}\n]]>"
            "</ac:plain-text-body></ac:structured-macro>")
    out = md(body, context)
    assert out == "````python\ndef soc(x):\n    return x < 1  # ``` & {{toc}}\n````\n"
    rendered = render(out)
    assert '<span class="k">def</span>' in rendered and "{{toc}}" in rendered and "&lt;" in rendered


def test_code_macro_title_and_confluence_language_names(context, render):
    body = ('<ac:structured-macro ac:name="code"><ac:parameter ac:name="title">Stock</ac:parameter>'
            '<ac:parameter ac:name="language">c#</ac:parameter><ac:plain-text-body><![CDATA[var x = 1;]]>'
            "</ac:plain-text-body></ac:structured-macro>"
            '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">none</ac:parameter>'
            '<ac:parameter ac:name="collapse">true</ac:parameter><ac:plain-text-body><![CDATA[plain]]>'
            "</ac:plain-text-body></ac:structured-macro>")
    out = md(body, context)
    assert out == "**Stock**\n\n```c#\nvar x = 1;\n```\n\n???\n    ```\n    plain\n    ```\n"
    assert '<span class="kt">var</span>' in render(out)


def test_noformat_and_pre(context, render):
    body = ('<ac:structured-macro ac:name="noformat"><ac:plain-text-body><![CDATA[**kept** as is]]>'
            "</ac:plain-text-body></ac:structured-macro><pre>line 1\n  line 2 &lt;b&gt;<br/>line 3</pre>")
    out = md(body, context)
    assert out == "```\n**kept** as is\n```\n\n```\nline 1\n  line 2 <b>\nline 3\n```\n"
    assert "<code>**kept** as is\n</code>" in render(out)


# -- links -----------------------------------------------------------------------------


def test_links_to_pages(context, render):
    body = ('<p><ac:link><ri:page ri:content-title="Follow up"/></ac:link>, '
            '<ac:link><ri:page ri:content-title="Follow up" ri:space-key="COP"/>'
            "<ac:plain-text-link-body><![CDATA[the follow-up page]]></ac:plain-text-link-body></ac:link>, "
            '<ac:link><ri:page ri:content-title="Session 1"/><ac:link-body>the <strong>first</strong> session'
            "</ac:link-body></ac:link>, "
            '<ac:link><ri:content-entity ri:content-id="65540"/></ac:link></p>')
    out = md(body, context)
    assert out == ("[[Follow up]], [[Follow up|the follow-up page]], [[Session 1|the first session]], "
                   "[[Session 1]]\n")
    assert '<a class="wikilink" data-wikilink="Follow up" href="#">the follow-up page</a>' in render(out)


def test_links_to_pages_outside_the_import(context, render):
    body = ('<p><ac:link><ri:page ri:content-title="Not imported"/></ac:link> '
            '<ac:link><ri:page ri:content-title="Follow up" ri:space-key="OTHER"/></ac:link></p>')
    converted = convert(body, context)
    assert converted.markdown == "[[Not imported]] Follow up\n"
    assert converted.notes == [
        "a link to a page that is not in the import kept as a link to a missing page",
        "a link to a page that is not in the import (another space's) kept as its words"]
    assert 'class="wikilink" data-wikilink="Not imported"' in render(converted.markdown)


def test_a_title_the_link_syntax_cannot_hold(context, render):
    out = md('<p><ac:link><ri:page ri:content-title="[Draft] Agenda | v2"/></ac:link></p>', context)
    assert out == '<a class="wikilink" data-wikilink="[Draft] Agenda | v2" href="#">[Draft] Agenda | v2</a>\n'
    assert 'data-wikilink="[Draft] Agenda | v2"' in render(out)


def test_anchors_and_links_to_them(context, render):
    body = ('<h2>Sessions and topics</h2><p><ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">'
            "questions here</ac:parameter></ac:structured-macro>Ask.</p>"
            '<p><ac:link ac:anchor="questions here"><ac:plain-text-link-body><![CDATA[ask]]>'
            "</ac:plain-text-link-body></ac:link> "
            '<ac:link ac:anchor="Sessions and topics"><ac:plain-text-link-body><![CDATA[sessions]]>'
            "</ac:plain-text-link-body></ac:link> "
            '<ac:link ac:anchor="Sessionsandtopics"><ri:page ri:content-title="Workshop 2021"/></ac:link> '
            '<ac:link ac:anchor="top"><ri:page ri:content-title="Follow up"/></ac:link></p>')
    converted = convert(body, context)
    assert converted.markdown == (
        '## Sessions and topics\n\n<a id="questions-here"></a>Ask.\n\n'
        "[ask](#questions-here) [sessions](#sessions-and-topics) [Workshop 2021](#sessions-and-topics) "
        "[[Follow up]]\n")
    assert converted.notes == ["a link to a place in another page kept as a link to the page"]
    rendered = render(converted.markdown)
    assert '<a id="questions-here"></a>Ask.' in rendered and '<a href="#questions-here">ask</a>' in rendered
    assert '<h2 id="sessions-and-topics">' in rendered
    assert '<a href="#sessions-and-topics">sessions</a>' in rendered


def test_links_to_files(context, render):
    body = ('<p><ac:link><ri:attachment ri:filename="report.pdf"/></ac:link>, '
            '<ac:link><ri:attachment ri:filename="site map.png"/><ac:plain-text-link-body>'
            "<![CDATA[the [map]]]></ac:plain-text-link-body></ac:link>, "
            '<ac:link><ri:attachment ri:filename="slides.pptx"><ri:page ri:content-title="Session 1"/>'
            "</ri:attachment><ac:plain-text-link-body><![CDATA[slides]]></ac:plain-text-link-body>"
            "</ac:link>, "
            '<ac:link><ri:attachment ri:filename="README"/></ac:link></p>')
    converted = convert(body, context)
    assert converted.markdown == ("[report.pdf](<report.pdf>), [the (map)](<site map.png>), "
                                  "[[Session 1^slides.pptx|slides]], README\n")
    assert converted.notes == ["a link to a file whose name the wiki's file links cannot hold, kept as its "
                               "name"]
    rendered = render(converted.markdown)
    assert ('data-args="{&#34;page&#34;: &#34;Session 1&#34;, &#34;name&#34;: &#34;slides.pptx&#34;, '
            "&#34;text&#34;: &#34;slides&#34;, &#34;image&#34;: false}\">slides</span>") in rendered
    assert "&#34;name&#34;: &#34;site map.png&#34;" in rendered


def test_links_to_the_web(context, render):
    body = ('<p><a href="https://4p1000.org/a page(1)">4 per 1000</a> '
            '<a href="mailto:cop@example.org">mail</a> '
            '<a href="https://wiki.example.org/display/COP/Follow+up">old address</a> '
            '<a href="https://wiki.example.org/pages/viewpage.action?pageId=65540">by id</a> '
            '<a href="file://server/share">share</a> '
            '<a href="https://other.example.org/download/attachments/999/x.pdf">elsewhere</a> '
            '<ac:link><ri:url ri:value="https://4p1000.org"/><ac:plain-text-link-body><![CDATA[site]]>'
            "</ac:plain-text-link-body></ac:link> <ac:link><ri:url ri:value=\"javascript:alert(1)\"/>"
            "<ac:plain-text-link-body><![CDATA[bad]]></ac:plain-text-link-body></ac:link></p>")
    converted = convert(body, context)
    assert converted.markdown == ("[4 per 1000](https://4p1000.org/a%20page%281%29) "
                                  "[mail](mailto:cop@example.org) [[Follow up|old address]] "
                                  "[[Session 1|by id]] share (`file://server/share`) "
                                  "[elsewhere](https://other.example.org/download/attachments/999/x.pdf) "
                                  "[site](https://4p1000.org) bad (`javascript:alert(1)`)\n")
    assert converted.notes == ["a link with a “file:” address kept as its words and address",
                               "a link with a “javascript:” address kept as its words and address"]
    rendered = render(converted.markdown)
    assert '<a href="https://4p1000.org/a%20page%281%29" rel="nofollow noopener">4 per 1000</a>' in rendered


def test_images(context, render):
    body = ('<p><ac:image ac:alt="Field trip" ac:width="300"><ri:attachment ri:filename="photo.jpg"/>'
            "</ac:image>"
            '<ac:image><ri:attachment ri:filename="map.png"><ri:page ri:content-title="Session 1"/>'
            "</ri:attachment></ac:image>"
            '<ac:image ac:title="Logo"><ri:url ri:value="https://4p1000.org/logo.png"/></ac:image></p>')
    out = md(body, context)
    assert out == ("![Field trip](<photo.jpg>)![[Session 1^map.png]]"
                   "![Logo](https://4p1000.org/logo.png)\n")
    rendered = render(out)
    assert '<img alt="Logo" src="https://4p1000.org/logo.png">' in rendered
    assert ("&#34;name&#34;: &#34;photo.jpg&#34;, &#34;text&#34;: &#34;Field trip&#34;, &#34;image&#34;: true"
            in rendered)


def test_user_mentions(context):
    body = ('<p>By <ac:link><ri:user ri:userkey="8a7f0c"/></ac:link> and '
            '<ac:link><ri:user ri:username="pluu"/></ac:link> (<ac:link><ri:user ri:account-id="8a7f0c"/>'
            '</ac:link>), not <ac:link><ri:user ri:userkey="gone"/></ac:link>.</p>')
    assert md(body, context) == ("By Juliane Wiesenhuetter and Paul Luu (Juliane Wiesenhuetter), not "
                                 "Unknown user.\n")


# -- macros ------------------------------------------------------------------------------


def test_expand_without_and_with_a_title(context, render):
    body = ('<ac:structured-macro ac:name="expand"><ac:rich-text-body><p>Building on the success.</p>'
            "<ul><li>one</li></ul></ac:rich-text-body></ac:structured-macro>"
            '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Background: *why*'
            "</ac:parameter>"
            "<ac:rich-text-body><p>Text.</p></ac:rich-text-body></ac:structured-macro>")
    out = md(body, context)
    assert out == ("???\n    Building on the success.\n\n    - one\n\n"
                   '??? "Background: \\*why\\*"\n    Text.\n')
    rendered = render(out)
    assert ('<details id="section-click-here-to-expand">\n<summary>Click here to expand...</summary>\n'
            "<p>Building on the success.</p>\n<ul>\n<li>one</li>\n</ul>\n</details>") in rendered
    assert "<summary>Background: *why*</summary>\n<p>Text.</p>" in rendered


@pytest.mark.parametrize("name", ["info", "note", "tip", "warning", "panel"])
def test_panels(context, render, name):
    body = (f'<ac:structured-macro ac:name="{name}"><ac:parameter ac:name="title">Before the session'
            "</ac:parameter><ac:rich-text-body><p>Test your connection.</p></ac:rich-text-body>"
            f'</ac:structured-macro><ac:structured-macro ac:name="{name}"><ac:rich-text-body><p>No title.</p>'
            "</ac:rich-text-body></ac:structured-macro>")
    out = md(body, context)
    assert out == (f'!!! {name} "Before the session"\n    Test your connection.\n\n'
                   f'!!! {name} ""\n    No title.\n')
    assert render(out) == (f'<div class="admonition {name}">\n'
                           '<p class="admonition-title">Before the session</p>\n'
                           f'<p>Test your connection.</p>\n</div>\n<div class="admonition {name}">\n'
                           "<p>No title.</p>\n</div>")


def test_toc_and_children(context, render):
    body = ('<p><ac:structured-macro ac:name="toc"/></p><h2>Sessions</h2>'
            '<ac:structured-macro ac:name="children"/>'
            '<ac:structured-macro ac:name="children"><ac:parameter ac:name="depth">3</ac:parameter>'
            "</ac:structured-macro>"
            '<ac:structured-macro ac:name="children"><ac:parameter ac:name="all">true</ac:parameter>'
            '<ac:parameter ac:name="sort">title</ac:parameter></ac:structured-macro>')
    converted = convert(body, context)
    assert converted.markdown == ("{{toc}}\n\n## Sessions\n\n{{children}}\n\n{{children depth=3}}\n\n"
                                  "{{children depth=5}}\n")
    assert converted.notes == ["the settings of a list of child pages (sorting, style, excerpts) are not "
                               "kept"]
    rendered = render(converted.markdown)
    assert '<div class="toc">\n<ul>\n<li><a href="#sessions">Sessions</a></li>' in rendered
    assert '<div class="wiki-block" data-block="children" data-args="depth=3"></div>' in rendered


def test_task_lists(context, render):
    body = ("<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>"
            "<ac:task-body>Book the room</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id>"
            "<ac:task-status>incomplete</ac:task-status><ac:task-body>Send the link to "
            '<ac:link><ri:user ri:username="pluu"/></ac:link><ac:task-list><ac:task>'
            "<ac:task-status>incomplete</ac:task-status><ac:task-body>and the slides</ac:task-body></ac:task>"
            "</ac:task-list></ac:task-body></ac:task></ac:task-list>")
    out = md(body, context)
    assert out == "- [x] Book the room\n- [ ] Send the link to Paul Luu\n    - [ ] and the slides\n"
    assert "<li>[x] Book the room</li>" in render(out)


def test_status_lozenges(context, render):
    body = ('<p>State: <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green'
            "</ac:parameter>"
            '<ac:parameter ac:name="title">Done</ac:parameter></ac:structured-macro> '
            '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Red</ac:parameter>'
            "</ac:structured-macro></p>")
    out = md(body, context)
    assert out == ('State: <span class="status status-green">**\\[Done\\]**</span> '
                   '<span class="status status-red">**\\[Red\\]**</span>\n')
    assert render(out) == ('<p>State: <span class="status status-green"><strong>[Done]</strong></span> '
                           '<span class="status status-red"><strong>[Red]</strong></span></p>')


def test_layouts_are_flattened_in_reading_order(context):
    body = ('<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>Left</p></ac:layout-cell>'
            "<ac:layout-cell><p>Right</p></ac:layout-cell></ac:layout-section>"
            '<ac:layout-section ac:type="single"><ac:layout-cell><h2>Below</h2></ac:layout-cell>'
            "</ac:layout-section></ac:layout>")
    assert md(body, context) == "Left\n\nRight\n\n## Below\n"


def test_emoticons(context):
    body = ('<p>Thanks <ac:emoticon ac:name="smile"/> <ac:emoticon ac:name="thumbs-up"/> '
            '<ac:emoticon ac:name="blue-star" ac:emoji-fallback="🇯🇵"/> '
            '<ac:emoticon ac:name="unheard-of"/></p>')
    converted = convert(body, context)
    assert converted.markdown == "Thanks 🙂 👍 🇯🇵 :unheard-of:\n"
    assert converted.notes == ["an emoticon the wiki does not know kept as its name"]


def test_unknown_macros_become_visible_placeholders(context, render):
    body = ('<p>See <ac:structured-macro ac:name="jira" ac:schema-version="1"><ac:parameter ac:name="server">'
            'System JIRA</ac:parameter><ac:parameter ac:name="key">COP-12</ac:parameter>'
            "</ac:structured-macro>"
            ' and <ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">COP-13</ac:parameter>'
            "</ac:structured-macro>.</p>"
            '<ac:structured-macro ac:name="include"><ac:parameter ac:name=""><ac:link>'
            '<ri:page ri:content-title="Follow up"/></ac:link></ac:parameter></ac:structured-macro>'
            '<ac:structured-macro ac:name="div"><ac:rich-text-body><p>Kept text</p></ac:rich-text-body>'
            '</ac:structured-macro><ac:structured-macro ac:name="html"><ac:plain-text-body>'
            "<![CDATA[<marquee>hi</marquee>]]></ac:plain-text-body></ac:structured-macro>")
    converted = convert(body, context)
    assert converted.markdown == (
        "See *\\[Confluence macro “jira”: server=System JIRA, key=COP-12\\]* and "
        "*\\[Confluence macro “jira”: key=COP-13\\]*.\n\n"
        "*\\[Confluence macro “include”: Follow up\\]*\n\n"
        "*\\[Confluence macro “div”\\]*\n\nKept text\n\n"
        "*\\[Confluence macro “html”\\]*\n\n```\n<marquee>hi</marquee>\n```\n")
    assert converted.placeholders == {"jira": 2, "include": 1, "div": 1, "html": 1}
    rendered = render(converted.markdown)
    assert "<em>[Confluence macro “jira”: server=System JIRA, key=COP-12]</em>" in rendered
    assert "<marquee>" not in rendered and "&lt;marquee&gt;" in rendered


def test_recently_updated_and_file_viewers(context, render):
    body = ('<ac:structured-macro ac:name="recently-updated"><ac:parameter ac:name="max">8</ac:parameter>'
            '</ac:structured-macro><p><ac:structured-macro ac:name="view-file"><ac:parameter ac:name="name">'
            '<ri:attachment ri:filename="report.pdf"/></ac:parameter></ac:structured-macro></p>')
    converted = convert(body, context)
    assert converted.markdown == "{{recent count=8}}\n\n[report.pdf](<report.pdf>)\n"
    assert len(converted.notes) == 2 and not converted.placeholders


# -- the seed workshop page ----------------------------------------------------------------

WORKSHOP = "Monitoring Climate Benefits of Sustainable Land Management with a Focus on Soil Organic Carbon"
SESSIONS = [
    "Session 1 - Topic 1 - Carbon Benefits Project, LandPKS and WOCAT",
    "Session 1 - Topic 2 - Monitoring using the SALM approach and integration in national monitoring "
    "programs",
    "Session 2 - Topic 1 & 2 - CarbASIA-Project - Carbon Storage Assessment and Interaction with National "
    "Institutions in Kyrgyzstan",
    "Session 3 - Topic 1 - Landscape Scale Assessments of Soil Organic Carbon and other Key Indicators of "
    "Land and Soil Health (Land Degradation Surveillance Framework)",
]

# The workshop page of /work/shared/seeds as Confluence stores it.
WORKSHOP_STORAGE = """\
<p><strong>27-29 April 2021</strong></p><p><br /></p>
<p><strong>Session 1:</strong></p>
<p>Tuesday, April 27&nbsp; 01:00 pm - 03:15 pm CEST&nbsp;</p>
<p>(UTC 11:00 am - 01:15 pm)</p>
<ol>
<li>Welcome note and setting the scene by 4per1000/GIZ (15 minutes Juliane Wiesenhuetter, GIZ and Paul Luu, \
4per1000)</li>
<li>Workshop presentation on Carbon Benefits Project, LandPKS and WOCAT (Eleanor Milne ,Colorado State \
University, Tatenda Lemann, WOCAT Executive Team and Jeff Herrick, LandPKS)</li>
<li>Workshop presentation on Monitoring using the SALM approach and integration in national monitoring \
programs \
(Mamadou Batiene, REDD+ Focal Point Burkina Faso and Georges Kuate, REDD+ Consultant). French language with \
translation into English.</li>
</ol>
<p><strong>Session 2:</strong></p>
<p>Wednesday, April 28&nbsp; 01:00 pm - 03:00 pm CEST</p>
<p>(UTC 11:00 am - 01:00 pm)</p>
<ol>
<li>Workshop presentation on CarbASIA-Project&nbsp; Carbon Storage Assessment for the Country Kyrgyzstan \
through Sampling of Representative Land Units (1 hour, led by Margarete Korintenberg, \
Humboldt-Universit&auml;t \
zu Berlin)&nbsp;</li>
<li>Workshop presentation on CarbASIA-Project&nbsp; Interaction with and Support to National \
Institutions in the \
Field of LDN Reporting (1 hour, led by Klaus Eisenack, Humboldt-Universit&auml;t zu Berlin)&nbsp;</li>
</ol>
<p><strong>Session 3:</strong></p>
<p>Thursday, April 29&nbsp; 01:00 pm - 02:30 pm CEST</p>
<p>(UTC 11:00 am - 12:30 pm)</p>
<ol>
<li>Workshop presentation on Landscape Scale Assessments of Soil Organic Carbon and other Key Indicators of \
Land and Soil Health - Land Degradation Surveillance Framework (1 hour, led by Leigh Ann Winowiecki, World \
Agroforestry ICRAF)&nbsp;</li>
<li>Final wrap-up of the workshop by 4p1000/GIZ (15 minutes)</li>
<li>Q&amp;A on next steps for the CoP (15 minutes)</li>
</ol>
<h2>Follow up</h2>
<p><ac:link><ri:page ri:content-title="Follow up" /><ac:plain-text-link-body><![CDATA[Click here]]>\
</ac:plain-text-link-body></ac:link> to to to the Follow up page to drop your questions and suggestions</p>
<h2>Sessions and topics</h2>
<p><ac:structured-macro ac:name="children" ac:schema-version="2" ac:macro-id="0d2c7c4e" /></p>
<ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="5b1f0a3e"><ac:rich-text-body>
<p>Building on the success of the last event in October 2020, the Climate-Soil Community of Practice \
(CoP) and \
the 4 per 1000 Initiative are pleased to announce their next event.</p>
<p>Sustainable land management is receiving increasing attention as a promising climate action option.</p>
<ol>
<li>Systematic monitoring framework for assessing soil and land health at landscape-level (Southern African \
countries)</li>
<li>Farmer-led monitoring nested into national carbon monitoring platform (Burkina Faso)</li>
<li>Soil carbon monitoring of large areas with a stratification approach (Kyrgyzstan)</li>
<li>Integration of monitoring in national programs (Burkina Faso)</li>
</ol>
<p>Throughout the workshop, the discussion will revolve around these guiding questions:</p>
<ul>
<li>How does monitoring work on the ground?</li>
<li>What are strengths and weaknesses of different monitoring approaches?</li>
<li>How to bridge the gap between anecdotal and experience-based knowledge from farmers and scientifically \
robust data (incl. data collection and processing)?</li>
</ul>
</ac:rich-text-body></ac:structured-macro>
<h2>Proposed structure</h2>
<ac:structured-macro ac:name="expand" ac:schema-version="1" ac:macro-id="9e4d2b71"><ac:rich-text-body>
<p>The event will take place on April 27 to 29 and will be structured as a three-day workshop composed \
of three \
moderated 2-hour sessions.</p>
<p>Importantly, we want to move away from traditional formats of presentations, followed by short \
questions and \
answer sessions.</p>
</ac:rich-text-body></ac:structured-macro>
"""


def test_the_seed_workshop_page_converts(context):
    context.page_title = WORKSHOP
    converted = convert(WORKSHOP_STORAGE, context)
    out = converted.markdown
    assert out.startswith("**27-29 April 2021**\n\n**Session 1:**\n\nTuesday, April 27\xa0 01:00 pm - "
                          "03:15 pm CEST\xa0\n\n(UTC 11:00 am - 01:15 pm)\n\n1. Welcome note and setting the "
                          "scene by 4per1000/GIZ")
    assert "\n3. Q&A on next steps for the CoP (15 minutes)\n" in out
    assert "Humboldt-Universität zu Berlin" in out
    assert "## Follow up\n\n[[Follow up|Click here]] to to to the Follow up page" in out
    assert "## Sessions and topics\n\n{{children}}\n\n???\n    Building on the success" in out
    assert "    1. Systematic monitoring framework" in out
    assert "    - How does monitoring work on the ground?" in out
    assert "## Proposed structure\n\n???\n    The event will take place" in out
    assert out.count("???") == 2
    assert not converted.placeholders and not converted.notes


def test_the_seed_workshop_page_shows_as_on_confluence(context, client, make_page):
    """Imported, the page reads as the old one did: the agenda, the sessions
    listed, both sections folded under "Click here to expand...", the link
    to the follow-up page working."""
    context.page_title = WORKSHOP
    make_page("Follow up")
    workshop = make_page(WORKSHOP, convert(WORKSHOP_STORAGE, context).markdown)
    for title in SESSIONS:
        make_page(title, parent=workshop)
    page = client.get(f"/wiki/{workshop.slug}").get_data(as_text=True)
    assert page.count("<summary>Click here to expand...</summary>") == 2
    assert '<a class="wikilink" href="/wiki/follow-up">Click here</a> to to to the Follow up page' in page
    assert '<ul class="macro-children">' in page
    assert all(html.escape(title, quote=False) in page for title in SESSIONS)
    assert "<li>Q&amp;A on next steps for the CoP (15 minutes)</li>" in page


# -- bodies that are not what they should be --------------------------------------------------


def test_unclosed_tags(context):
    converted = convert("<p>Unclosed <strong>bold<ul><li>item", context)
    assert converted.markdown == "Unclosed\n\nbold\n\n- item\n"
    assert converted.notes == ["the page body is not well-formed XML: converted as far as it could be read"]


def test_stray_ampersands_and_brackets_are_kept(context):
    assert md("<p>R&D < 5 & more <b>bold</p>", context) == "R&D &lt; 5 & more **bold**\n"


def test_unknown_namespaces_and_elements(context):
    converted = convert('<p>Before <foo:widget x="1">inside</foo:widget> <ac:newthing>new</ac:newthing></p>',
                        context)
    assert converted.markdown == "Before inside new\n"
    assert "an element the import does not know (“foo:widget”): its text is kept" in converted.notes
    assert "an element the import does not know (“ac:newthing”): its text is kept" in converted.notes


def test_entities(context):
    assert md("<p>caf&eacute;&nbsp;&mdash; &unknownentity; &#233; &amp;lt;</p>", context) == \
        "café\xa0— &#38;unknownentity; é &#38;lt;\n"


def test_external_entities_and_doctypes_are_never_read(context):
    body = ('<!DOCTYPE p [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY lol "lol">]>'
            "<p>&secret; &lol;</p>")
    out = md(body, context)
    assert "root:" not in out and "lollol" not in out


def test_a_large_body(context):
    paragraph = "<p>" + "Soil organic carbon monitoring. " * 32 + "</p>"
    body = paragraph * (1_048_576 // len(paragraph) + 1)
    converted = convert(body, context)
    assert converted.markdown.count("\n\n") == body.count("<p>") - 1


def test_deeply_nested_lists(context, render):
    body = "<ul><li>level" * 500 + "</li></ul>" * 500
    converted = convert(body, context)
    items = [line for line in converted.markdown.splitlines() if line.lstrip().startswith("- ")]
    assert items[0] == "- level" and items[MAX_LIST_DEPTH - 1] == " " * 4 * (MAX_LIST_DEPTH - 1) + "- level"
    assert max(len(line) - len(line.lstrip()) for line in items) == 4 * (MAX_LIST_DEPTH - 1)
    assert converted.markdown.count("level") == 500  # nothing lost
    assert len(converted.notes) == 2
    assert render(converted.markdown).count("<ul>") == MAX_LIST_DEPTH


def test_deeply_nested_elements(context):
    body = "<div>" * 3000 + "deep text" + "</div>" * 3000 + "<p>after</p>"
    assert md(body, context) == "deep text\n\nafter\n"


def test_empty_and_unreadable_bodies(context):
    assert convert("", context).markdown == "" and convert("  \n", context).markdown == ""
    assert md("\x00<p>nul\x01</p>", context) == "nul\n"
    with pytest.raises(ValueError, match="not UTF-8"):
        convert(b"<p>\xff\xfe</p>", context)
    with pytest.raises(ValueError, match="not text"):
        convert(None, context)
