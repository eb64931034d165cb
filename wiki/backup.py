"""``flask --app wiki backup FILE`` and ``restore FILE``: the whole wiki in one
archive (format: ``archive.py``), taken while the wiki runs, restored into a
new instance, on the same kind of database or another.

Generic over ``db.metadata``, so the tables of loaded plugins come along
without the core knowing them. A table declared with
``info={"backup": False}`` is not stored as rows: it holds derived data (the
search change log), which the ``wiki_restored`` hook rebuilds, or bytes that
its plugin stores as files. Files that plugins keep (the bytes of
attachments) go under ``files/`` through the ``backup_files`` hook, and come
back through ``restore_file``: the archive does not depend on where they
were kept.
"""

import contextlib
import os
import posixpath
import tempfile
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import click
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade

from .archive import DAMAGED, ArchiveError, ArchiveReader, ArchiveWriter, decoder
from .extensions import db
from .models import Page, User
from .plugins import hook
from .text import human_size

BATCH = 1000  # rows per fetch and per INSERT: tables are never all in memory
INSTANCE_FILES = ("config.py", "secret_key")


# -- backup --------------------------------------------------------------------------


def _snapshot(conn):
    """Make every later read on ``conn`` see the database at one moment,
    while writers go on."""
    if conn.dialect.name == "sqlite":
        # pysqlite starts no transaction for a SELECT, so each would see the
        # latest commit; in WAL mode one explicit transaction reads one snapshot.
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _tables(conn):
    """The tables to store, parents first. Models that another app of this
    process imported (tests) may have no table in this database."""
    existing = set(sa.inspect(conn).get_table_names())
    return [t for t in db.metadata.sorted_tables if t.name in existing and t.info.get("backup", True)]


def _rows(count):
    return f"{count} row{'' if count == 1 else 's'}"


def _files(count, size):
    return f"{count} file{'' if count == 1 else 's'} ({human_size(size)})"


def _stored_name(name):
    """Refuse a plugin's file name that is not a plain relative path: it
    would land outside ``files/`` when the archive is unpacked."""
    if not isinstance(name, str) or "\\" in name or posixpath.normpath(name) != name \
            or name.startswith(("/", "..")) or "/" not in name:
        raise click.ClickException(f"A plugin named a file {name!r} for the backup: it must be a "
                                   "relative path starting with the plugin's name.")
    return name


def _write_files(archive, conn):
    """Store the files that plugins keep, as the rows the snapshot holds refer
    to them; one that is missing is listed, and the backup goes on."""
    count, size, missing, seen = 0, 0, [], set()
    for listed in hook().backup_files(connection=conn):
        for name, opener in listed or ():
            if _stored_name(name) in seen:
                continue
            seen.add(name)
            try:
                stream = opener()
            except (LookupError, OSError) as e:
                reason = e.args[0] if isinstance(e, LookupError) and e.args else str(e)
                missing.append({"name": name, "reason": str(reason)})
                continue
            with contextlib.closing(stream):
                size += archive.write_stream(name, stream)
            count += 1
    return {"count": count, "bytes": size, "missing": missing}


def _wiki_version():
    try:
        return version("wiki")
    except PackageNotFoundError:
        return "unknown"


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--with-secret-key", is_flag=True,
              help="Also store instance/secret_key, so sessions survive a restore. "
                   "Sensitive: whoever has the key can forge a session.")
@with_appcontext
def backup_command(file, with_secret_key):
    """Write the whole wiki to FILE (a zip archive) without stopping it."""
    instance = current_app.instance_path
    wanted = [name for name in INSTANCE_FILES if name != "secret_key" or with_secret_key]
    if with_secret_key and not os.path.exists(os.path.join(instance, "secret_key")):
        raise click.ClickException("There is no instance/secret_key: SECRET_KEY comes from "
                                   "the configuration, keep it with your settings.")
    try:
        with ArchiveWriter(file) as archive, db.engine.connect() as conn:
            _snapshot(conn)
            for table in _tables(conn):
                query = sa.select(table).order_by(*table.primary_key)
                result = conn.execution_options(yield_per=BATCH).execute(query)
                archive.write_table(table.name, table.columns.keys(), result.mappings())
            heads = sorted(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))
            files = _write_files(archive, conn)
            stored = []
            for name in wanted:
                path = os.path.join(instance, name)
                if os.path.exists(path):
                    with open(path, "rb") as f:
                        archive.write_file(f"instance/{name}", f.read())
                    stored.append(f"instance/{name}")
            archive.write_manifest(
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                wiki_version=_wiki_version(),
                database={"dialect": conn.dialect.name, "alembic_heads": heads},
                derived_tables=sorted(t.name for t in db.metadata.sorted_tables
                                      if not t.info.get("backup", True)),
                instance_files=stored,
                files=files,
            )
    except OSError as e:
        raise click.ClickException(f"Cannot write {file}: {e}") from None
    total = sum(t["rows"] for t in archive.tables)
    parts = [f"{_rows(total)} of {len(archive.tables)} tables", *stored]
    if files["count"]:
        parts.insert(1, _files(files["count"], files["bytes"]))
    click.echo(f"Backed up {', '.join(parts[:-1])}{' and ' if len(parts) > 1 else ''}{parts[-1]} "
               f"to {file}.")
    if files["missing"]:
        # The backup is kept: everything else is in it. `files check` finds the same.
        click.echo(f"Not in the backup: {len(files['missing'])} file"
                   f"{'' if len(files['missing']) == 1 else 's'} missing from where the wiki keeps "
                   "them (the archive's manifest lists them too):", err=True)
        for item in files["missing"]:
            click.echo(f"  {item['reason']}", err=True)


# -- restore -------------------------------------------------------------------------


def _check_compatible(archive):
    """The archive's tables, in insert order, once it is known that this wiki
    has every migration and column the archive was made with."""
    config = current_app.extensions["migrate"].migrate.get_config()
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    unknown = sorted(set(archive.manifest.get("database", {}).get("alembic_heads", [])) - known)
    if unknown:
        raise ArchiveError(
            f"{archive.path} was made by a newer version of the wiki or with a plugin that is "
            f"not loaded here (unknown migrations: {', '.join(unknown)}): restore it with that "
            "version and plugins.")
    names = set()
    for entry in archive.tables:
        table = db.metadata.tables.get(entry["name"])
        if table is None:
            raise ArchiveError(f"{archive.path} has a table this wiki does not know: "
                               f"{entry['name']} (is its plugin disabled?)")
        missing = sorted(set(entry["columns"]) - set(table.columns.keys()))
        if missing:
            raise ArchiveError(f"{archive.path}: table {table.name} has columns this wiki does "
                               f"not know: {', '.join(missing)}")
        names.add(table.name)
    return [t for t in db.metadata.sorted_tables if t.name in names]


def _refuse_content(conn):
    """Stop unless the database is new: no account, no page (or no tables yet)."""
    if not sa.inspect(conn).has_table(Page.__tablename__):
        return
    users = conn.scalar(sa.select(sa.func.count(User.id)))
    pages = conn.scalar(sa.select(sa.func.count(Page.id)))
    if users or pages:
        raise click.ClickException(
            f"The wiki already has content ({users} accounts, {pages} pages). Restore only into "
            "a new instance: point WIKI_INSTANCE_PATH (or SQLALCHEMY_DATABASE_URI) at an empty one.")


def _insert(conn, table, rows, later):
    """Insert ``rows`` in batches. Columns in ``later`` (foreign keys to this
    table or one inserted after it) go in NULL; the returned rows set them
    once every table is in."""
    decoders = {name: decoder(column.type) for name, column in table.columns.items()}
    pk = [c.name for c in table.primary_key]
    batch, fixes, count = [], [], 0
    for row in rows:
        row = {k: decoders[k](v) if v is not None and decoders.get(k) else v for k, v in row.items()}
        if any(row.get(c) is not None for c in later):
            fixes.append({f"b_{k}": row.get(k) for k in pk + later})
            row.update(dict.fromkeys(later))
        batch.append(row)
        count += 1
        if len(batch) == BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return count, fixes


def _load(archive, tables):
    """Every row in one transaction: a failure leaves the database empty."""
    order = {t.name: i for i, t in enumerate(db.metadata.sorted_tables)}
    expected = {entry["name"]: entry["rows"] for entry in archive.tables}
    counts, updates = {}, []
    with db.engine.begin() as conn:
        _refuse_content(conn)  # again, now in the transaction that writes
        # Without accounts or pages, rows can only be ones the migrations
        # seeded or short-lived ones (a failed sign-in): the archive's replace them.
        for table in reversed(tables):
            conn.execute(table.delete())
        for table in tables:
            # page.parent_id, page.current_revision_id, a comment's parent_id:
            # rows that point at rows not inserted yet.
            later = [c.name for c in table.columns if c.nullable and any(
                order[fk.column.table.name] >= order[table.name] for fk in c.foreign_keys)]
            counts[table.name], fixes = _insert(conn, table, archive.rows(table.name), later)
            if counts[table.name] != expected[table.name]:
                raise ArchiveError(f"{archive.path} is damaged: {table.name} has "
                                   f"{_rows(counts[table.name])}, its manifest says {expected[table.name]}")
            if fixes:
                where = [c == sa.bindparam(f"b_{c.name}") for c in table.primary_key]
                values = {c: sa.bindparam(f"b_{c}") for c in later}
                updates.append((table.update().where(*where).values(values), fixes))
        for statement, fixes in updates:
            conn.execute(statement, fixes)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn, tables)
    return counts


def _reset_sequences(conn, tables):
    """Rows came with their ids: move each id sequence past the largest one."""
    quote = conn.dialect.identifier_preparer.quote_identifier
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            sequence = sa.func.pg_get_serial_sequence(quote(table.name), column.name)
            conn.execute(sa.select(sa.func.setval(
                sequence, sa.func.coalesce(sa.func.max(column), 0) + 1, sa.false())))


def _write_instance_file(name, data):
    """Write ``name`` into the instance folder (owner-only, atomically). A
    config.py already there was made for this machine: it stays, and the
    archived one lands beside it."""
    instance = current_app.instance_path
    path = os.path.join(instance, name)
    if name == "config.py" and os.path.exists(path):
        path += ".from-backup"
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=f".{name}.")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path


def _restore_files(archive):
    """Give each stored file back to its plugin: ``((count, bytes), problems)``."""
    count, size, problems = 0, 0, []
    for name in archive.file_names():
        try:
            with archive.open_file(name) as stream:
                answer = hook().restore_file(name=name, stream=stream)
        except DAMAGED as e:
            raise ArchiveError(f"{archive.path} is damaged: files/{name}: {e}") from None
        except OSError as e:  # disk full: nothing is in the database yet, try again later
            raise click.ClickException(f"Cannot restore files/{name}: {e}") from None
        if answer is True:
            count += 1
            size += archive.file_size(name)
        else:
            problems.append(f"files/{name}: {answer or 'no plugin takes it back (is its plugin disabled?)'}")
    return (count, size), problems


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def restore_command(file):
    """Restore the backup FILE into this instance, which must be new (empty)."""
    try:
        with ArchiveReader(file) as archive:
            tables = _check_compatible(archive)
            with db.engine.connect() as conn:
                _refuse_content(conn)  # before the migrations touch anything
            upgrade(revision="heads")
            # Before the rows: the rows' transaction leaves the database empty
            # if it fails, and the files are then in place for a second try.
            restored, problems = _restore_files(archive)
            counts = _load(archive, tables)
            written = [_write_instance_file(name, archive.read(f"instance/{name}"))
                       for name in INSTANCE_FILES if archive.has(f"instance/{name}")]
    except ArchiveError as e:
        raise click.ClickException(str(e)) from None
    notes = [note for note in hook().wiki_restored() if note]

    m = archive.manifest
    click.echo(f"Restored {file} (made {m.get('created_at')} by wiki {m.get('wiki_version')} "
               f"on {m.get('database', {}).get('dialect')}):")
    width = max((len(name) for name in counts), default=0)
    for name, count in sorted(counts.items()):
        click.echo(f"  {name:<{width}}  {_rows(count)}")
    if restored[0]:
        click.echo(f"Restored {_files(*restored)}.")
    for problem in problems:
        click.echo(f"Not restored: {problem}", err=True)
    missing = archive.files.get("missing") or []
    if missing:
        click.echo(f"The backup lacks {len(missing)} file{'' if len(missing) == 1 else 's'}, missing "
                   "when it was taken (`flask --app wiki files check` lists them):", err=True)
        for item in missing:
            click.echo(f"  {item.get('reason') or item.get('name')}", err=True)
    for path in written:
        kept = " (this instance's own config.py is kept: compare the two)" \
            if path.endswith(".from-backup") else ""
        click.echo(f"Wrote {path}{kept}.")
    for note in notes:
        click.echo(note)
    if written:
        click.echo("Restart the wiki to use the restored instance files.")


COMMANDS = [backup_command, restore_command]
