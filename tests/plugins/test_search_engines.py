"""The search engines behind one interface: choosing one, switching, an
index being built, batches saved whole, the two engines agreeing, and how
the Whoosh engine keeps its searcher."""

import os
import subprocess
import sys
import threading
from datetime import datetime

import pytest

from plugins.search import engines
from plugins.search.changes import all_documents
from plugins.search.engine import Cursor, Document
from plugins.search.query import parse
from wiki.extensions import db
from wiki.models import User

QUIET = {"COMMENTS_MIN_SECONDS": 0, "COMMENTS_RATE_LIMIT": [1000, 60]}
ENGINES = list(engines.ENGINES)


@pytest.fixture
def app(app_factory):
    """The app of these tests runs Whoosh, whatever the suite's default."""
    app = app_factory(SEARCH_ENGINE="whoosh", **QUIET)
    with app.app_context():
        yield app
        db.session.remove()


def sync(app):
    app.extensions["wiki.search"].indexer.catch_up()


def test_whoosh_is_the_default_engine(app_factory, monkeypatch):
    monkeypatch.delenv("WIKI_SEARCH_ENGINE", raising=False)  # the suite's PostgreSQL pass sets it
    app = app_factory()
    engine = app.extensions["wiki.search"].engine
    assert engine.name == "whoosh"
    assert engine.folder.root == os.path.join(app.instance_path, "search", "whoosh")


def test_an_unknown_engine_stops_the_app_with_a_clear_message(app_factory):
    with pytest.raises(engines.UnknownEngine) as failed:
        app_factory(SEARCH_ENGINE="elastic")
    assert str(failed.value) == ("SEARCH_ENGINE is 'elastic': there is no such search engine "
                                 '(known: "whoosh", "sqlite").')


def test_the_command_line_refuses_an_unknown_engine(tmp_path):
    env = {**os.environ, "WIKI_INSTANCE_PATH": str(tmp_path / "instance"), "WIKI_SEARCH_ENGINE": "lucene"}
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    done = subprocess.run([flask, "--app", "wiki", "reindex"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode != 0
    assert "SEARCH_ENGINE is 'lucene': there is no such search engine" in done.stderr


@pytest.fixture(params=[("sqlite", "whoosh"), ("whoosh", "sqlite")], ids=lambda p: "-to-".join(p))
def switch(request):
    return request.param


def test_switching_engines_builds_the_new_index_and_never_fails(app_factory, users_of, switch, monkeypatch):
    """After a switch the new engine has no index: searches say it is being
    built (503, Retry-After), every other page works, and ``reindex``
    builds it."""
    before, after = switch
    first = app_factory(SEARCH_ENGINE=before, **QUIET)
    with first.app_context():
        editor = users_of()
        from wiki import services

        services.create_page("Mangrove notes", "Mangrove restoration.", editor)
        sync(first)
        db.session.remove()

    # The new engine's first build is slow (a big wiki): hold it until released.
    release = threading.Event()
    engine_class = engines.engine_class(after)
    real_rebuild = engine_class.rebuild

    def slow_rebuild(self, docs, cursor, progress=None):
        release.wait(30)
        return real_rebuild(self, docs, cursor, progress)

    monkeypatch.setattr(engine_class, "rebuild", slow_rebuild)
    switched = app_factory(SEARCH_ENGINE=after, SEARCH_BUILD_WAIT=0, **QUIET)
    client = switched.test_client()
    response = client.get("/search?q=mangrove")
    assert response.status_code == 503 and response.headers["Retry-After"] == "60"
    assert "The search index is being built" in response.get_data(as_text=True)
    api = client.get("/api/v1/search?q=mangrove")  # the API says so the same way
    assert api.status_code == 503 and api.headers["Retry-After"] == "60"
    assert api.mimetype == "application/problem+json" and "being built" in api.get_json()["detail"]
    assert client.get("/wiki/mangrove-notes").status_code == 200
    assert client.get("/").status_code == 200
    release.set()

    runner = switched.test_cli_runner()
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert f"Search engine: {after}" in result.output
    response = client.get("/search?q=mangrove")
    assert response.status_code == 200 and "/wiki/mangrove-notes" in response.get_data(as_text=True)
    # The other engine's index stays in its own folder, for switching back.
    assert os.path.isdir(os.path.join(switched.instance_path, "search", before))


@pytest.fixture
def users_of():
    def make():
        from wiki.accounts import create_user

        return create_user("ed", "password123", "editor")
    return make


# -- the interface, for each engine --------------------------------------------------


def _doc(n, body, **extra):
    return Document(id=f"page:{n}", type="page", page_id=n, slug=f"p{n}", title=f"Page {n}", body=body,
                    updated=datetime(2024, 5, n), members_only=False, version=f"v{n}", **extra)


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path):
    engine = engines.create(request.param, str(tmp_path / "search"))
    engine.rebuild([_doc(1, "Peat bogs."), _doc(2, "Sandy soils.")], Cursor(7, (6, 7)))
    yield engine
    engine.forget()


def test_a_rebuild_saves_the_documents_and_the_cursor(engine):
    assert engine.exists()
    assert engine.versions() == {"page:1": "v1", "page:2": "v2"}
    assert engine.cursor() == Cursor(7, (6, 7))


def test_a_batch_saves_its_documents_and_cursor_together_or_neither(engine):
    with engine.writing(timeout=5) as batch:
        assert batch.cursor == Cursor(7, (6, 7))
        batch.write([("page:1", _doc(1, "Peat moss.")), ("page:2", None)])
        batch.cursor = Cursor(9, (8, 9))
    assert engine.versions() == {"page:1": "v1"}
    assert engine.cursor() == Cursor(9, (8, 9))
    assert engine.search(parse("moss"), True, [], 1, 10).total == 1
    assert engine.search(parse("bogs"), True, [], 1, 10).total == 0

    with pytest.raises(RuntimeError), engine.writing(timeout=5) as batch:
        batch.write([("page:3", _doc(3, "Loess."))])
        batch.cursor = Cursor(12)
        raise RuntimeError("the database went away")
    assert engine.versions() == {"page:1": "v1"}
    assert engine.cursor() == Cursor(9, (8, 9))


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_request_does_not_wait_long_for_another_writer(app_factory, engine_name, monkeypatch):
    """Another writer holds the index for long (the text of a large file): a
    request waits REQUEST_WRITE_WAIT for it, not WRITE_TIMEOUT, and leaves its
    change queued; the next request applies it."""
    import time

    from plugins.search import changes
    from wiki import services
    from wiki.accounts import create_user

    monkeypatch.setattr(changes, "REQUEST_WRITE_WAIT", 0.2)
    monkeypatch.setattr(changes, "WRITE_TIMEOUT", 60)
    app = app_factory(SEARCH_ENGINE=engine_name, **QUIET)
    with app.app_context():
        editor = create_user("editor", "password123", "editor")
        services.create_page("Peat", "Peat bogs.", editor)
        sync(app)
        client = app.test_client()
        client.post("/login", data={"username": "editor", "password": "password123"})
        engine = app.extensions["wiki.search"].engine
        entered, leave = threading.Event(), threading.Event()

        def hold():
            with engine.writing(timeout=5):
                entered.set()
                leave.wait(30)

        holder = threading.Thread(target=hold)
        holder.start()
        entered.wait(5)
        try:
            started = time.monotonic()
            saved = client.post("/wiki/peat/edit", data={"title": "Peat", "body": "Peat bogs and fens.",
                                                         "base_revision": "1"})
            waited = time.monotonic() - started
        finally:
            leave.set()
            holder.join()
        assert saved.status_code == 302 and waited < 10  # not the 60 s another writer may take
        html = client.get("/search?q=fens").get_data(as_text=True)  # this request catches up first
        assert 'href="/wiki/peat"' in html
        db.session.remove()


def test_a_writer_waits_for_another_then_gives_up(engine):
    from plugins.search.engine import IndexBusy

    entered = threading.Event()
    leave = threading.Event()

    def hold():
        with engine.writing(timeout=5):
            entered.set()
            leave.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    try:
        with pytest.raises(IndexBusy), engine.writing(timeout=0.2):
            pass
    finally:
        leave.set()
        holder.join()
    with engine.writing(timeout=5) as batch:  # free again
        batch.write([("page:3", _doc(3, "Loess."))])
    assert "page:3" in engine.versions()


def test_a_missing_or_damaged_directory_is_no_index(engine):
    engine.forget()
    for name in os.listdir(engine.folder.current()):
        with open(os.path.join(engine.folder.current(), name), "wb") as f:
            f.write(b"garbage" * 100)
    assert not engine.exists()
    assert engine.cursor() in (Cursor(), Cursor(7, (6, 7)))  # Whoosh keeps the cursor beside its files


def test_an_index_of_another_version_is_not_used(engine, caplog):
    """An index built before its engine's schema or the documents changed
    (no format recorded, or another one) counts as none: it is rebuilt."""
    from plugins.search.engines import sqlite, whoosh

    directory = engine.folder.current()
    engine.forget()
    if engine.name == "whoosh":
        os.remove(os.path.join(directory, whoosh.FORMAT_FILE))
    else:
        conn = sqlite._connect(os.path.join(directory, sqlite.FILE))
        conn.execute("UPDATE state SET value = 'sqlite 1 documents 1' WHERE key = 'format'")
        conn.close()
    assert not engine.exists()
    assert "built by another version of the wiki" in caplog.text
    engine.rebuild([_doc(1, "Peat bogs.")], Cursor(3))
    assert engine.exists() and engine.versions() == {"page:1": "v1"}


def _file(n, name, filetype, body, members_only=False, **extra):
    return Document(id=f"file:{n}", type="file", page_id=1, slug="p1", title=name, body=body,
                    updated=datetime(2024, 6, n), members_only=members_only, version=f"f{n}",
                    file_name=name, filetype=filetype, path=(1,), **extra)


FILE_QUERIES = [
    "type:file", "type:page|file", "-type:file peat", "filetype:pdf", "filetype:pdf|docx",
    "peat filetype:pdf", "peat -filetype:pdf", "type:file -filetype:png", "filetype:pptx", "report",
    "trip", "field_trip", '"field trip"', "pedotransfer", "members",
]


def test_both_engines_agree_on_files(tmp_path):
    docs = [_doc(1, "Peat bogs."), _doc(2, "Sandy."),
            _file(3, "field_trip-report.pdf", "pdf", "Peat cores, pedotransfer functions.",
                  keywords=("field", "trip"), sections=(("page=1", "page 1", 0, 10),)),
            _file(4, "plan.docx", "docx", "Peat plan."), _file(5, "photo.png", "png", ""),
            _file(6, "members.pdf", "pdf", "Peat for members.", members_only=True)]
    found = {}
    for name in ENGINES:
        engine = engines.create(name, str(tmp_path / name))
        engine.rebuild(docs, Cursor())
        found[name] = {(members, q): (r.total, sorted(h.id for h in r.hits), r.type_counts)
                       for members in (False, True) for q in FILE_QUERIES
                       for r in [engine.search(parse(q), members, [], 1, 50)]}
        engine.forget()
    assert found["whoosh"] == found["sqlite"]
    results = found["whoosh"]
    assert results[False, "filetype:pdf"][1] == ["file:3"] and results[True, "filetype:pdf"][0] == 2
    assert results[False, "peat -filetype:pdf"][1] == ["file:4", "page:1"]
    assert results[False, "trip"][1] == ["file:3"] and results[False, "field_trip"][1] == ["file:3"]
    assert results[True, "type:page|file"][2] == [("file", 4), ("page", 2)]


# -- the engines agree ------------------------------------------------------------------


AGREEMENT_QUERIES = [
    "carbone", "evenement", "monitoring", '"soil organic carbon"', '"organic soil"', "monitor*",
    "soil-carb*", "formation OR monitoring", "carbone -organique", "label:soil-carbon",
    "soil label:soil-carbon", "soil -label:soil-carbon", "type:comment", "type:page -carbon",
    "author:jeanne", "soil author:editor", "updated:>2000-01-01 soil", "updated:<2000-01-01",
    "in:workshop", "soil -in:workshop", "compots", "permafrost", "xylophone", "le la les",
]


def test_both_engines_find_the_same_documents(app_factory, tmp_path):
    """The same wiki indexed by each engine: the same totals, hits (as a set),
    facet counts and suggestions, for readers and for members."""
    from plugins.comments.service import post_comment
    from wiki import services
    from wiki.accounts import create_user
    from wiki.models import AnonymousUser

    app = app_factory(**QUIET)
    with app.app_context():
        editor = create_user("editor", "password123", "editor")
        member = create_user("member", "password123", "member")
        workshop = services.create_page("Workshop", "Soil organic carbon workshop. Monitoring.", editor)
        session = services.create_page("Session", "Les carbones du sol. Un événement.", editor,
                                       parent=workshop)
        services.create_page("Methods", "Carbon stocks were monitored. We sample soil organic carbon. "
                             "Organic soil is different. Compost.", editor)
        secret = services.create_page("Secret", "Permafrost and xylophone.", editor, visibility="members")
        post_comment(session, member, "Soil question about formation.")
        post_comment(session, AnonymousUser(), "Un avis sur le sol.", anon_name="Jeanne")
        post_comment(secret, member, "Permafrost comment.")
        labels = {"workshop": ["soil-carbon"], "methods": ["soil-carbon", "methods"]}
        from plugins.labels.service import set_labels
        for slug, names in labels.items():
            set_labels(services.find_page(slug)[0], names, editor)
        docs = list(all_documents())
        found = {}
        for name in ENGINES:
            engine = engines.create(name, str(tmp_path / "agree"))
            engine.rebuild(docs, Cursor())
            results = {}
            for members in (False, True):
                within = sorted(p.id for p in (workshop, session))
                for q in AGREEMENT_QUERIES:
                    parsed = parse(q)
                    r = engine.search(parsed, members, within if "in:" in q else [], 1, 50)
                    words = parsed.words()
                    suggestions = engine.suggest(words[0]) if words and not r.total else []
                    results[members, q] = (r.total, sorted(h.id for h in r.hits), r.label_counts,
                                           r.type_counts, suggestions)
            found[name] = results
            engine.forget()
        db.session.remove()
    whoosh, sqlite = found["whoosh"], found["sqlite"]
    assert whoosh == sqlite
    # And they found something: the comparison is not of empty results.
    assert whoosh[True, "carbone"][0] >= 3 and whoosh[False, "permafrost"][0] == 0
    assert whoosh[True, "permafrost"][0] == 2 and whoosh[False, "compots"][4] == ["compost"]


# -- Whoosh, used the way its authors intend ---------------------------------------------


def test_whoosh_keeps_its_searcher_until_the_index_changes(app, make_page):
    engine = app.extensions["wiki.search"].engine
    make_page("Humus", "Humus layer.")
    sync(app)
    searcher, _ = engine._searcher()
    assert engine._searcher()[0] is searcher  # kept between searches
    make_page("Clay", "Clay layer.")
    sync(app)
    fresh, _ = engine._searcher()
    assert fresh is not searcher
    assert engine.search(parse("layer"), True, [], 1, 10).total == 2


def test_whoosh_rebuilds_with_several_processes_into_few_segments(app, users):
    editor = db.session.get(User, users["editor"])
    from wiki import services

    for i in range(30):
        services.create_page(f"Note {i}", f"Agroforestry note {i}.", editor)
    engine = app.extensions["wiki.search"].engine
    engine.jobs = 2
    app.extensions["wiki.search"].indexer.rebuild()  # the main thread: as `reindex` does
    searcher, _ = engine._searcher()
    segments = searcher.reader().leaf_readers()
    assert 1 <= len(segments) <= 2
    assert engine.search(parse("agroforestry"), True, [], 1, 10).total == 30


def test_whoosh_indexes_a_large_batch_from_the_command_line_in_several_processes(app, monkeypatch):
    from plugins.search.engines import whoosh

    engine = app.extensions["wiki.search"].engine
    engine.rebuild([], Cursor())
    used = []
    real = whoosh._writer
    monkeypatch.setattr(whoosh, "_writer",
                        lambda ix, procs, **kw: used.append(procs) or real(ix, procs, **kw))
    monkeypatch.setattr(whoosh, "PARALLEL_WRITE", 4)
    engine.jobs = 2
    with engine.writing(timeout=5) as batch:  # the main thread, no request: the command line
        batch.write([(f"page:{n}", _doc(n, f"Loess note {n}.")) for n in range(1, 6)])
    with engine.writing(timeout=5) as batch:  # a small one: this process alone
        batch.write([("page:1", _doc(1, "Peat note."))])
    assert used == [2, 1]
    assert engine.search(parse("loess"), True, [], 1, 10).total == 4
    assert engine.search(parse("peat"), True, [], 1, 10).total == 1
    with app.test_request_context("/"):  # inside a web request: never several processes
        assert engine._procs() == 1


def test_reindex_counts_without_building_and_takes_jobs(app, runner, make_page, monkeypatch):
    from plugins.search import changes

    make_page("Tundra", "Permafrost.")
    built = []
    real = changes.all_documents
    monkeypatch.setattr(changes, "all_documents", lambda: built.append(1) or real())
    result = runner.invoke(args=["reindex", "--jobs", "1"])
    assert result.exit_code == 0 and "Indexed 1 documents." in result.output
    assert built == [1]  # once, to index: the progress bar counted in the database
    assert changes.document_count() == 1
    assert runner.invoke(args=["reindex", "--jobs", "0"]).exit_code == 2
