"""Under load, with 4 gunicorn workers: no 5xx, nothing accepted is lost.

Threads view pages, edit one hot page together (each its own line, so every
save on a stale base must merge) and pages of their own, post comments and
search, for a bounded time (``WIKI_LOAD_SECONDS``, 10 by default; CI runs
this small size). Then the database and the search index are checked.
"""

import html as html_module
import os
import re
import threading
import time
import urllib.parse
from collections import Counter

import pytest

from wiki import services
from wiki.extensions import db
from wiki.models import Page

from .loadserver import PASSWORD
from .webclient import Client

pytestmark = [pytest.mark.slow, pytest.mark.load]

SECONDS = float(os.environ.get("WIKI_LOAD_SECONDS", "10"))
EDITORS = ("editor1", "editor2", "editor3")
HOT = "hot-page"
BASE = r'name="base_revision" type="hidden" value="(\d+)"'
STAMP = r'name="comment-stamp" type="hidden" value="([^"]+)"'
COMMENT_TOKEN = re.compile(r'name="comment-csrf_token" type="hidden" value="([^"]+)"')


def hot_text(values):
    # A line per editor, kept apart by unchanged lines: concurrent saves of
    # different lines merge cleanly (three-way); the same line would conflict.
    return "".join(f"editor {i}: {values[i]}\n\nsteady line {i}\n\n" for i in range(len(EDITORS)))


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.errors = []
        self.last_hot = {}  # editor index -> last accepted value on the hot page
        self.own = {}  # slug -> last accepted text
        self.comments = []  # ids of accepted comments

    def seen(self, what, status):
        with self.lock:
            self.statuses[status] += 1
            if status >= 500 or status == 0:
                self.errors.append((what, status))


def editor_loop(server, index, tally, stop):
    client = Client(server.base)
    client.login(EDITORS[index], PASSWORD)
    own = f"own-page-of-editor{index + 1}"
    n = 0
    while not stop.is_set():
        n += 1
        # The hot page: change this editor's line only.
        status, token, base, html = client.form(f"/wiki/{HOT}/edit", BASE)
        tally.seen("edit form", status)
        body = re.search(r'name="body"[^>]*>\s*(.*?)</textarea>', html, re.S)
        if status != 200 or not base or not body:
            continue
        text = html_module.unescape(body.group(1)).replace("\r\n", "\n")
        new = re.sub(rf"^editor {index}: .*$", f"editor {index}: {n}", text, flags=re.M)
        status, headers, _ = client.post(f"/wiki/{HOT}/edit", {
            "title": "Hot page", "body": new, "base_revision": base.group(1), "csrf_token": token})
        tally.seen("hot save", status)
        if status == 302:
            with tally.lock:
                tally.last_hot[index] = n
        # A page of its own: a plain save.
        status, token, base, _ = client.form(f"/wiki/{own}/edit", BASE)
        if status == 200 and base:
            text = f"Own text {n} of editor {index}.\n"
            status, _, _ = client.post(f"/wiki/{own}/edit", {
                "title": f"Own page of editor{index + 1}", "body": text, "base_revision": base.group(1),
                "csrf_token": token})
            tally.seen("own save", status)
            if status == 302:
                with tally.lock:
                    tally.own[own] = text


def reader_loop(server, tally, stop, number):
    client = Client(server.base)
    words = ["carbon", "mangrove", "steady", "editor", "comment"]
    n = 0
    while not stop.is_set():
        n += 1
        status, _, _ = client.get(f"/wiki/{HOT}")
        tally.seen("view", status)
        status, _, _ = client.get("/search?" + urllib.parse.urlencode({"q": words[n % len(words)]}))
        tally.seen("search", status)
        # An anonymous comment.
        status, _, stamp, page_html = client.form(f"/wiki/{HOT}", STAMP)
        token = COMMENT_TOKEN.search(page_html)
        if status != 200 or not stamp or not token:
            continue
        status, headers, _ = client.post(f"/comments/page/{HOT}", {
            "comment-body": f"Load comment {number}-{n} about mangrove carbon.", "comment-name": "",
            "comment-stamp": stamp.group(1), "comment-parent_id": "", "comment-website": "",
            "comment-csrf_token": token.group(1)})
        tally.seen("comment", status)
        if status == 303:
            with tally.lock:
                tally.comments.append(int(headers["Location"].rsplit("#comment-", 1)[1]))


def test_concurrent_views_edits_comments_and_searches(server_factory):
    app, start = server_factory
    with app.app_context():
        services.create_page("Hot page", hot_text([0] * len(EDITORS)), None)
        for i in range(len(EDITORS)):
            services.create_page(f"Own page of editor{i + 1}", "Nothing yet.\n", None)
        db.session.remove()
    server = start(workers=4)
    tally, stop = Tally(), threading.Event()
    threads = [threading.Thread(target=editor_loop, args=(server, i, tally, stop))
               for i in range(len(EDITORS))]
    threads += [threading.Thread(target=reader_loop, args=(server, tally, stop, i)) for i in range(3)]
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    server.stop()

    assert tally.errors == [], tally.errors  # no 5xx, no dropped connection
    assert tally.statuses[302] > 10 and tally.comments, tally.statuses
    with app.app_context():
        hot = db.session.scalar(db.select(Page).where(Page.slug == HOT)).current_revision.body
        # No lost update: each editor's last accepted value is in the hot page.
        for index, value in tally.last_hot.items():
            assert f"editor {index}: {value}\n" in hot
        for slug, text in tally.own.items():
            assert db.session.scalar(db.select(Page).where(Page.slug == slug)).current_revision.body == text
        from plugins.comments.models import Comment

        stored = set(db.session.scalars(db.select(Comment.id)))
        assert set(tally.comments) <= stored
        db.session.remove()
    check = app.test_cli_runner().invoke(args=["reindex", "--check"])
    assert check.exit_code == 0, check.output
