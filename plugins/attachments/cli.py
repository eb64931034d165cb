"""``flask --app wiki files put|list|get|check``."""

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from wiki.api import AnonymousUser, db, find_page, human_size

from . import extraction, service
from .models import AttachmentVersion
from .store import store


class _CliUser(AnonymousUser):
    """The command line: trusted, and no account of its own."""

    can_edit = True
    is_member = True


def _page(slug):
    page, _ = find_page(slug)
    if page is None:
        raise click.ClickException(f"No page {slug!r}.")
    return page


@click.group("files")
def files():
    """Files attached to pages."""


@files.command("put")
@click.argument("slug")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", help="The name on the page (one file only; default: the file's name).")
@with_appcontext
def put_command(slug, paths, name):
    """Attach FILE... to page SLUG (the same name again adds a version)."""
    page = _page(slug)
    if name and len(paths) > 1:
        raise click.ClickException("--name takes one file.")
    for path in paths:
        with path.open("rb") as f:
            try:
                added = service.add(page, name or path.name, f, _CliUser())
            except service.AttachmentError as e:
                db.session.rollback()
                raise click.ClickException(f"{path}: {e.message}") from None
        click.echo(f"Attached {added.attachment.name} to {page.slug} (version {added.version.number}, "
                   f"{added.version.mime}, {human_size(added.version.size)}).")
    # The command line waits for the text to be read: no server may run to do it.
    _extract_all()


def _extract_all():
    def report(version_id):
        version = db.session.get(AttachmentVersion, version_id)
        name = version.attachment.name
        if version.extract_status == "done":
            pages = f", {len(version.pages_list)} pages" if version.pages_list else ""
            click.echo(f"Read the text of {name} ({len(version.text):,} characters{pages}).")
        else:
            click.echo(f"Could not read the text of {name}: {version.extract_error}. "
                       "It is found by its name only.", err=True)

    return extraction.run_pending(report)


@files.command("list")
@click.argument("slug")
@with_appcontext
def list_command(slug):
    """List the files of page SLUG: name, type, size, versions."""
    for attachment in service.listed(_page(slug)):
        v = attachment.current
        click.echo(f"{attachment.name}\t{v.mime}\t{v.size}\tversion {v.number}")


@files.command("get")
@click.argument("slug")
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it (default: standard output).")
@click.option("--version", "number", type=int, help="An older version (default: the current one).")
@with_appcontext
def get_command(slug, name, output, number):
    """Write the file NAME of page SLUG."""
    attachment = service.find(_page(slug), name)
    if attachment is None:
        raise click.ClickException(f"No file {name!r} on {slug}.")
    version = service.version(attachment, number) if number else attachment.current
    if version is None:
        raise click.ClickException(f"{name!r} has no version {number}.")
    out = output.open("wb") if output else sys.stdout.buffer
    try:
        with store().open(version.sha256) as blob:
            while data := blob.read(1024 * 1024):
                out.write(data)
    except KeyError:
        raise click.ClickException(f"The bytes of {name!r} are missing from the store.") from None
    finally:
        if output:
            out.close()


@files.command("extract")
@click.option("--retry-failed", is_flag=True, help="Try again the files whose text could not be read.")
@with_appcontext
def extract_command(retry_failed):
    """Read the text of attached files that wait for it (for search). The
    wiki's processes do this in the background; this command is for a wiki
    run with ATTACHMENTS_EXTRACT_IN_BACKGROUND = False, or to retry."""
    if retry_failed:
        click.echo(f"{extraction.retry_failed()} failed files queued again.")
    done = _extract_all()
    click.echo(f"{done} file{'' if done == 1 else 's'} read.")


@files.command("check")
@with_appcontext
def check_command():
    """Compare the store with the database: missing blobs and orphans; exit 1
    when there are any."""
    wanted = set(db.session.scalars(db.select(AttachmentVersion.sha256))) | {
        s for s in db.session.scalars(db.select(AttachmentVersion.rendition_sha256)) if s}
    kept = set(store().names())
    missing, orphans = sorted(wanted - kept), sorted(kept - wanted)
    for sha256 in missing:
        click.echo(f"missing: {sha256}")
    for sha256 in orphans:
        click.echo(f"orphan: {sha256}")
    click.echo(f"{len(wanted)} blobs in the database, {len(kept)} in the store: "
               f"{len(missing)} missing, {len(orphans)} orphans.")
    sys.exit(1 if missing or orphans else 0)
