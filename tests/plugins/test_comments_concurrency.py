"""Many people commenting at once: every comment lands, once, and the thread
is numbered without gaps or duplicates."""

import threading

import pytest
from test_comments import QUIET, Thread, all_comments, stamp, view

from wiki.extensions import db

THREADS, PER_THREAD = 10, 5


@pytest.fixture
def app(app_factory):
    """A file SQLite database (conftest's), shared by the threads as by workers."""
    app = app_factory(PLUGINS=["comments"], **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


def test_fifty_comments_posted_at_once_all_land(app, make_page):
    page = make_page("Busy workshop")
    form_stamp, url = stamp(page), f"/comments/page/{page.slug}"
    start = threading.Barrier(THREADS)
    statuses, errors = [], []

    def commenter(n):
        client = app.test_client()  # each request runs in its own app context
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{n}"
        try:
            start.wait()
            for k in range(PER_THREAD):
                response = client.post(url, data={"comment-body": f"Comment {n}-{k}",
                                                  "comment-stamp": form_stamp})
                statuses.append(response.status_code)
        except Exception as error:  # reported below, with the failing thread's error
            errors.append(error)

    workers = [threading.Thread(target=commenter, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert errors == []
    assert statuses == [303] * (THREADS * PER_THREAD)
    bodies = [c.body for c in all_comments(page)]
    expected = {f"Comment {n}-{k}" for n in range(THREADS) for k in range(PER_THREAD)}
    assert len(bodies) == THREADS * PER_THREAD and set(bodies) == expected  # none lost, none twice
    numbers = Thread(view(app.test_client(), page)).numbers()
    assert numbers == [str(n) for n in range(1, THREADS * PER_THREAD + 1)]
