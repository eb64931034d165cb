"""Who may change what: authors edit and delete their own comments (anonymous
ones through the token their browser keeps), moderators hide, unhide,
approve and delete, the wiki-wide anonymous setting and per-page closing."""

from datetime import timedelta

import pytest
from test_comments import QUIET, Thread, all_comments, post, posted, textarea, view

from plugins.comments.models import Comment
from wiki.extensions import db

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def app(app_factory):
    app = app_factory(PLUGINS=["comments"], **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def page(make_page):
    return make_page("Workshop", "Agenda.\n")


def sign_in(client, auth, role):
    auth.logout()
    if role:
        auth.login(role)
    return client


def reload(comment):
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


# -- moderation, role by role -------------------------------------------------------------

ROLES = [None, "member", "editor", "admin"]
MODERATES = {None: False, "member": False, "editor": True, "admin": True}


@pytest.mark.parametrize("role", ROLES)
def test_only_editors_and_admins_hide_and_unhide(client, auth, page, role):
    comment = posted(client, page, "Off-topic advertisement")
    sign_in(client, auth, role)
    hide = client.post(f"/comments/{comment.id}/hide")
    if not MODERATES[role]:
        assert hide.status_code == (302 if role is None else 403)  # anonymous: sign in first
        assert reload(comment).status == "visible"
        assert client.get("/comments/moderation").status_code == (302 if role is None else 403)
        return
    assert hide.status_code == 303
    assert reload(comment).status == "hidden"
    assert client.post(f"/comments/{comment.id}/show").status_code == 303
    assert reload(comment).status == "visible"


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_hidden_comment(app, client, auth, users, page, role):
    """Moderators (marked as hidden) and its author; nobody else."""
    sign_in(client, auth, "member")
    comment = posted(client, page, "Hidden remark")
    sign_in(client, auth, "editor")
    client.post(f"/comments/{comment.id}/hide")
    sign_in(client, auth, role)
    html = view(client, page)
    if role in ("member", "editor", "admin"):
        assert "Hidden remark" in html and "hidden by a moderator" in html
    else:
        assert "Hidden remark" not in html
    assert ("Unhide" in html) == MODERATES[role]


def test_the_moderation_queue_approves_hides_and_deletes(app, client, as_editor, page):
    app.config["COMMENTS_ANONYMOUS"] = "moderated"
    visitor = app.test_client()
    held = posted(visitor, page, "Waiting for approval")
    spam = posted(visitor, page, "Cheap pills")
    rude = posted(as_editor, page, "Rude remark")
    as_editor.post(f"/comments/{rude.id}/hide")

    html = as_editor.get("/comments/moderation").get_data(as_text=True)
    queued = Thread(html).order
    assert queued == [spam.id, held.id, rude.id]  # held first (newest first), then hidden
    assert "awaiting approval" in html and "hidden by a moderator" in html
    assert f'action="/comments/{held.id}/show"' in html and ">Approve</button>" in html
    assert f'action="/comments/{rude.id}/show"' in html and ">Unhide</button>" in html

    approve = as_editor.post(f"/comments/{held.id}/show", data={"back": "queue"})
    assert approve.status_code == 303 and approve.headers["Location"].endswith("/comments/moderation")
    as_editor.post(f"/comments/{spam.id}/delete", data={"back": "queue"})
    as_editor.post(f"/comments/{rude.id}/show", data={"back": "queue"})
    assert [reload(c).status for c in (held, spam, rude)] == ["visible", "deleted", "visible"]
    assert "No comment is waiting" in as_editor.get("/comments/moderation").get_data(as_text=True)
    assert "Waiting for approval" in view(visitor, page)


def test_the_queue_leaves_out_deleted_pages(client, as_editor, page, make_page, users):
    from wiki import services
    from wiki.models import User

    gone = make_page("Gone")
    comment = posted(as_editor, gone, "On a page being deleted")
    as_editor.post(f"/comments/{comment.id}/hide")
    services.delete_page(gone, db.session.get(User, users["editor"]))
    assert "On a page being deleted" not in as_editor.get("/comments/moderation").get_data(as_text=True)


# -- the wiki-wide setting for anonymous comments -----------------------------------------------


def test_moderated_mode_holds_anonymous_comments_until_approved(app, client, auth, page):
    app.config["COMMENTS_ANONYMOUS"] = "moderated"
    html = view(client, page)
    assert "appear once a moderator approves them" in html
    comment = posted(client, page, "Nous sommes tellement intéressés")
    assert comment.status == "held"
    html = view(client, page)
    assert "Your comment is waiting for a moderator." in html
    assert "awaiting approval" in html  # its author sees it, marked
    assert "0 comments" in html

    stranger = app.test_client()
    assert "Nous sommes" not in view(stranger, page)
    sign_in(client, auth, "member")
    assert posted(client, page, "Members are not held").status == "visible"
    sign_in(client, auth, "editor")
    client.post(f"/comments/{comment.id}/show")
    assert "Nous sommes tellement intéressés" in view(stranger, page)


def test_off_mode_asks_visitors_to_sign_in(app, client, auth, page):
    app.config["COMMENTS_ANONYMOUS"] = "off"
    html = view(client, page)
    assert "Sign in to comment</a>" in html
    assert 'id="comment-form"' not in html
    text = "I would like to register for the workshop, where is the link?"
    response = post(client, page, text)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Sign in to comment" in html and text in html  # the text is kept to copy
    assert all_comments(page) == []
    sign_in(client, auth, "member")
    assert 'id="comment-form"' in view(client, page)
    assert posted(client, page, "As a member").status == "visible"


# -- closing a page to comments ------------------------------------------------------------------


def test_an_editor_closes_and_reopens_a_page(app, client, auth, page):
    first = posted(client, page, "Before closing")
    sign_in(client, auth, "editor")
    response = client.post(f"/comments/page/{page.slug}/closed", data={"closed": "1"})
    assert response.status_code == 303
    assert "Comments are closed to readers" in view(client, page)
    assert posted(client, page, "Organisers may still answer").status == "visible"

    for role in (None, "member"):
        sign_in(client, auth, role)
        html = view(client, page)
        assert "Comments on this page are closed." in html
        assert "Before closing" in html  # the thread stays readable
        assert 'id="comment-form"' not in html and "Reply</a>" not in html
        text = f"A late remark from {role or 'a visitor'}, after closing"
        refused = post(client, page, text, parent=first)
        assert refused.status_code == 403 and text in refused.get_data(as_text=True)
        assert client.post(f"/comments/page/{page.slug}/closed", data={"closed": "0"}).status_code \
            in (302, 403)

    sign_in(client, auth, "editor")
    client.post(f"/comments/page/{page.slug}/closed", data={"closed": "0"})
    sign_in(client, auth, None)
    assert 'id="comment-form"' in view(client, page)
    assert len(all_comments(page)) == 2


# -- signed authors ----------------------------------------------------------------------------------


def test_a_member_edits_their_comment_and_it_is_marked_edited(client, auth, page):
    sign_in(client, auth, "member")
    comment = posted(client, page, "I get an eror")
    form = client.get(f"/comments/{comment.id}/edit").get_data(as_text=True)
    assert textarea(form) == "I get an eror"
    response = client.post(f"/comments/{comment.id}/edit", data={"comment-body": "I get an *error*"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    comment = reload(comment)
    assert comment.body == "I get an *error*" and comment.html == "<p>I get an <em>error</em></p>"
    assert comment.edited_at is not None
    html = view(client, page)
    edited = f"{comment.edited_at:%b %-d, %Y %-I:%M\u202f%p}"
    assert f'<span class="comment-edited" title="Edited {edited} UTC">edited</span>' in html


@pytest.mark.parametrize("role", [None, "member"])
def test_others_cannot_change_a_members_comment(client, auth, users, page, role):
    from wiki.accounts import create_user

    create_user("other", "correct horse battery", "member")
    sign_in(client, auth, "member")
    comment = posted(client, page, "Mine")
    sign_in(client, auth, "other" if role else None)
    html = view(client, page)
    assert f'href="/comments/{comment.id}/edit"' not in html
    text = "Someone else's words, typed at length"
    response = client.post(f"/comments/{comment.id}/edit", data={"comment-body": text})
    assert response.status_code == 403
    assert textarea(response.get_data(as_text=True)) == text  # kept, even when refused
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert client.get(f"/comments/{comment.id}/delete").status_code == 403
    assert reload(comment).body == "Mine" and reload(comment).status == "visible"


def test_moderators_may_edit_any_comment(client, auth, page):
    comment = posted(client, page, "Call me at +49 123 456")
    sign_in(client, auth, "editor")
    client.post(f"/comments/{comment.id}/edit", data={"comment-body": "(phone number removed)"})
    assert reload(comment).body == "(phone number removed)"


@pytest.mark.parametrize(("body", "status", "message"), [
    ("   ", 400, "the comment is empty"),
    ("y" * 101, 413, "the limit is 100"),
])
def test_an_edit_with_bad_text_is_refused_and_kept(app, client, auth, page, body, status, message):
    app.config["COMMENTS_MAX_CHARS"] = 100
    sign_in(client, auth, "member")
    comment = posted(client, page, "Fine text")
    response = client.post(f"/comments/{comment.id}/edit", data={"comment-body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == status and message in html
    assert textarea(html) == body
    assert reload(comment).body == "Fine text"


# -- anonymous authors, through the token in their browser -------------------------------------------


def test_an_anonymous_author_edits_from_the_same_browser(app, client, page):
    response = post(client, page, "Will be join first time Session 2")
    comment = all_comments(page)[0]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"comment-edit-{comment.id}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age=86400" in cookie
    token = cookie.split(";")[0].split("=", 1)[1]
    assert comment.edit_token_hash and token not in comment.edit_token_hash  # only a hash is kept

    assert f'href="/comments/{comment.id}/edit"' in view(client, page)
    response = client.post(f"/comments/{comment.id}/edit",
                           data={"comment-body": "I will join for the first time"})
    assert response.status_code == 303
    assert reload(comment).body == "I will join for the first time"

    other_browser = app.test_client()
    assert f'href="/comments/{comment.id}/edit"' not in view(other_browser, page)
    assert other_browser.post(f"/comments/{comment.id}/edit",
                              data={"comment-body": "Hijacked"}).status_code == 403
    forged = app.test_client()
    forged.set_cookie(f"comment-edit-{comment.id}", "guessed-token")
    assert forged.post(f"/comments/{comment.id}/delete").status_code == 403
    assert reload(comment).body == "I will join for the first time"


def test_the_anonymous_edit_window_closes(app, client, page):
    comment = posted(client, page, "Typo here")
    comment.created_at -= timedelta(days=1, seconds=1)
    db.session.commit()
    assert f'href="/comments/{comment.id}/edit"' not in view(client, page)
    assert client.post(f"/comments/{comment.id}/edit", data={"comment-body": "Too late"}).status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403


def test_the_edit_window_follows_the_setting(app, client, page):
    app.config["COMMENTS_EDIT_WINDOW"] = 600
    response = post(client, page, "Short window")
    assert "Max-Age=600" in response.headers["Set-Cookie"]
    comment = all_comments(page)[0]
    comment.created_at -= timedelta(seconds=601)
    db.session.commit()
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403


def test_an_anonymous_author_deletes_from_the_same_browser(client, page):
    comment = posted(client, page, "Posted by mistake")
    confirm = client.get(f"/comments/{comment.id}/delete")
    assert confirm.status_code == 200 and "Delete this comment?" in confirm.get_data(as_text=True)
    assert client.post(f"/comments/{comment.id}/delete").status_code == 303
    comment = reload(comment)
    assert (comment.status, comment.body, comment.html) == ("deleted", "", "")
    assert "Posted by mistake" not in view(client, page)


def test_an_anonymous_edit_adding_links_is_held_again(client, page):
    comment = posted(client, page, "Innocent question")
    client.post(f"/comments/{comment.id}/edit", data={
        "comment-body": "https://a.example.org https://b.example.org https://c.example.org"})
    assert reload(comment).status == "held"
    assert "waiting for a moderator" in view(client, page)


# -- deleting keeps the thread -----------------------------------------------------------------------


def test_deleting_a_comment_with_replies_keeps_its_place(client, auth, page):
    sign_in(client, auth, "member")
    first = posted(client, page, "I have been unable to join the session")
    reply = posted(client, page, "Me too. I am getting this error", parent=first)
    lonely = posted(client, page, "Same here in Germany")
    last = posted(client, page, "There is a technical problem, we are restarting")
    for comment in (first, lonely):
        assert client.post(f"/comments/{comment.id}/delete").status_code == 303

    html = view(client, page)
    thread = Thread(html)
    assert thread.numbers() == ["1", "1.1", "3"]  # 2 had no replies: gone; numbers unchanged
    assert thread.items[reply.id]["under"] == first.id
    assert "placeholder" in thread.items[first.id]["classes"]
    assert "Comment deleted." in html and "I have been unable" not in html
    assert thread.number(last) == "3"
    assert reload(first).body == "" and reload(reply).parent_id == first.id
    assert client.get(f"/comments/{first.id}/edit").status_code == 403  # nothing left to edit


def test_numbers_never_change_when_comments_are_hidden_or_held(app, client, auth, page):
    made = [posted(client, page, f"Comment {n}") for n in range(1, 4)]
    reply = posted(client, page, "Reply to 2", parent=made[1])
    sign_in(client, auth, "editor")
    client.post(f"/comments/{made[0].id}/hide")
    client.post(f"/comments/{made[1].id}/hide")

    assert Thread(view(client, page)).numbers() == ["1", "2", "2.1", "3"]  # moderators see all
    reader = app.test_client()
    thread = Thread(view(reader, page))
    assert thread.numbers() == ["2", "2.1", "3"]
    assert "placeholder" in thread.items[made[1].id]["classes"]  # hidden, but it has a reply
    assert thread.number(reply) == "2.1"
    assert "Comment hidden." in view(reader, page)
