"""A worker killed with SIGKILL in the middle of saves loses nothing accepted,
and after the restart the database and the search index agree."""

import re
import threading
import time

import pytest

from wiki import services
from wiki.extensions import db
from wiki.models import Page, Revision

from .loadserver import PASSWORD
from .webclient import Client

pytestmark = [pytest.mark.slow, pytest.mark.load]

BASE = r'name="base_revision" type="hidden" value="(\d+)"'


def saver(server, index, accepted, stop):
    client = Client(server.base)
    client.login(f"editor{index + 1}", PASSWORD)
    slug, n = f"fault-page-{index}", 0
    while not stop.is_set():
        n += 1
        status, token, base, _ = client.form(f"/wiki/{slug}/edit", BASE)
        if status != 200 or not base:
            continue  # the worker that served this died: try again
        text = f"Save {n} of saver {index}: peatland notes.\n"
        status, _, _ = client.post(f"/wiki/{slug}/edit", {
            "title": f"Fault page {index}", "body": text, "base_revision": base.group(1),
            "csrf_token": token})
        if status == 302:
            accepted.append((slug, text))


def test_killing_a_worker_mid_save_loses_nothing_accepted(server_factory):
    app, start = server_factory
    with app.app_context():
        for i in range(3):
            services.create_page(f"Fault page {i}", "Start.\n", None)
        db.session.remove()
    server = start(workers=2)
    accepted, stop = [], threading.Event()
    threads = [threading.Thread(target=saver, args=(server, i, accepted, stop)) for i in range(3)]
    for t in threads:
        t.start()
    killed = []
    for _ in range(3):  # kill a worker three times while saves are in flight
        time.sleep(1.5)
        killed.append(server.kill_worker())
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    server.stop()

    assert len(killed) == 3 and len(accepted) > 10
    with app.app_context():
        for slug, text in accepted:  # every acknowledged save is a revision
            page = db.session.scalar(db.select(Page).where(Page.slug == slug))
            assert db.session.scalar(db.select(Revision.id).where(
                Revision.page_id == page.id, Revision.body == text)) is not None, (slug, text)
        db.session.remove()
    # A restarted server (here the CLI) applies what the killed worker left queued.
    check = app.test_cli_runner().invoke(args=["reindex", "--check"])
    assert check.exit_code == 0, check.output
    assert re.search(r"0 missing, 0 stale, 0 extra", check.output)
