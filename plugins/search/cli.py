"""``flask --app wiki reindex [--check]``."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from wiki.api import db

from .changes import all_documents, document_count
from .models import SearchChange


@click.command("reindex")
@click.option("--check", is_flag=True,
              help="Compare the index with the database instead; exit 1 when they differ.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes indexing the documents (default: one per CPU; FTS5 uses one).")
@with_appcontext
def reindex_command(check, jobs):
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    search = current_app.extensions["wiki.search"]
    click.echo(f"Search engine: {search.engine.name} ({search.engine.folder.root}).", err=True)
    if check:
        sys.exit(_check(search))
    search.engine.jobs = jobs
    total = document_count()
    db.session.rollback()
    with click.progressbar(length=total, label="Indexing", show_pos=True,
                           file=sys.stderr) as bar:
        count = search.indexer.rebuild(progress=bar.update)
    click.echo(f"Indexed {count} documents.")


def _check(search):
    search.indexer.catch_up()  # what is queued counts as done
    expected = {doc.id: doc.version for doc in all_documents()}
    indexed = search.engine.versions() if search.engine.exists() else {}
    missing = sorted(set(expected) - set(indexed))
    extra = sorted(set(indexed) - set(expected))
    stale = sorted(k for k in set(expected) & set(indexed) if expected[k] != indexed[k])
    queued = db.session.scalar(db.select(db.func.count(SearchChange.id)).where(
        SearchChange.id > search.engine.cursor().applied))
    for label, ids in (("missing", missing), ("stale", stale), ("extra", extra)):
        for doc_id in ids[:50]:
            click.echo(f"{label}: {doc_id}")
        if len(ids) > 50:
            click.echo(f"{label}: ... and {len(ids) - 50} more")
    click.echo(f"{len(expected)} documents in the database, {len(indexed)} in the index: "
               f"{len(missing)} missing, {len(stale)} stale, {len(extra)} extra, {queued} queued.")
    return 1 if missing or stale or extra else 0
