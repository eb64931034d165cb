"""Cached page views: invalidated by any change, per reader, tokens always fresh."""

import re

from conftest import PASSWORD

from wiki import services
from wiki.extensions import db
from wiki.models import User

STAMP = re.compile(r'name="comment-stamp" type="hidden" value="([^"]+)"')
TOKEN = re.compile(r'name="comment-csrf_token" type="hidden" value="([^"]+)"')


def test_a_change_shows_at_once(client, make_page, users):
    page = make_page("Cached", "First text.\n")
    assert "First text." in client.get("/wiki/cached").get_data(as_text=True)
    assert "First text." in client.get("/wiki/cached").get_data(as_text=True)  # from the cache
    services.save_page(page, "Second text.\n", db.session.get(User, users["editor"]), base_number=1)
    assert "Second text." in client.get("/wiki/cached").get_data(as_text=True)
    make_page("New child", parent=page)  # another page's change shows too
    assert "New child" in client.get("/wiki/cached").get_data(as_text=True)


def test_repeated_views_do_not_render_again(app, client, make_page, monkeypatch):
    make_page("Once", "Text.\n")
    client.get("/wiki/once")
    monkeypatch.setattr("wiki.views.pages.finish_html", lambda *a: (_ for _ in ()).throw(AssertionError))
    assert client.get("/wiki/once").status_code == 200


def test_each_reader_gets_their_own_view(app, make_page):
    make_page("Shared", "Text.\n")
    member, editor = app.test_client(), app.test_client()
    from wiki.accounts import create_user

    create_user("second", PASSWORD, "member", display_name="Second Member")
    member.post("/login", data={"username": "member", "password": PASSWORD})
    editor.post("/login", data={"username": "editor", "password": PASSWORD})
    other = app.test_client()
    other.post("/login", data={"username": "second", "password": PASSWORD})
    for _ in range(2):
        assert "Member Person" in member.get("/wiki/shared").get_data(as_text=True)
        assert "Second Member" in other.get("/wiki/shared").get_data(as_text=True)
        html = editor.get("/wiki/shared").get_data(as_text=True)
        assert "Editor Person" in html and ">Edit</a>" in html


def test_forms_in_a_cached_view_carry_fresh_tokens(app_factory, make_page):
    app = app_factory(WTF_CSRF_ENABLED=True, COMMENTS_MIN_SECONDS=0)
    with app.app_context():
        services.create_page("Talk", "Say something.\n", None)
    first, second = app.test_client(), app.test_client()
    a = first.get("/wiki/talk").get_data(as_text=True)
    b = second.get("/wiki/talk").get_data(as_text=True)  # served from the cache
    assert TOKEN.search(a).group(1) != TOKEN.search(b).group(1)  # each session its own token
    assert "wiki-fresh-" not in b  # no placeholder left behind
    for client, html in ((first, a), (second, b)):
        response = client.post("/comments/page/talk", data={
            "comment-body": "Hello from a cached page.", "comment-stamp": STAMP.search(html).group(1),
            "comment-csrf_token": TOKEN.search(html).group(1), "comment-name": "",
            "comment-parent_id": "", "comment-website": ""})
        assert response.status_code == 303, response.get_data(as_text=True)


def test_the_comment_form_timestamp_is_made_for_each_view(app_factory, monkeypatch):
    import time

    app = app_factory()
    with app.app_context():
        services.create_page("Stamps", "x\n", None)
    client = app.test_client()
    first = STAMP.search(client.get("/wiki/stamps").get_data(as_text=True)).group(1)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 60)
    second = STAMP.search(client.get("/wiki/stamps").get_data(as_text=True)).group(1)
    assert first != second


def test_personal_views_are_not_cached(client, make_page, monkeypatch):
    make_page("Personal", "x\n")
    client.get("/wiki/personal")
    calls = []
    real = __import__("wiki.views.pages", fromlist=["finish_html"]).finish_html
    monkeypatch.setattr("wiki.views.pages.finish_html", lambda *a: calls.append(1) or real(*a))
    client.get("/wiki/personal?reply_to=1")  # a query string
    client.set_cookie("comments-token-1", "secret")  # a plugin's own cookie
    client.get("/wiki/personal")
    assert len(calls) == 2
