"""The HTML export's pages (Confluence's rendered HTML) -> the wiki's
Markdown: each construct as Confluence renders it, the same Markdown as from
the storage format, the seed workshop page, and pages that are not what they
should be."""

import html
import re

import pytest

from wiki import create_app
from wiki.render import render_markdown
from wiki.transfer.confluence.body import MAX_LIST_DEPTH, PageContext
from wiki.transfer.confluence.rendered import rendered_to_markdown
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
        titles={"Workshop 2021": "Workshop 2021", "Follow up": "Follow up", "Session 1": "Session 1"},
        page_ids={"65538": "Workshop 2021", "65540": "Session 1", "65545": "Follow up"},
    )


def convert(page, context):
    return rendered_to_markdown(page, context)


def md(page, context):
    return convert(page, context).markdown


def text(rendered):
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def expand(title, content, n=1):
    return (f'<div id="expander-{n}" class="expand-container"><div id="expander-control-{n}" '
            'class="expand-control"><span class="expand-control-icon icon">&nbsp;</span>'
            f'<span class="expand-control-text">{title}</span></div><div id="expander-content-{n}" '
            f'class="expand-content expand-hidden">{content}</div></div>')


def table(rows):
    return f'<div class="table-wrap"><table class="confluenceTable"><tbody>{rows}</tbody></table></div>'


# -- text ----------------------------------------------------------------------


def test_headings_and_paragraphs(context, render):
    page = ('<h1 id="Workshop2021-Agenda">Agenda</h1><p>First&nbsp;line of\n text.</p><p>&nbsp;</p>'
            '<h3 id="Workshop2021-Session1:">Session 1:</h3>')
    out = md(page, context)
    assert out == "# Agenda\n\nFirst\xa0line of text.\n\n### Session 1:\n"
    assert '<h3 id="session-1">Session 1:' in render(out)


def test_emphasis_and_line_breaks(context, render):
    page = ("<p><strong>bold</strong> <em>italic</em> <u>under</u> "
            '<span style="text-decoration: line-through;">old</span> x<sup>2</sup> H<sub>2</sub>O '
            "<code>a * b</code><br/>next line</p>")
    out = md(page, context)
    assert out == ("**bold** *italic* <u>under</u> <s>old</s> x<sup>2</sup> H<sub>2</sub>O `a * b`  \n"
                   "next line\n")
    assert render(out) == ("<p><strong>bold</strong> <em>italic</em> <u>under</u> <s>old</s> x<sup>2</sup> "
                           "H<sub>2</sub>O <code>a * b</code><br>\nnext line</p>")


@pytest.mark.parametrize("words", ["2 * 3", "_under_", "[[Not a link]]", "# no", "1. no", "{{toc}}",
                                   "??? no", "!!! note no", "<b>no</b>", "a | b", "&copy; stays"])
def test_text_never_becomes_markdown(context, render, words):
    rendered = render(md(f"<p>{html.escape(words, quote=False)}</p>", context))
    assert rendered.count("<p>") == 1 and not re.search(r"<(?!/?p>)", rendered), rendered
    assert text(rendered) == words


def test_lists(context, render):
    page = ("<ol><li>Welcome note</li><li>Presentations<ul><li>Carbon Benefits Project</li>"
            "<li>LandPKS</li></ul></li></ol>")
    out = md(page, context)
    assert out == "1. Welcome note\n2. Presentations\n    - Carbon Benefits Project\n    - LandPKS\n"
    assert "<li>Presentations<ul>\n<li>Carbon Benefits Project</li>" in render(out)


# -- tables ----------------------------------------------------------------------


def test_a_simple_table(context, render):
    page = table('<tr><th class="confluenceTh">Session</th><th class="confluenceTh">Date</th></tr>'
                 '<tr><td class="confluenceTd">1</td><td class="confluenceTd"><p>27 April</p></td></tr>')
    out = md(page, context)
    assert out == "| Session | Date |\n|---|---|\n| 1 | 27 April |\n"
    assert "<td>27 April</td>" in render(out)


def test_a_table_with_merged_cells_or_blocks_stays_html(context, render):
    page = table('<tr><th class="confluenceTh" colspan="2">Sessions</th></tr>'
                 '<tr><td class="confluenceTd" rowspan="2">Day 1</td><td class="confluenceTd">'
                 "<ul><li>Opening</li><li>Talks</li></ul></td></tr>"
                 '<tr><td class="confluenceTd"><p>one</p><p>two</p></td></tr>')
    converted = convert(page, context)
    assert converted.markdown.startswith('<table markdown="1">\n<tr markdown="1">\n'
                                         '<th markdown="1" colspan="2">Sessions</th>')
    assert len(converted.notes) == 1
    rendered = render(converted.markdown)
    assert '<th colspan="2">Sessions</th>' in rendered and '<td rowspan="2">Day 1</td>' in rendered
    assert "<ul>\n<li>Opening</li>\n<li>Talks</li>\n</ul>" in rendered
    assert "<p>one</p>\n<p>two</p>" in rendered


# -- code --------------------------------------------------------------------------


def test_code_panels(context, render):
    page = ('<div class="code panel pdl" style="border-width: 1px;"><div class="codeHeader panelHeader pdl" '
            'style="border-bottom-width: 1px;"><b>Stock</b></div><div class="codeContent panelContent pdl">'
            '<pre class="syntaxhighlighter-pre" data-syntaxhighlighter-params="brush: py; gutter: false; '
            'theme: Confluence" data-theme="Confluence">def soc(x):\n    return x &lt; 1</pre></div></div>'
            '<div class="code panel pdl"><div class="codeContent panelContent pdl">'
            '<pre class="theme: Confluence; brush: java; gutter: false">int x;</pre></div></div>')
    out = md(page, context)
    assert out == "**Stock**\n\n```py\ndef soc(x):\n    return x < 1\n```\n\n```java\nint x;\n```\n"
    assert '<span class="k">def</span>' in render(out)


def test_noformat_and_pre(context, render):
    page = ('<div class="preformatted panel" style="border-width: 1px;"><div class="preformattedContent '
            'panelContent"><pre>**kept** as is</pre></div></div><pre>plain pre</pre>')
    out = md(page, context)
    assert out == "```\n**kept** as is\n```\n\n```\nplain pre\n```\n"
    assert "<code>**kept** as is\n</code>" in render(out)


# -- links -------------------------------------------------------------------------


def test_links_to_pages(context, render):
    page = ('<p><a href="Follow-up_65545.html">Follow up</a>, <a href="65545.html">the follow-up page</a>, '
            '<a href="Session-1_65540.html" data-linked-resource-id="65540" data-linked-resource-type="page">'
            "the first session</a>, "
            '<a href="https://wiki.example.org/display/COP/Follow+up">old address</a>, '
            '<a href="Gone_99999.html">gone</a></p>')
    converted = convert(page, context)
    assert converted.markdown == ("[[Follow up]], [[Follow up|the follow-up page]], "
                                  "[[Session 1|the first session]], [[Follow up|old address]], gone\n")
    assert converted.notes == ["a link to an address of the old wiki that is no page or file of the import, "
                               "kept as its words"]
    assert '<a class="wikilink" data-wikilink="Session 1" href="#">the first session</a>' in render(
        converted.markdown)


def test_anchors_and_links_to_them(context, render):
    page = ('<h2 id="Workshop2021-Sessionsandtopics">Sessions and topics</h2>'
            '<p><span class="confluence-anchor-link" id="Workshop2021-questions"></span>Ask.</p>'
            '<p><a href="#Workshop2021-questions">ask</a> '
            '<a href="#Workshop2021-Sessionsandtopics">up</a></p>')
    out = md(page, context)
    assert out == ('## Sessions and topics\n\n<a id="Workshop2021-questions"></a>Ask.\n\n'
                   "[ask](#Workshop2021-questions) [up](#sessions-and-topics)\n")
    rendered = render(out)
    assert '<a id="Workshop2021-questions"></a>' in rendered
    assert '<a href="#sessions-and-topics">up</a>' in rendered


def test_links_to_files(context, render):
    page = ('<p><a href="attachments/65538/65560.pdf" data-linked-resource-id="65560" '
            'data-linked-resource-type="attachment" data-linked-resource-default-alias="report.pdf" '
            'data-linked-resource-container-id="65538">the report</a>, '
            '<a href="attachments/65540/65561.pptx" data-linked-resource-type="attachment" '
            'data-linked-resource-default-alias="slides.pptx" data-linked-resource-container-id="65540">'
            "slides</a>, "
            '<a href="https://wiki.example.org/download/attachments/65538/site%20map.png?version=1">map</a></p>')
    out = md(page, context)
    assert out == "[the report](<report.pdf>), [[Session 1^slides.pptx|slides]], [map](<site map.png>)\n"
    assert "&#34;name&#34;: &#34;report.pdf&#34;, &#34;text&#34;: &#34;the report&#34;" in render(out)


def test_links_to_the_web(context, render):
    out = md('<p><a href="https://4p1000.org" class="external-link" rel="nofollow">4 per 1000</a></p>',
             context)
    assert out == "[4 per 1000](https://4p1000.org)\n"
    assert '<a href="https://4p1000.org" rel="nofollow noopener">4 per 1000</a>' in render(out)


def test_images(context, render):
    page = ('<p><span class="confluence-embedded-file-wrapper"><img class="confluence-embedded-image" '
            'alt="Field trip" src="attachments/65538/65570.jpg" data-image-src="attachments/65538/65570.jpg" '
            'data-linked-resource-id="65570" data-linked-resource-type="attachment" '
            'data-linked-resource-default-alias="photo.jpg" data-linked-resource-container-id="65538"></span>'
            '<a class="confluence-embedded-file" href="attachments/65540/65571.png" '
            'data-linked-resource-type="attachment" data-linked-resource-default-alias="map.png">'
            '<img class="confluence-embedded-image" src="attachments/65540/65571.png" '
            'data-linked-resource-type="attachment" data-linked-resource-default-alias="map.png" '
            'data-linked-resource-container-id="65540"></a>'
            '<img src="https://4p1000.org/logo.png" alt="Logo"></p>')
    out = md(page, context)
    assert out == "![Field trip](<photo.jpg>)![[Session 1^map.png]]![Logo](https://4p1000.org/logo.png)\n"
    assert '<img alt="Logo" src="https://4p1000.org/logo.png">' in render(out)


def test_user_mentions(context):
    page = ('<p>By <a href="/display/~pluu" class="confluence-userlink user-mention" data-username="pluu" '
            'data-linked-resource-type="userinfo">Paul L.</a> and <a class="confluence-userlink" '
            'data-username="someone" href="/display/~someone">Some One</a>.</p>')
    assert md(page, context) == "By Paul Luu and Some One.\n"


# -- macros ----------------------------------------------------------------------------


def test_expand_without_and_with_a_title(context, render):
    page = (expand("Click here to expand...", "<p>Folded.</p><ul><li>one</li></ul>")
            + expand("Background", "<p>Text.</p>", 2))
    out = md(page, context)
    assert out == '???\n    Folded.\n\n    - one\n\n??? "Background"\n    Text.\n'
    rendered = render(out)
    assert ('<details id="section-click-here-to-expand">\n<summary>Click here to expand...</summary>\n'
            "<p>Folded.</p>") in rendered
    assert '<details id="section-background">\n<summary>Background</summary>' in rendered


@pytest.mark.parametrize("kind, css", [("info", "information"), ("note", "note"), ("tip", "tip"),
                                       ("warning", "warning")])
def test_information_panels(context, render, kind, css):
    page = (f'<div class="confluence-information-macro confluence-information-macro-{css}"><p class="title">'
            'Before the session</p><span class="aui-icon aui-icon-small confluence-information-macro-icon">'
            '</span><div class="confluence-information-macro-body"><p>Test your connection.</p></div></div>'
            f'<div class="confluence-information-macro confluence-information-macro-{css}">'
            '<div class="confluence-information-macro-body"><p>No title.</p></div></div>')
    out = md(page, context)
    assert out == (f'!!! {kind} "Before the session"\n    Test your connection.\n\n'
                   f'!!! {kind} ""\n    No title.\n')
    assert (f'<div class="admonition {kind}">\n<p class="admonition-title">Before the session</p>'
            in render(out))


def test_panel(context, render):
    page = ('<div class="panel" style="border-width: 1px;"><div class="panelHeader" '
            'style="border-bottom-width: 1px;"><b>Links</b></div>'
            '<div class="panelContent"><p>Body.</p></div></div>')
    out = md(page, context)
    assert out == '!!! panel "Links"\n    Body.\n'
    assert '<div class="admonition panel">' in render(out)


def test_toc_and_children(context, render):
    page = ('<div class="toc-macro client-side-toc-macro" data-headerelements="H1,H2,H3"></div>'
            '<div class="toc-macro rbtoc1"><ul class="toc-indentation"><li><a href="#x">x</a></li></ul></div>'
            '<h2 id="Workshop2021-Sessions">Sessions</h2>'
            '<ul class="childpages-macro"><li><a href="Session-1_65540.html">Session 1</a></li></ul>'
            '<ul class="childpages-macro"><li><a href="Session-1_65540.html">Session 1</a>'
            '<ul class="childpages-macro"><li><a href="Slides_65541.html">Slides</a></li></ul></li></ul>')
    out = md(page, context)
    assert out == "{{toc}}\n\n{{toc}}\n\n## Sessions\n\n{{children}}\n\n{{children depth=2}}\n"
    assert '<div class="wiki-block" data-block="children" data-args="depth=2"></div>' in render(out)


def test_task_lists(context, render):
    page = ('<ul class="inline-task-list" data-inline-tasks-content-id="65538"><li class="checked" '
            'data-inline-task-id="1"><span class="placeholder-inline-tasks">Book the room</span></li>'
            '<li data-inline-task-id="2">Send the link</li></ul>')
    out = md(page, context)
    assert out == "- [x] Book the room\n- [ ] Send the link\n"
    assert "<li>[ ] Send the link</li>" in render(out)


def test_status_lozenges(context, render):
    page = ('<p><span class="status-macro aui-lozenge aui-lozenge-success">DONE</span> '
            '<span class="status-macro aui-lozenge">GREY</span> '
            '<span class="status-macro aui-lozenge aui-lozenge-error aui-lozenge-subtle">BLOCKED</span></p>')
    out = md(page, context)
    assert out == ('<span class="status status-green">**\\[DONE\\]**</span> '
                   '<span class="status status-grey">**\\[GREY\\]**</span> '
                   '<span class="status status-red">**\\[BLOCKED\\]**</span>\n')
    assert '<span class="status status-red"><strong>[BLOCKED]</strong></span>' in render(out)


def test_layouts_are_flattened_in_reading_order(context):
    page = ('<div class="contentLayout2"><div class="columnLayout two-equal" data-layout="two-equal">'
            '<div class="cell normal" data-type="normal"><div class="innerCell"><p>Left</p></div></div>'
            '<div class="cell normal" data-type="normal"><div class="innerCell"><p>Right</p></div></div>'
            '</div><div class="columnLayout single" data-layout="single"><div class="cell normal">'
            '<div class="innerCell">'
            "<h2>Below</h2></div></div></div></div>")
    assert md(page, context) == "Left\n\nRight\n\n## Below\n"


def test_emoticons(context):
    page = ('<p>Thanks <img class="emoticon emoticon-smile" src="images/icons/emoticons/smile.svg" '
            'data-emoticon-name="smile" alt="(smile)"> <img class="emoticon emoticon-blue-star" '
            'data-emoji-fallback="🇯🇵" src="images/icons/emoticons/72/1f1ef.png" alt="(blue star)"></p>')
    assert md(page, context) == "Thanks 🙂 🇯🇵\n"


def test_other_macros(context, render):
    page = ('<div class="conf-macro output-block" data-hasbody="false" data-macro-name="jira"></div>'
            '<p>See <span class="jira-issue conf-macro output-inline" data-macro-name="jira">'
            '<a href="https://jira.example.org/browse/COP-12" class="jira-issue-key">COP-12</a> - Broken link'
            "</span>.</p>"
            '<p><iframe src="https://www.youtube.com/embed/x"></iframe></p>')
    converted = convert(page, context)
    assert converted.markdown == ("*\\[Confluence macro “jira”\\]*\n\n"
                                  "See [COP-12](https://jira.example.org/browse/COP-12) - Broken link.\n\n"
                                  "*\\[Embedded content “iframe”: src=https://www.youtube.com/embed/x\\]*\n")
    assert converted.placeholders == {"jira": 1, "iframe": 1}
    assert converted.notes == ["the macro “jira” kept as the HTML export showed it"]
    assert "<iframe" not in render(converted.markdown)


# -- both exports, one Markdown --------------------------------------------------------------

STORAGE = """\
<h2>Agenda</h2>
<p><strong>Session 1:</strong> <ac:link><ri:page ri:content-title="Follow up" /><ac:plain-text-link-body>\
<![CDATA[questions]]></ac:plain-text-link-body></ac:link>, <ac:link><ri:user ri:userkey="8a7f0c" \
/></ac:link>, \
<ac:link><ri:attachment ri:filename="report.pdf" /><ac:plain-text-link-body><![CDATA[report]]>\
</ac:plain-text-link-body></ac:link>, <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">\
Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro></p>
<ol><li>Welcome<ul><li>nested</li></ul></li></ol>
<table><tbody><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></tbody></table>
<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">py</ac:parameter><ac:plain-text-body>\
<![CDATA[x = 1 < 2]]></ac:plain-text-body></ac:structured-macro>
<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Note this</ac:parameter><ac:rich-text-body>\
<p>Body</p></ac:rich-text-body></ac:structured-macro>
<ac:structured-macro \
ac:name="expand"><ac:rich-text-body><p>Folded</p></ac:rich-text-body></ac:structured-macro>
<ac:task-list><ac:task><ac:task-status>complete</ac:task-status><ac:task-body>Done</ac:task-body></ac:task>\
</ac:task-list>
<p><ac:image ac:alt="Field trip"><ri:attachment ri:filename="photo.jpg" /></ac:image></p>
<ac:structured-macro ac:name="children" />
"""

RENDERED = f"""\
<h2 id="Workshop2021-Agenda">Agenda</h2>
<p><strong>Session 1:</strong> <a href="Follow-up_65545.html">questions</a>, <a class="confluence-userlink \
user-mention" data-username="jwiesenhuetter" data-user-key="8a7f0c" \
href="/display/~jwiesenhuetter">Juliane W.</a>, \
<a href="attachments/65538/65560.pdf" data-linked-resource-type="attachment" \
data-linked-resource-default-alias=\
"report.pdf" data-linked-resource-container-id="65538">report</a>, <span class="status-macro aui-lozenge \
aui-lozenge-success">DONE</span></p>
<ol><li>Welcome<ul><li>nested</li></ul></li></ol>
{table('<tr><th class="confluenceTh">A</th><th class="confluenceTh">B</th></tr>'
       '<tr><td class="confluenceTd">1</td><td class="confluenceTd">2</td></tr>')}
<div class="code panel pdl"><div class="codeContent panelContent pdl"><pre class="syntaxhighlighter-pre" \
data-syntaxhighlighter-params="brush: py; gutter: false">x = 1 &lt; 2</pre></div></div>
<div class="confluence-information-macro confluence-information-macro-information"><p class="title">Note \
this</p>\
<div class="confluence-information-macro-body"><p>Body</p></div></div>
{expand("Click here to expand...", "<p>Folded</p>")}
<ul class="inline-task-list"><li class="checked">Done</li></ul>
<p><span class="confluence-embedded-file-wrapper"><img class="confluence-embedded-image" alt="Field trip" \
src="attachments/65538/65570.jpg" data-linked-resource-type="attachment" data-linked-resource-default-alias=\
"photo.jpg" data-linked-resource-container-id="65538"></span></p>
<ul class="childpages-macro"><li><a href="Session-1_65540.html">Session 1</a></li></ul>
"""


def test_both_exports_give_the_same_markdown(context):
    from_storage = storage_to_markdown(STORAGE, context)
    from_html = convert(RENDERED, context)
    assert from_html.markdown == from_storage.markdown == """\
## Agenda

**Session 1:** [[Follow up|questions]], Juliane Wiesenhuetter, [report](<report.pdf>), \
<span class="status status-green">**\\[DONE\\]**</span>

1. Welcome
    - nested

| A | B |
|---|---|
| 1 | 2 |

```py
x = 1 < 2
```

!!! info "Note this"
    Body

???
    Folded

- [x] Done

![Field trip](<photo.jpg>)

{{children}}
"""
    assert not from_html.notes and not from_storage.notes


# -- the seed workshop page ---------------------------------------------------------------

WORKSHOP = "Monitoring Climate Benefits of Sustainable Land Management with a Focus on Soil Organic Carbon"

BACKGROUND = expand("Click here to expand...", """
<p>Building on the success of the last event in October 2020, the Climate-Soil Community of Practice \
(CoP) and \
the 4 per 1000 Initiative are pleased to announce their next event.</p>
<ol><li>Farmer-led monitoring nested into national carbon monitoring platform (Burkina Faso)</li></ol>
<p>Throughout the workshop, the discussion will revolve around these guiding questions:</p>
<ul><li>How does monitoring work on the ground?</li></ul>""", 1839370287)
STRUCTURE = expand("Click here to expand...", """
<p>The event will take place on April 27 to 29 and will be structured as a three-day workshop.</p>""",
                   1839370288)

# The workshop page of /work/shared/seeds as the HTML export writes its file.
WORKSHOP_PAGE = f"""\
<!DOCTYPE html>
<html>
<head><title>Climate-Soil CoP : {WORKSHOP}</title>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head>
<body class="theme-default aui-theme-default">
<div id="page"><div id="main" class="aui-page-panel">
<div id="main-header"><div id="breadcrumb-section"><ol id="breadcrumbs"><li class="first"><span>\
<a href="index.html">Climate-Soil CoP</a></span></li></ol></div>
<h1 id="title-heading" class="pagetitle"><span id="title-text">Climate-Soil CoP : {WORKSHOP}</span></h1></div>
<div id="content" class="view">
<div class="page-metadata">Created by <span class="author"> Juliane Wiesenhuetter</span>, last modified on \
Apr 26, 2021</div>
<div id="main-content" class="wiki-content group">
<p><strong>27-29 April 2021</strong></p><p><br></p>
<p><strong>Session 1:</strong></p>
<p>Tuesday, April 27&nbsp; 01:00 pm - 03:15 pm CEST&nbsp;</p>
<p>(UTC 11:00 am - 01:15 pm)</p>
<ol>
<li>Welcome note and setting the scene by 4per1000/GIZ (15 minutes Juliane Wiesenhuetter, GIZ and Paul Luu, \
4per1000)</li>
<li>Workshop presentation on Carbon Benefits Project, LandPKS and WOCAT (Eleanor Milne ,Colorado State \
University, Tatenda Lemann, WOCAT Executive Team and Jeff Herrick, LandPKS)</li>
</ol>
<p><strong>Session 3:</strong></p>
<ol>
<li>Final wrap-up of the workshop by 4p1000/GIZ (15 minutes)</li>
<li>Q&amp;A on next steps for the CoP (15 minutes)</li>
</ol>
<h2 id="MonitoringClimateBenefits-Followup">Follow up</h2>
<p><a href="Follow-up_65545.html" data-linked-resource-id="65545" data-linked-resource-type="page">Click \
here</a> \
to to to the Follow up page to drop your questions and suggestions</p>
<h2 id="MonitoringClimateBenefits-Sessionsandtopics">Sessions and topics</h2>
<ul class="childpages-macro">
<li><a href="Session-1---Topic-1_65540.html">Session 1 - Topic 1 - Carbon Benefits Project, LandPKS and \
WOCAT</a></li>
<li><a href="Session-3---Topic-1_65543.html">Session 3 - Topic 1 - Landscape Scale Assessments</a></li>
</ul>
{BACKGROUND}
<h2 id="MonitoringClimateBenefits-Proposedstructure">Proposed structure</h2>
{STRUCTURE}
</div>
<div class="pageSection group"><div class="pageSectionHeader"><h2 id="comments" class="pageSectionTitle">\
Comments:</h2></div><table class="comments-section"><tr><td><p>Bonjour à toute l'équipe d'organisation.</p>\
</td></tr></table></div>
</div></div>
<div id="footer" role="contentinfo"><section class="footer-body"><p>Document generated by Confluence on \
Apr 30, 2021 10:12</p></section></div>
</div></body></html>
"""


def test_the_seed_workshop_page_converts(context, render):
    context.page_title = WORKSHOP
    converted = convert(WORKSHOP_PAGE, context)
    assert converted.markdown == """\
**27-29 April 2021**

**Session 1:**

Tuesday, April 27\xa0 01:00 pm - 03:15 pm CEST\xa0

(UTC 11:00 am - 01:15 pm)

1. Welcome note and setting the scene by 4per1000/GIZ (15 minutes Juliane Wiesenhuetter, GIZ and Paul Luu, \
4per1000)
2. Workshop presentation on Carbon Benefits Project, LandPKS and WOCAT (Eleanor Milne ,Colorado State \
University, Tatenda Lemann, WOCAT Executive Team and Jeff Herrick, LandPKS)

**Session 3:**

1. Final wrap-up of the workshop by 4p1000/GIZ (15 minutes)
2. Q&A on next steps for the CoP (15 minutes)

## Follow up

[[Follow up|Click here]] to to to the Follow up page to drop your questions and suggestions

## Sessions and topics

{{children}}

???
    Building on the success of the last event in October 2020, the Climate-Soil Community of Practice (CoP) \
and the 4 per 1000 Initiative are pleased to announce their next event.

    1. Farmer-led monitoring nested into national carbon monitoring platform (Burkina Faso)

    Throughout the workshop, the discussion will revolve around these guiding questions:

    - How does monitoring work on the ground?

## Proposed structure

???
    The event will take place on April 27 to 29 and will be structured as a three-day workshop.
"""
    assert not converted.notes and not converted.placeholders
    rendered = render(converted.markdown)
    assert rendered.count("<summary>Click here to expand...</summary>") == 2
    assert '<a class="wikilink" data-wikilink="Follow up" href="#">Click here</a>' in rendered
    assert '<div class="wiki-block" data-block="children" data-args=""></div>' in rendered


# -- pages that are not what they should be -------------------------------------------------


def test_unclosed_tags_and_unknown_elements(context):
    out = md("<p>Unclosed <b>bold <ac:thing>x</ac:thing><ul><li>item", context)
    assert out == "Unclosed\n\nbold x\n\n- item\n"


def test_a_large_page(context):
    paragraph = "<p>" + "Soil organic carbon monitoring. " * 32 + "</p>"
    page = paragraph * (1_048_576 // len(paragraph) + 1)
    assert md(page, context).count("\n\n") == page.count("<p>") - 1


def test_deeply_nested_lists(context, render):
    converted = convert("<ul><li>level" * 500 + "</li></ul>" * 500, context)
    items = [line for line in converted.markdown.splitlines() if line.lstrip().startswith("- ")]
    assert max(len(line) - len(line.lstrip()) for line in items) == 4 * (MAX_LIST_DEPTH - 1)
    assert converted.markdown.count("level") == 500
    assert render(converted.markdown).count("<ul>") == MAX_LIST_DEPTH


def test_a_page_nested_deeper_than_the_parser_reads(context):
    converted = convert("<div>" * 3000 + "deep text" + "</div>" * 3000 + "<p>after</p>", context)
    assert converted.markdown == "deep text\n\nafter\n"
    assert converted.notes == ["the page nests elements too deeply to convert: its text is kept as plain "
                               "paragraphs"]


def test_empty_and_unreadable_pages(context):
    assert md("", context) == "" and md("<html><body></body></html>", context) == ""
    with pytest.raises(ValueError, match="not UTF-8"):
        convert(b"<p>\xff</p>", context)
    with pytest.raises(ValueError, match="not text"):
        convert(42, context)
