"""Search benchmark: full reindex speed, query latency over HTTP, index size.

    .venv/bin/python -m bench.search                  # 10,000 pages, 50,000 comments
    .venv/bin/python -m bench.search --pages 1000 --comments 5000

Builds a generated wiki (bench/corpus.py; one workshop in ten, with its
sessions and their comments, for members only) in a temporary instance
folder, times ``reindex``, then serves it with gunicorn (2 workers) on
127.0.0.1 and times a fixed set of anonymous searches, one request at a
time, next to a bare Flask page under the same server (bench/bare_app.py)
in the same run. Targets (docs/performance.md): at least 300 pages/s
reindexed, p95 under 50 ms.
"""

import argparse
import json
import os
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


def build(instance, n_pages, n_comments):
    os.environ["WIKI_INSTANCE_PATH"] = instance
    from flask_migrate import upgrade

    from plugins.comments.models import Comment
    from plugins.comments.rendering import render as render_comment
    from plugins.labels.models import PageLabel
    from wiki import create_app
    from wiki.extensions import db
    from wiki.models import Page, Revision
    from wiki.render import render_markdown
    from wiki.text import slugify

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        started = time.perf_counter()
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
        built = time.perf_counter() - started
    return app, built


def reindex(app):
    with app.app_context():
        started = time.perf_counter()
        count = app.extensions["wiki.search"].indexer.rebuild()  # as `flask --app wiki reindex`
        return count, time.perf_counter() - started


def size_mb(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=10, help="times each query is sent")
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="wiki-bench-")
    app, built = build(instance, args.pages, args.comments)
    docs, seconds = reindex(app)
    report = {
        "pages": args.pages, "comments": args.comments, "build_s": round(built, 1),
        "reindex_s": round(seconds, 1), "documents": docs,
        "reindex_pages_per_s": round(args.pages / seconds, 1),
        "reindex_documents_per_s": round(docs / seconds, 1),
        "index_mb": round(size_mb(os.path.join(instance, "search")), 1),
    }
    paths = [f"/search?q={quote(q)}" for q in QUERIES]
    env = {"WIKI_INSTANCE_PATH": instance}
    with gunicorn("wiki:create_app()", workers=2, env=env) as port:
        latencies(port, paths, 2)  # warm-up: imports, templates, index readers
        report["search"] = summary(latencies(port, paths, args.rounds))
    with gunicorn("bench.bare_app:app", workers=2) as port:
        latencies(port, ["/search"], 5)
        report["bare_flask_page"] = summary(latencies(port, ["/search"], args.rounds * len(paths)))
    report["p95_ratio_search_to_bare"] = round(
        report["search"]["p95_ms"] / report["bare_flask_page"]["p95_ms"], 1)
    report["instance"] = instance
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
