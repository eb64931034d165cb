"""The comments plugin: anonymous and signed comments under each page, nested
and numbered like the seed page's thread, safe Markdown, visibility of
members-only pages everywhere (page, home, feed), events for other plugins,
and a wiki that runs without the plugin.

The helpers here (``post``, ``Thread``...) serve the other test_comments_*
modules too."""

import re
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from support.recorder_plugin import Recorder

from plugins.comments import spam
from plugins.comments.models import Comment
from wiki import services
from wiki.extensions import db
from wiki.hookspecs import hookimpl
from wiki.models import User

pytestmark = pytest.mark.usefixtures("app")

ATOM = "{http://www.w3.org/2005/Atom}"
# Spam rules that get in the way of tests about something else.
QUIET = {"COMMENTS_MIN_SECONDS": 0, "COMMENTS_RATE_LIMIT": (1000, 60)}


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def app(app_factory, recorder):
    """Only this plugin (and a recorder of its events). The time rule and the
    rate limit are off except where they are under test (test_comments_spam.py)."""
    app = app_factory(PLUGINS=["comments"], EXTRA_PLUGINS=[recorder], **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Workshop April 2021", "Agenda.\n")


# -- helpers shared by the comment test modules -------------------------------------


def stamp(page, age=30):
    """The signed timestamp of a comment form shown ``age`` seconds ago."""
    return spam.make_stamp(page.id, now=time.time() - age)


def post(client, page, body, parent=None, name="", age=30, **fields):
    """Send the comment form of ``page`` as a browser would."""
    data = {"comment-body": body, "comment-name": name, "comment-stamp": stamp(page, age),
            "comment-parent_id": parent.id if parent is not None else "",
            **{f"comment-{key}": value for key, value in fields.items()}}
    return client.post(f"/comments/page/{page.slug}", data=data)


def posted(client, page, body, **kwargs):
    """Post, check it went through, return the new comment."""
    response = post(client, page, body, **kwargs)
    assert response.status_code == 303, response.get_data(as_text=True)
    comment_id = int(response.headers["Location"].rsplit("#comment-", 1)[1])
    return db.session.get(Comment, comment_id)


def all_comments(page):
    return db.session.scalars(sa.select(Comment).where(Comment.page_id == page.id)
                              .order_by(Comment.id)).all()


def view(client, page, **args):
    response = client.get(f"/wiki/{page.slug}", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def textarea(html, name="comment-body"):
    """What a form's textarea holds, unescaped (what the browser shows)."""
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no {name} textarea"
    return match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"') \
        .replace("&#39;", "'").replace("&amp;", "&")


def field_value(html, name):
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


class Elements(HTMLParser):
    """The tags, attribute names and link targets of some HTML."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self._attributes, self.hrefs = set(), [], []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._attributes += [(tag, name) for name, _ in attrs]
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href"]

    def attributes(self):
        return self._attributes


class Thread(HTMLParser):
    """The comments of a page as rendered: for each comment id, its number,
    the comment it sits under (nesting), its list depth and its classes."""

    VOID = {"br", "hr", "img", "input", "meta", "link"}

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.stack, self.items, self.order, self._numbering = [], {}, [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        comment_id = None
        if tag == "li" and re.fullmatch(r"comment-\d+", attrs.get("id", "")) \
                and "comment" in attrs.get("class", "").split():
            comment_id = int(attrs["id"].split("-")[1])
            enclosing = [c for t, c in self.stack if t == "li" and c is not None]
            self.items[comment_id] = {
                "under": enclosing[-1] if enclosing else None,
                "depth": sum(1 for t, _ in self.stack if t == "ol"),
                "classes": attrs["class"].split(),
            }
            self.order.append(comment_id)
        if tag == "a" and "comment-number" in attrs.get("class", ""):
            self._numbering = self.order[-1]
        if tag not in self.VOID:
            self.stack.append((tag, comment_id))

    def handle_data(self, data):
        if self._numbering is not None:
            self.items[self._numbering]["number"] = data.strip()
            self._numbering = None

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def numbers(self):
        """Numbers in reading order."""
        return [self.items[c]["number"] for c in self.order]

    def number(self, comment):
        return self.items[comment.id]["number"]


# -- posting: anonymous and signed ----------------------------------------------------


def test_anonymous_visitor_posts_under_a_chosen_name(client, page):
    response = post(client, page, "Bonjour à toute l'équipe d'organisation.", name="Awa")
    assert response.status_code == 303
    comment = all_comments(page)[0]
    assert response.headers["Location"].endswith(f"/wiki/{page.slug}#comment-{comment.id}")
    assert comment.author_id is None and comment.anon_name == "Awa" and comment.status == "visible"

    html = view(client, page)
    assert "Your comment was posted." in html
    assert '<span class="comment-author guest">Awa <span class="author-badge"' in html
    assert "(guest)</span>" in html
    assert "<p>Bonjour à toute l&#39;équipe d&#39;organisation.</p>" in html \
        or "<p>Bonjour à toute l'équipe d'organisation.</p>" in html
    assert '<a class="comment-count" href="#comments">1 comment</a>' in html
    assert f'id="comment-{comment.id}"' in html  # the permalink anchor


def test_anonymous_visitor_without_a_name_is_anonymous(client, page):
    posted(client, page, "Soils are crucial for society development.")
    html = view(client, page)
    assert '<span class="comment-author guest">Anonymous</span>' in html


def test_member_comments_under_their_display_name(as_member, page):
    comment = posted(as_member, page, "Thanks for this opportunity.", name="Admin Person")
    assert comment.author.username == "member" and comment.anon_name == ""  # the name field is ignored
    assert comment.edit_token_hash is None  # members edit through their account
    html = view(as_member, page)
    assert ('<span class="comment-author member">Member Person <span class="author-badge" '
            'title="Signed-in member">member</span></span>') in html
    assert "Admin Person" not in html.split('id="comments"')[1]


def test_a_guest_cannot_pass_for_a_member(client, users, page):
    """A visitor typing a member's name gets the guest marker, never the member's."""
    posted(client, page, "I am the member, honest.", name="Member Person")
    html = view(client, page)
    assert '<span class="comment-author guest">Member Person <span class="author-badge"' in html
    assert 'class="comment-author member"' not in html
    feed = client.get("/comments.atom").get_data(as_text=True)
    assert "<name>Member Person (guest)</name>" in feed


def test_each_comment_shows_author_relative_and_absolute_time(client, page):
    comment = posted(client, page, "When does session 2 start?")
    html = view(client, page)
    item = html.split(f'id="comment-{comment.id}"')[1].split("</header>")[0]
    assert f'<time datetime="{comment.created_at.isoformat()}Z"' in item
    assert f'title="{comment.created_at:%b %-d, %Y %-I:%M\u202f%p} UTC">just now</time>' in item


# -- nesting and numbering ---------------------------------------------------------------


SEED = [  # the thread of ../shared/seeds/workshop-page.txt, abridged
    ("Bonjour à toute l'équipe d'organisation. Je viens demander comment s'inscrire.", "", None),
    ("Thanks very much for linking us with this wonderful capacity building opportunity.", "", None),
    ("Nous sommes tellement intéressés de pouvoir participer à cette noble session.", "", None),
    ("Soils are crucial for society development.", "", None),
    ("I get an error when trying to join the sessions", "", None),
    ("I have been unable to join the session, and repeatedly receive an error message",
     "Noel Oettle", None),
    ("Me too. I am getting this error", "", 6),
    ("Same here in Germany", "", None),
]


def test_the_seed_thread_is_numbered_and_nested_like_the_original(client, page):
    made = []
    for body, name, reply_to in SEED:
        parent = made[reply_to - 1] if reply_to else None
        made.append(posted(client, page, body, name=name, parent=parent))
    html = view(client, page)
    thread = Thread(html)
    assert thread.numbers() == ["1", "2", "3", "4", "5", "6", "6.1", "7"]
    me_too = made[6]
    assert thread.items[me_too.id]["under"] == made[5].id  # nested under comment 6
    assert thread.items[me_too.id]["depth"] == 2
    assert "Nous sommes tellement intéressés" in html and "Noel Oettle" in html


def test_replies_to_replies_are_numbered_by_their_path(client, page):
    first = posted(client, page, "First")
    second = posted(client, page, "Second")
    reply = posted(client, page, "Reply to second", parent=second)
    posted(client, page, "Another reply to second", parent=second)
    deeper = posted(client, page, "Reply to the reply", parent=reply)
    posted(client, page, "Reply to first", parent=first)
    thread = Thread(view(client, page))
    assert thread.numbers() == ["1", "1.1", "2", "2.1", "2.1.1", "2.2"]
    assert thread.items[deeper.id]["under"] == reply.id


def test_deep_replies_stop_indenting_but_keep_their_parent(client, page):
    chain = [posted(client, page, "Level 1")]
    for level in range(2, 8):
        chain.append(posted(client, page, f"Level {level}", parent=chain[-1]))
    assert [c.parent_id for c in chain[1:]] == [c.id for c in chain[:-1]]  # stored exactly

    html = view(client, page)
    thread = Thread(html)
    assert thread.numbers() == ["1", "1.1", "1.1.1", "1.1.1.1", "1.1.1.1.1", "1.1.1.1.1.1",
                                "1.1.1.1.1.1.1"]
    depths = [thread.items[c.id]["depth"] for c in chain]
    assert depths == [1, 2, 3, 4, 4, 4, 4]  # at most 4 levels of indentation
    level5 = html.split(f'id="comment-{chain[4].id}"')[1].split("</header>")[0]
    assert (f'in reply to <a href="#comment-{chain[3].id}">1.1.1.1</a>') in level5
    level4 = html.split(f'id="comment-{chain[3].id}"')[1].split("</header>")[0]
    assert "in reply to" not in level4  # its nesting already says it


def test_reply_link_opens_the_form_for_that_comment_without_javascript(client, page):
    for n in range(1, 7):
        target = posted(client, page, f"Comment {n}")
    html = view(client, page)
    assert (f'href="/wiki/{page.slug}?reply_to={target.id}#comment-form"') in html

    form = view(client, page, reply_to=target.id)
    assert field_value(form, "comment-parent_id") == str(target.id)
    assert f'Reply to comment <a href="/wiki/{page.slug}#comment-{target.id}">6</a>' in form
    assert "Post reply" in form


def test_the_post_address_leads_back_to_the_form(client, page):
    """Reloading the address of a refused post (a GET) shows the page's form."""
    response = client.get(f"/comments/page/{page.slug}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/wiki/{page.slug}#comment-form")


def test_reply_to_with_a_foreign_or_missing_id_shows_the_plain_form(client, page, make_page):
    other = make_page("Other page")
    foreign = posted(client, other, "Elsewhere")
    for reply_to in (foreign.id, 9999, "x"):
        form = view(client, page, reply_to=reply_to)
        assert field_value(form, "comment-parent_id") == ""
        assert "Add a comment" in form


def test_javascript_and_styles_come_from_the_plugin_without_inline_script(client, page):
    html = view(client, page)
    assert '<script src="/plugins/comments/static/comments.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/plugins/comments/static/comments.css">' in html
    with client.get("/plugins/comments/static/comments.js") as script:
        assert script.status_code == 200 and "addEventListener" in script.get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert not [a for _, a in Elements(html).attributes() if a.startswith("on")]


# -- Markdown: the safe subset -------------------------------------------------------------


def test_comment_markdown_keeps_the_safe_subset(client, page):
    body = ("*emphasis* and **strong**, `code`\n\n"
            "> a quote\n\n"
            "- one\n- two\n\n"
            "1. first\n2. second\n\n"
            "[the agenda](https://example.org/agenda) and https://example.org/bare\n\n"
            "```\nprint('hi')\n```\n\n"
            "Noel Oettle\nSouth Africa")
    comment = posted(client, page, body)
    html = comment.html
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<blockquote>\n<p>a quote</p>\n</blockquote>" in html
    assert "<ul>\n<li>one</li>" in html and "<ol>\n<li>first</li>" in html
    assert '<a href="https://example.org/agenda" rel="nofollow ugc noopener">the agenda</a>' in html
    assert '<a href="https://example.org/bare" rel="nofollow ugc noopener">' in html
    assert "<pre><code>print(&#39;hi&#39;)\n</code></pre>" in html or \
        "<pre><code>print('hi')\n</code></pre>" in html
    assert "Noel Oettle<br>\nSouth Africa" in html  # line breaks are kept, as typed
    assert comment.html in view(client, page)


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="https://evil.example" onclick="steal()">raw link</a>',
    "<iframe src=https://evil.example></iframe>",
    "<svg onload=alert(1)>",
    '<div style="position:fixed;inset:0">overlay</div>',
    "![tracker](https://evil.example/pixel.png)",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
    "<!-- hidden --><style>body{display:none}</style>",
]


def test_hostile_markup_is_shown_as_text_or_dropped(client, page):
    for body in HOSTILE:
        html = posted(client, page, f"Look: {body}").html
        elements = Elements(html)
        assert elements.tags <= {"p", "a", "br", "em", "strong", "code", "pre", "ul", "ol", "li",
                                 "blockquote"}, body
        assert {name for _, name in elements.attributes()} <= {"href", "title", "rel", "start"}, body
        assert all(href.startswith("https://") for href in elements.hrefs), body
        assert "Look:" in html


def test_headings_and_tables_are_plain_text_in_comments(client, page):
    comment = posted(client, page, "# 1 Question\n\n| a | b |\n|---|---|")
    assert "<h1" not in comment.html and "<table" not in comment.html
    assert "# 1 Question" in comment.html


# -- permalinks and counts ---------------------------------------------------------------


def test_permalink_survives_a_page_rename(client, page, users):
    comment = posted(client, page, "Still here after the rename")
    editor = db.session.get(User, users["editor"])
    services.change_settings(page, editor, title="Workshop 2021", slug="workshop-2021")
    response = client.get(f"/comments/{comment.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/wiki/workshop-2021#comment-{comment.id}")
    assert client.get("/comments/99999").status_code == 404


def test_count_counts_what_every_reader_sees(as_editor, page):
    first = posted(as_editor, page, "Visible one")
    posted(as_editor, page, "Visible two")
    as_editor.post(f"/comments/{first.id}/hide")
    html = view(as_editor, page)
    assert '<a class="comment-count" href="#comments">1 comment</a>' in html
    assert '1 held or hidden</a>' in html  # moderators see what waits for them
    as_editor.post("/logout")
    html = view(as_editor, page)
    assert '1 comment</a>' in html and "held or hidden" not in html


# -- visibility ---------------------------------------------------------------------------


def test_members_only_comments_never_reach_anonymous_visitors(client, auth, make_page):
    secret = make_page("Board minutes", visibility="members")
    public = make_page("Open page")
    auth.login("member")
    hidden_comment = posted(client, secret, "Confidential budget remark")
    posted(client, public, "A public remark")
    for where in ("/", "/comments.atom"):
        assert "Confidential budget remark" in client.get(where).get_data(as_text=True)

    auth.logout()
    assert client.get(f"/wiki/{secret.slug}").status_code == 404
    assert client.get(f"/comments/{hidden_comment.id}").status_code == 404
    for where in ("/", "/comments.atom"):
        text = client.get(where).get_data(as_text=True)
        assert "A public remark" in text
        assert "Confidential" not in text and "Board minutes" not in text
    # Nor can they post there: the page does not exist for them.
    response = post(client, secret, "Anonymous attempt on a members-only page")
    assert response.status_code == 404
    assert [c.body for c in all_comments(secret)] == ["Confidential budget remark"]
    assert client.get(f"/comments/{hidden_comment.id}/edit").status_code == 404


def test_comments_of_deleted_pages_leave_home_and_feed(client, page, users):
    posted(client, page, "On a page about to go")
    services.delete_page(page, db.session.get(User, users["editor"]))
    assert "On a page about to go" not in client.get("/comments.atom").get_data(as_text=True)
    assert "On a page about to go" not in client.get("/").get_data(as_text=True)
    assert post(client, page, "Too late").status_code == 404


# -- home page and feed ----------------------------------------------------------------------


def test_home_lists_recent_visible_comments(as_editor, page):
    posted(as_editor, page, "An **early** comment")
    hidden = posted(as_editor, page, "A comment to hide")
    as_editor.post(f"/comments/{hidden.id}/hide")
    as_editor.post("/logout")
    html = as_editor.get("/").get_data(as_text=True)
    section = html.split('class="recent-comments"')[1]
    assert "An early comment" in section  # an excerpt: plain text
    assert f'href="/wiki/{page.slug}#comment-' in section
    assert "A comment to hide" not in section
    assert 'href="/comments.atom"' in section


def test_feed_is_atom_with_the_newest_visible_comments(as_editor, page, make_page):
    other = make_page("Follow up")
    older = posted(as_editor, page, "Older <b>tag</b> & *emphasis*")
    newer = posted(as_editor, other, "Newer question")
    held = posted(as_editor, page, "Soon hidden")
    as_editor.post(f"/comments/{held.id}/hide")
    deleted = posted(as_editor, page, "Soon deleted")
    as_editor.post(f"/comments/{deleted.id}/delete")
    as_editor.post("/logout")

    response = as_editor.get("/comments.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    raw = response.get_data(as_text=True)
    feed = ET.fromstring(response.data)  # noqa: S314 - our own feed; parsing proves it well-formed
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == "http://localhost/comments.atom"
    assert feed.find(f"{ATOM}updated").text.endswith("Z")
    entries = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}link").get("href") for e in entries] == [
        f"http://localhost/wiki/{other.slug}#comment-{newer.id}",
        f"http://localhost/wiki/{page.slug}#comment-{older.id}",
    ]
    first = entries[1]
    assert first.find(f"{ATOM}id").text == f"http://localhost/comments/{older.id}"
    assert first.find(f"{ATOM}author/{ATOM}name").text == "Editor Person"
    assert first.find(f"{ATOM}title").text == "Editor Person on “Workshop April 2021”"
    content = first.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert content.text == older.html  # the sanitized HTML, as text ...
    assert "&lt;em&gt;emphasis&lt;/em&gt;" in raw and "<em>" not in raw  # ... escaped in the XML
    assert "&amp;lt;b&amp;gt;" in raw  # the typed tag was text, and stays text
    assert "Soon hidden" not in raw and "Soon deleted" not in raw


def test_feed_of_an_empty_wiki_is_valid(client):
    feed = ET.fromstring(client.get("/comments.atom").data)  # noqa: S314 - our own feed
    assert feed.findall(f"{ATOM}entry") == []
    assert feed.find(f"{ATOM}title").text == "Recent comments · Wiki"


# -- events for other plugins -------------------------------------------------------------------


def test_each_change_fires_its_event_in_order(as_editor, page, recorder):
    comment = posted(as_editor, page, "Original")
    as_editor.post(f"/comments/{comment.id}/edit", data={"comment-body": "Changed"})
    as_editor.post(f"/comments/{comment.id}/hide")
    as_editor.post(f"/comments/{comment.id}/show")
    as_editor.post(f"/comments/{comment.id}/delete")
    events = [(name, args) for name, args in recorder.calls if name.startswith("comment_")]
    assert events == [(name, {"id": comment.id}) for name in (
        "comment_posted", "comment_edited", "comment_hidden", "comment_shown", "comment_deleted")]


class CommittedProbe:
    """Reads the comment through a connection of its own: only committed rows."""

    def __init__(self):
        self.seen = []

    def _committed_status(self, comment):
        with db.engine.connect() as connection:
            return connection.scalar(sa.select(Comment.status).where(Comment.id == comment.id))

    @hookimpl
    def comment_posted(self, comment):
        self.seen.append(("posted", self._committed_status(comment)))

    @hookimpl
    def comment_hidden(self, comment):
        self.seen.append(("hidden", self._committed_status(comment)))


def test_events_see_the_committed_comment(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "probe"))
    probe = CommittedProbe()
    app = app_factory(PLUGINS=["comments"], EXTRA_PLUGINS=[probe], **QUIET)
    with app.app_context():
        from plugins.comments import service

        page = services.create_page("Probe", "x\n", None)
        comment = service.post_comment(page, app.login_manager.anonymous_user(), "Hello").comment
        service.hide_comment(comment)
        db.session.remove()
    assert probe.seen == [("posted", "visible"), ("hidden", "hidden")]


# -- the plugin's place in the wiki ------------------------------------------------------------


def test_the_wiki_runs_without_the_comments_plugin(app_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "without-comments"))
    app = app_factory(DISABLED_PLUGINS=["comments"])
    with app.app_context():
        services.create_page("Quiet page", "No comments here.\n", None)
        assert not sa.inspect(db.engine).has_table("comments_comment")
    client = app.test_client()
    html = client.get("/wiki/quiet-page").get_data(as_text=True)
    assert "No comments here." in html
    assert "comment-form" not in html and "comments.js" not in html
    assert client.get("/").status_code == 200
    assert client.get("/comments.atom").status_code == 404
    assert client.post("/comments/page/quiet-page", data={"comment-body": "x"}).status_code == 404


def test_the_comment_tables_can_be_dropped_before_disabling(app):
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "comments@base"])
    assert result.exit_code == 0, result.output
    tables = sa.inspect(db.engine).get_table_names()
    assert not [t for t in tables if t.startswith("comments_")]


@pytest.mark.parametrize("setting", [{"COMMENTS_ANONYMOUS": "sometimes"},
                                     {"COMMENTS_RATE_LIMIT": 5}])
def test_impossible_settings_fail_at_startup(app_factory, tmp_path, monkeypatch, setting):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "bad-settings"))
    with pytest.raises(ValueError, match=next(iter(setting))):
        app_factory(PLUGINS=["comments"], **setting)
