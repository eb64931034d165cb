"""Several app servers on one database, each with its own search index
folder (docs/deploy.md), on each engine: a change made through one server
is found through the other within the polling interval; a commit that lands
out of id order is never missed; one server's rebuild does not disturb the
other. On PostgreSQL as in production (the suite's PostgreSQL pass); on
SQLite the servers share the database file."""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from plugins.search.changes import POLL_SECONDS
from wiki import pagecache
from wiki.extensions import db
from wiki.models import Page, Revision, utcnow
from wiki.render import render_markdown

from .loadserver import PASSWORD, ROOT
from .webclient import Client

pytestmark = [pytest.mark.slow, pytest.mark.load]

# Within the polling interval of the other server's workers, with a margin
# for a busy machine (each request is handled in well under a second).
FOUND_WITHIN = POLL_SECONDS + 3.0


@pytest.fixture(params=["whoosh", "sqlite"])
def servers(server_factory, request, tmp_path):
    """Servers ``a`` and ``b`` (2 workers each) on the test's database, each
    with its own index folder."""
    app, start = server_factory
    started = {}
    for name in ("a", "b"):
        env = {"WIKI_SEARCH_ENGINE": request.param, "WIKI_SEARCH_INDEX_DIR": str(tmp_path / f"search-{name}")}
        started[name] = (start(workers=2, env=env), env)
    return app, started


def hits(server, query):
    status, _, html = Client(server.base).get("/search?" + urllib.parse.urlencode({"q": query}))
    assert status == 200, status
    return re.findall(r'class="hit-title" href="/wiki/([^"#]+)', html)


def wait_for(server, query, slug, within=FOUND_WITHIN):
    """Seconds until ``slug`` is among ``server``'s hits for ``query``."""
    started = time.monotonic()
    while slug not in hits(server, query):
        assert time.monotonic() - started < within, f"{slug} not found through {server.base} in {within}s"
        time.sleep(0.2)
    return time.monotonic() - started


def create_page(server, title, body):
    client = Client(server.base)
    client.login("editor1", PASSWORD)
    _, token, _, _ = client.form("/new")
    status, headers, _ = client.post("/new", {"title": title, "body": body, "parent": "",
                                              "visibility": "public", "csrf_token": token})
    assert status == 302, status


def test_a_change_through_one_server_is_found_through_the_other(servers):
    _, started = servers
    (a, _), (b, _) = started["a"], started["b"]
    hits(b, "warmup")  # b's index exists before the change
    create_page(a, "Mangrove restoration", "Mangrove seedlings planted by the community.")
    assert "mangrove-restoration" in hits(a, "mangrove")  # at once on the server that made it
    assert wait_for(b, "mangrove", "mangrove-restoration") < FOUND_WITHIN


def test_a_commit_that_lands_out_of_order_is_never_missed(servers):
    """A long transaction logs its change first (a lower id) and commits last:
    the other server has moved its cursor past that id meanwhile, and must
    still apply it."""
    app, started = servers
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: its commits cannot land out of order")
    (a, _), (b, _) = started["a"], started["b"]
    create_page(a, "Peat bogs", "Peat notes.")
    wait_for(b, "peat", "peat-bogs")
    # The long transaction leaves out the page-view cache's version bump: that
    # row's lock would make every later writer wait for it to commit.
    event.remove(Session, "after_flush", pagecache._bump_on_flush)
    try:
        with app.app_context():
            page_id = db.session.scalar(db.select(Page.id).where(Page.slug == "peat-bogs"))
            db.session.remove()
            with Session(db.engine) as long_one:  # its own connection and transaction
                page = long_one.get(Page, page_id)
                revision = Revision(page=page, number=2, title=page.title, body="Sphagnum moss.",
                                    html=render_markdown("Sphagnum moss."))
                long_one.add(revision)
                page.current_revision, page.updated_at = revision, utcnow()
                long_one.flush()  # the change is logged here, with the lower id
                create_page(a, "Salt marsh", "Salt marsh notes.")  # a later change, committed first
                wait_for(b, "marsh", "salt-marsh")
                long_one.commit()
    finally:
        event.listen(Session, "after_flush", pagecache._bump_on_flush)
    assert wait_for(b, "sphagnum", "peat-bogs") < FOUND_WITHIN
    assert "peat-bogs" not in hits(b, "peat notes")


def test_one_servers_rebuild_does_not_disturb_the_other(servers):
    app, started = servers
    (a, a_env), (b, _) = started["a"], started["b"]
    for i in range(20):
        create_page(a, f"Biochar trial {i}", f"Biochar trial number {i}.")
    wait_for(b, "\"biochar trial 19\"", "biochar-trial-19")
    failures, answers = [], []
    stop = threading.Event()

    def keep_searching(server):
        while not stop.is_set():
            found = hits(server, "biochar")
            answers.append(len(found))
            if len(found) != 10:  # a full first page of hits, every time
                failures.append((server.base, found))

    watchers = [threading.Thread(target=keep_searching, args=(s,)) for s in (a, b)]
    for w in watchers:
        w.start()
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    try:
        rebuilt = subprocess.run([flask, "--app", "wiki", "reindex"], cwd=ROOT, env={**os.environ, **a_env},
                                 capture_output=True, text=True, timeout=120, check=False)
    finally:
        stop.set()
        for w in watchers:
            w.join()
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Indexed" in rebuilt.stdout
    assert not failures and len(answers) > 4
    create_page(a, "Compost heap", "Compost after the rebuild.")
    assert "compost-heap" in hits(a, "compost")
    wait_for(b, "compost", "compost-heap")
