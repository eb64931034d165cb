"""Several worker processes write pages and the index at the same time."""

import subprocess
import sys
import textwrap

import pytest

from wiki.extensions import db

WORKER = textwrap.dedent("""
    import sys
    from wiki import create_app
    from wiki.extensions import db
    from wiki.models import User
    from wiki import services

    worker, count = int(sys.argv[1]), int(sys.argv[2])
    app = create_app({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SEARCH_ENGINE": sys.argv[3]})
    indexer = app.extensions["wiki.search"].indexer
    with app.app_context():
        editor = db.session.scalar(db.select(User).where(User.username == "editor"))
        for i in range(count):
            services.create_page(f"Worker {worker} page {i}", f"Mangrove notes from worker {worker}.",
                                 editor)
            indexer.catch_up()  # what each request does before its response goes out
    print("done", worker)
""")


@pytest.fixture(params=["whoosh", "sqlite"])
def app(app_factory, request):
    app = app_factory(SEARCH_ENGINE=request.param)
    with app.app_context():
        yield app
        db.session.remove()


def test_concurrent_writer_processes_lose_nothing(app, users):
    import os

    env = {**os.environ, "WIKI_INSTANCE_PATH": app.instance_path}
    engine = app.config["SEARCH_ENGINE"]
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(w), "8", engine], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w in range(4)]
    outputs = [w.communicate(timeout=120) for w in workers]
    for worker, (_out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err and "Lock" not in err and "busy" not in err, err

    # Every page is in the index, at its current version, with no catch-up after the workers.
    from plugins.search.changes import all_documents

    expected = {doc.id: doc.version for doc in all_documents()}
    assert len(expected) == 32
    assert app.extensions["wiki.search"].engine.versions() == expected
