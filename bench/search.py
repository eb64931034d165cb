"""Search benchmark: both engines side by side, at two sizes, in one run.

    .venv/bin/python -m bench.search                            # both sizes: about 15 minutes
    .venv/bin/python -m bench.search --sizes 2000:10000         # pages:comments
    .venv/bin/python -m bench.search --engines whoosh --sizes 1000:5000

For each size, builds one generated wiki (bench/corpus.py; one workshop in
ten, with its sessions and their comments, for members only) in a temporary
instance folder. Then, for each engine on that same wiki: times a full
``reindex`` (as the command does it, in one process that may start helpers),
measures the index on disk, serves the wiki with gunicorn (2 workers) on
127.0.0.1 and times a fixed set of anonymous searches, one request at a time.
A bare Flask page under the same server (bench/bare_app.py) is timed in the
same run, after each engine. Targets: docs/performance.md.
"""

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from bench import corpus
from bench.server import gunicorn, latencies, summary

QUERIES = [
    "carbon", "carbone organique", "monitoring", '"soil organic carbon"', "télédétection",
    "evenement", "soil* label:soil-carbon", "type:comment compost", "grazing OR pâturage",
    "sampling -remote", "updated:>2020-01-01 agroforestry", "carbn",
]
SIZES = [(2_000, 10_000), (10_000, 50_000)]
ENGINES = ["whoosh", "sqlite"]


def build(instance, n_pages, n_comments):
    """The generated wiki in the database of ``instance`` (no search index)."""
    from flask_migrate import upgrade

    from plugins.comments.models import Comment
    from plugins.comments.rendering import render as render_comment
    from plugins.labels.models import PageLabel
    from wiki import create_app
    from wiki.extensions import db
    from wiki.models import Page, Revision
    from wiki.render import render_markdown
    from wiki.text import slugify

    os.environ["WIKI_INSTANCE_PATH"] = instance
    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        pages, workshops = [], 0
        for i, (title, parent, body, labels) in enumerate(corpus.pages(n_pages)):
            if parent is None:  # a workshop; one in ten is for members only, sessions included
                workshops += 1
                page = Page(slug=slugify(title), title=title, members_only=workshops % 10 == 0,
                            visibility="members" if workshops % 10 == 0 else "public")
            else:
                page = Page(slug=slugify(title), title=title, visibility="public",
                            members_only=pages[parent].members_only, parent=pages[parent])
            rev = Revision(page=page, number=1, title=title, body=body, html=render_markdown(body))
            page.current_revision = rev
            db.session.add_all([page, rev])
            pages.append(page)
            page._labels = labels
            if i % 500 == 499:
                db.session.flush()
        db.session.flush()
        db.session.add_all(PageLabel(page_id=p.id, name=name) for p in pages for name in p._labels)
        db.session.commit()
        page_ids = [p.id for p in pages]
        comments = []
        for i, (page_index, parent, body, name) in enumerate(corpus.comments(n_comments, n_pages)):
            parent_comment = comments[parent] if parent is not None else None
            page_id = parent_comment.page_id if parent_comment else page_ids[page_index]
            comment = Comment(page_id=page_id, parent_id=parent_comment.id if parent_comment else None,
                              anon_name=name, body=body, html=render_comment(body), status="visible")
            db.session.add(comment)
            comments.append(comment)
            if i % 1000 == 999 or parent is None:
                db.session.flush()
        db.session.commit()
        db.session.info.pop("search_dirty", None)  # the benchmark times the full reindex
        db.session.remove()
        db.engine.dispose()


def reindex(engine):
    """(documents, seconds) of a full rebuild with ``engine``, as ``reindex`` does it."""
    from wiki import create_app

    app = create_app({"SEARCH_ENGINE": engine})
    with app.app_context():
        started = time.perf_counter()
        count = app.extensions["wiki.search"].indexer.rebuild()
        return count, time.perf_counter() - started


def size_mb(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def measure(instance, n_pages, n_comments, engines, rounds):
    report = {"pages": n_pages, "comments": n_comments}
    paths = [f"/search?q={quote(q)}" for q in QUERIES]
    for engine in engines:
        docs, seconds = reindex(engine)
        figures = {
            "reindex_s": round(seconds, 1), "documents": docs,
            "reindex_pages_per_s": round(n_pages / seconds, 1),
            "reindex_documents_per_s": round(docs / seconds, 1),
            "index_mb": round(size_mb(os.path.join(instance, "search", engine)), 1),
        }
        env = {"WIKI_INSTANCE_PATH": instance, "WIKI_SEARCH_ENGINE": engine}
        with gunicorn("wiki:create_app()", workers=2, env=env) as port:
            latencies(port, paths, 2)  # warm-up: imports, templates, index readers
            figures["search"] = summary(latencies(port, paths, rounds))
            figures["per_query_p50_ms"] = {
                q: summary(latencies(port, [p], 5))["p50_ms"] for q, p in zip(QUERIES, paths, strict=True)}
        with gunicorn("bench.bare_app:app", workers=2) as port:
            latencies(port, ["/search"], 5)
            figures["bare_flask_page"] = summary(latencies(port, ["/search"], rounds * len(paths)))
        figures["p95_ratio_search_to_bare"] = round(
            figures["search"]["p95_ms"] / figures["bare_flask_page"]["p95_ms"], 1)
        report[engine] = figures
        print(json.dumps({engine: figures, "pages": n_pages}, ensure_ascii=False), flush=True)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", default=[f"{p}:{c}" for p, c in SIZES],
                        help="PAGES:COMMENTS, one or more")
    parser.add_argument("--engines", nargs="+", default=ENGINES, choices=ENGINES)
    parser.add_argument("--rounds", type=int, default=10, help="times each query is sent")
    parser.add_argument("--keep", action="store_true", help="keep the instance folders")
    args = parser.parse_args()

    reports = []
    for size in args.sizes:
        n_pages, n_comments = map(int, size.split(":"))
        instance = tempfile.mkdtemp(prefix="wiki-bench-")
        started = time.perf_counter()
        build(instance, n_pages, n_comments)
        print(f"built {n_pages} pages + {n_comments} comments in {time.perf_counter() - started:.0f} s",
              flush=True)
        reports.append(measure(instance, n_pages, n_comments, args.engines, args.rounds))
        if args.keep:
            reports[-1]["instance"] = instance
        else:
            shutil.rmtree(instance, ignore_errors=True)
    print(json.dumps(reports, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
