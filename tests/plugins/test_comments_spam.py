"""Bad input and spam control: each refusal has a clear message and a 4xx
status, keeps the visitor's text, and stores nothing; a person writing at
human speed is never refused."""

import time
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, csrf_token
from test_comments import QUIET, all_comments, field_value, post, posted, stamp, textarea, view

from plugins.comments import spam
from plugins.comments.models import Comment
from wiki.extensions import db
from wiki.models import RateEvent, utcnow
from wiki.throttle import client_hash

pytestmark = pytest.mark.usefixtures("app")

TEXT = "Je viens demander comment s'inscrire car je vois pas de lien. <b>Merci</b> & à bientôt"


@pytest.fixture
def app(app_factory):
    app = app_factory(PLUGINS=["comments"], **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Workshop", "Agenda.\n")


def refused(response, status, message):
    """The form came back with ``message`` and the visitor's text."""
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    assert message in html
    assert 'class="notice warning comment-error" role="alert"' in html
    return html


# -- bad input ----------------------------------------------------------------------------


def test_empty_and_blank_comments_are_refused(client, page):
    for body in ("", "   \n\t  \n"):
        refused(post(client, page, body), 400, "Write something before posting: the comment is empty.")
    assert all_comments(page) == []


def test_a_comment_over_the_size_limit_is_refused_and_kept(app, client, page):
    app.config["COMMENTS_MAX_CHARS"] = 100
    body = TEXT + " " + "x" * 100
    html = refused(post(client, page, body), 413, "the limit is 100")
    assert textarea(html) == body
    assert all_comments(page) == []
    assert posted(client, page, "x" * 100).body == "x" * 100  # the limit itself is fine


def test_a_reply_to_a_comment_of_another_page_is_refused(client, page, make_page):
    other = make_page("Other page")
    foreign = posted(client, other, "On the other page")
    html = refused(post(client, page, TEXT, parent=foreign), 400, "belongs to another page")
    assert textarea(html) == TEXT
    assert field_value(html, "comment-parent_id") == ""  # sending again posts a new comment
    assert all_comments(page) == []


def test_a_reply_to_a_missing_comment_is_refused(client, page):
    for parent_id in ("9999", "not-a-number", "99999999999999999999999"):
        response = client.post(f"/comments/page/{page.slug}", data={
            "comment-body": TEXT, "comment-stamp": stamp(page), "comment-parent_id": parent_id})
        html = refused(response, 404, "The comment you replied to does not exist")
        assert textarea(html) == TEXT
    assert all_comments(page) == []


def test_a_reply_to_a_deleted_comment_is_refused_with_the_text(client, as_editor, page):
    parent = posted(as_editor, page, "Soon deleted")
    as_editor.post(f"/comments/{parent.id}/delete")
    html = refused(post(as_editor, page, TEXT, parent=parent), 404, "does not exist (any more)")
    assert textarea(html) == TEXT


def test_a_name_too_long_is_refused(client, page):
    html = refused(post(client, page, TEXT, name="N" * 61), 400, "Names are at most 60 characters.")
    assert textarea(html) == TEXT


def test_a_posted_comment_keeps_accents_and_drops_control_characters(client, page):
    comment = posted(client, page, "Été\x00 à Ouagadougou\x1b\r\nfin", name="Zoé\x07 K.")
    assert comment.body == "Été à Ouagadougou\nfin"
    assert comment.anon_name == "Zoé K."


# -- the signed form timestamp ------------------------------------------------------------


def test_a_missing_or_tampered_timestamp_is_refused(client, page):
    for value in ("", "garbage", "eyJwYWdlIjoxLCJ0IjoxfQ.forged-signature"):
        response = client.post(f"/comments/page/{page.slug}",
                               data={"comment-body": TEXT, "comment-stamp": value})
        html = refused(response, 400, "This form arrived incomplete or altered")
        assert textarea(html) == TEXT
        spam.check_stamp(field_value(html, "comment-stamp"), page.id)  # a fresh, valid one
    assert all_comments(page) == []


def test_a_timestamp_signed_with_another_key_is_refused(client, page):
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("not the secret", salt="comments.form-stamp").dumps(
        {"page": page.id, "t": int(time.time()) - 60})
    response = client.post(f"/comments/page/{page.slug}",
                           data={"comment-body": TEXT, "comment-stamp": forged})
    refused(response, 400, "incomplete or altered")


def test_a_timestamp_from_the_future_or_another_page_is_refused(client, page, make_page):
    other = make_page("Other page")
    refused(post(client, page, TEXT, age=-3600), 400, "This form arrived incomplete or altered")
    refused(post(client, other, TEXT, stamp=stamp(page)), 400, "This form belongs to another page")
    assert all_comments(page) == all_comments(other) == []


def test_an_expired_form_is_refused_and_comes_back_fresh(client, page):
    response = post(client, page, TEXT, age=2 * 3600 + 5)
    html = refused(response, 400, "This form was open too long and expired")
    assert textarea(html) == TEXT
    spam.check_stamp(field_value(html, "comment-stamp"), page.id)  # resend works at once
    assert posted(client, page, textarea(html)).body == TEXT


def test_an_expired_form_limit_follows_the_setting(app, client, page):
    app.config["COMMENTS_FORM_MAX_AGE"] = timedelta(minutes=5)
    refused(post(client, page, TEXT, age=301), 400, "expired")
    assert posted(client, page, TEXT, age=299).status == "visible"


@pytest.fixture
def timed(app):
    """The minimum time as configured by default (3 seconds)."""
    app.config["COMMENTS_MIN_SECONDS"] = 3
    return app


def test_a_post_faster_than_a_person_writes_is_refused(timed, client, page):
    form_stamp = stamp(page, age=1)
    response = client.post(f"/comments/page/{page.slug}",
                           data={"comment-body": TEXT, "comment-stamp": form_stamp})
    html = refused(response, 429, "That was faster than a person can write")
    assert response.headers["Retry-After"] in ("1", "2")  # seconds left of the 3
    assert textarea(html) == TEXT
    # The form keeps its original time: after a short wait, sending it again works.
    assert field_value(html, "comment-stamp") == form_stamp
    assert all_comments(page) == []


def test_a_post_at_human_speed_passes_every_rule(timed, client, page, monkeypatch):
    """Through the real form: shown, filled in for a few seconds, sent."""
    html = view(client, page)
    assert 'name="comment-website"' in html and 'class="comment-hp" aria-hidden="true"' in html
    data = {"comment-stamp": field_value(html, "comment-stamp"), "comment-parent_id": "",
            "comment-name": "Awa", "comment-body": TEXT, "comment-website": ""}
    # The spam rules' clock, four seconds later: the time it took to write.
    monkeypatch.setattr(spam, "time", SimpleNamespace(time=lambda: time.time() + 4))
    response = client.post(f"/comments/page/{page.slug}", data=data)
    assert response.status_code == 303
    assert [c.body for c in all_comments(page)] == [TEXT]


# -- honeypot ---------------------------------------------------------------------------------


def test_the_honeypot_field_refuses_bots(client, page):
    html = refused(post(client, page, TEXT, website="http://cheap-pills.example"), 400,
                   "the field marked “leave this empty” was filled in")
    assert textarea(html) == TEXT
    assert all_comments(page) == []


# -- rate limit -------------------------------------------------------------------------------


def from_address(app, address):
    """A browser at this IP address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def limited(app):
    app.config["COMMENTS_RATE_LIMIT"] = (3, 60)
    return app


def test_the_rate_limit_counts_posts_per_address(limited, app, page):
    visitor = from_address(app, "198.51.100.7")
    for n in range(3):
        posted(visitor, page, f"Comment {n}")
    response = post(visitor, page, TEXT)
    html = refused(response, 429, "You have posted 3 comments in the last minute")
    assert response.headers["Retry-After"] == "60"
    assert textarea(html) == TEXT
    assert len(all_comments(page)) == 3

    neighbour = from_address(app, "198.51.100.8")
    assert post(neighbour, page, "From another address").status_code == 303



def test_simultaneous_posts_cannot_slip_past_the_rate_limit(limited, app, page):
    import threading

    forms = [{"comment-body": f"Comment {n}", "comment-name": "", "comment-parent_id": "",
              "comment-stamp": stamp(page, 30)} for n in range(12)]
    url, statuses, start = f"/comments/page/{page.slug}", [], threading.Barrier(len(forms))

    def send(form):
        visitor = from_address(app, "198.51.100.7")
        start.wait()
        statuses.append(visitor.post(url, data=form).status_code)

    threads = [threading.Thread(target=send, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303] * 3 + [429] * 9
    assert len(all_comments(page)) == 3

def test_the_rate_limit_window_slides(limited, app, page):
    visitor = from_address(app, "198.51.100.7")
    for n in range(3):
        posted(visitor, page, f"Comment {n}")
    assert post(visitor, page, TEXT).status_code == 429
    posts = RateEvent.bucket == "comment"
    db.session.execute(sa.update(RateEvent).where(posts).values(created_at=utcnow() - timedelta(seconds=61)))
    db.session.commit()
    assert post(visitor, page, TEXT).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(RateEvent.id)).where(posts)) == 1  # old rows pruned


def test_refused_posts_do_not_count_against_the_limit(limited, app, page):
    visitor = from_address(app, "198.51.100.7")
    for _ in range(3):
        post(visitor, page, "   ")  # empty: refused before the rate limit
    for n in range(3):
        posted(visitor, page, f"Comment {n}")


def test_moderators_are_not_rate_limited(limited, as_editor, page):
    for n in range(5):
        posted(as_editor, page, f"Organiser answer {n}")


def test_addresses_are_stored_only_as_keyed_hashes(limited, app, page):
    address = "203.0.113.77"
    visitor = from_address(app, address)
    first = posted(visitor, page, "One")
    second = posted(visitor, page, "Two")
    assert first.ip_hash == second.ip_hash == client_hash(address)
    assert len(first.ip_hash) == 64 and address not in first.ip_hash
    rows = [*db.session.execute(sa.select(Comment.__table__)),
            *db.session.execute(sa.select(RateEvent.__table__))]
    assert rows and not [row for row in rows if address in str(tuple(row))]
    # Keyed with the site's secret: another wiki gets another hash for the same address.
    secret = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another secret"
    assert client_hash(address) != first.ip_hash
    app.config["SECRET_KEY"] = secret


# -- links: held for moderation --------------------------------------------------------------


def test_anonymous_comments_with_many_links_wait_for_a_moderator(client, page):
    two = posted(client, page, "See https://example.org/a and [this](https://example.org/b)")
    assert two.status == "visible"
    three = posted(client, page, "Buy https://a.example.org https://b.example.org [c](https://c.example.org)")
    assert three.status == "held"
    html = view(client, page)
    assert "Your comment is waiting for a moderator. Anonymous comments with more than 2 links" in html
    assert "awaiting approval" in html  # its author (this browser) sees it, marked
    other = view(client.application.test_client(), page)
    assert "Buy" not in other and "See" in other


def test_members_may_post_links(as_member, page):
    assert posted(as_member, page, " ".join(f"https://example.org/{n}" for n in range(5))).status == "visible"


def test_the_link_limit_follows_the_setting(app, client, page):
    app.config["COMMENTS_MAX_LINKS_ANONYMOUS"] = 0
    assert posted(client, page, "Only https://example.org").status == "held"


# -- CSRF ------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(app_factory, tmp_path, monkeypatch):
    """A wiki that checks CSRF tokens, as in production, and an editor's client."""
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path / "csrf"))
    app = app_factory(PLUGINS=["comments"], WTF_CSRF_ENABLED=True, **QUIET)
    with app.app_context():
        from wiki import services
        from wiki.accounts import create_user

        editor = create_user("editor", PASSWORD, "editor")
        services.create_page("Target", "text\n", editor)
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token})
    return app, client


def test_a_comment_without_its_csrf_token_is_refused_and_kept(csrf_client):
    app, client = csrf_client
    with app.app_context():
        html = view(client, _target())
        data = {"comment-body": "tiny", "comment-stamp": field_value(html, "comment-stamp")}
        response = client.post("/comments/page/target", data=data)
        page_html = refused(response, 400, "sent without its security token")
        assert textarea(page_html) == "tiny"  # even a short text comes back
        assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0

        # The form shown again carries a token: sending it goes through.
        data["comment-csrf_token"] = field_value(page_html, "comment-csrf_token")
        assert client.post("/comments/page/target", data=data).status_code == 303


def test_comment_actions_need_the_csrf_token(csrf_client):
    app, client = csrf_client
    with app.app_context():
        html = view(client, _target())
        token = field_value(html, "comment-csrf_token")
        client.post("/comments/page/target", data={
            "comment-body": "A comment", "comment-stamp": field_value(html, "comment-stamp"),
            "comment-csrf_token": token})
        comment = db.session.scalar(sa.select(Comment))
        for action in ("hide", "delete"):
            assert client.post(f"/comments/{comment.id}/{action}").status_code == 400
        edit = client.post(f"/comments/{comment.id}/edit", data={"comment-body": "Changed text"})
        assert edit.status_code == 400 and textarea(edit.get_data(as_text=True)) == "Changed text"
        assert client.post("/comments/page/target/closed", data={"closed": "1"}).status_code == 400
        db.session.expire_all()
        assert (comment.status, comment.body) == ("visible", "A comment")
        assert "Comments are closed" not in view(client, _target())

        assert client.post(f"/comments/{comment.id}/hide", data={"csrf_token": token}).status_code == 303
        db.session.expire_all()
        assert comment.status == "hidden"


def _target():
    from wiki import services

    return services.find_page("target")[0]


def test_comments_and_sign_ins_share_one_limiter_and_one_hash_of_the_address(app, users, page):
    visitor = from_address(app, "198.51.100.42")
    visitor.post("/login", data={"username": "member", "password": "wrong password"})
    posted(visitor, page, "Hello.")
    buckets = set(db.session.scalars(sa.select(RateEvent.bucket)))
    assert {"login", "login-ip", "comment"} <= buckets
    comment = db.session.scalar(sa.select(Comment))
    assert comment.ip_hash == client_hash("198.51.100.42")
