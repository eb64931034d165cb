"""``flask --app wiki ...``: init, users, pages, demo."""

import copy
import functools
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade

from . import accounts, page_templates, services
from .demo import load_demo
from .extensions import db
from .models import ROLES, VISIBILITIES, AnonymousUser, Page
from .plugins import hook
from .rest.tokens import MAX_DAYS, SCOPES, TokenError, create_token, revoke_token, tokens_of
from .transfer.confluence import htmlexport, xmlexport
from .transfer.confluence import source as confluence
from .transfer.confluence.writer import import_space
from .transfer.exporter import ExportError, export_pages
from .transfer.importer import import_pages, prepare


@click.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database and instance folder (safe to run again)."""
    upgrade(revision="heads")
    click.echo(f"Instance folder: {current_app.instance_path}")
    click.echo("Database is up to date.")


users = AppGroup("users", help="Manage accounts (docs/accounts.md).")


def _account(username):
    user = accounts.find_user(username)
    if user is None:
        raise click.ClickException(f"No account {username!r}.")
    return user


@users.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), default="member", show_default=True)
@click.option("--password", help="Asked for when not given.")
@click.option("--display-name", help="Shown on pages and comments; defaults to the username.")
@click.option("--email", metavar="ADDRESS", help="The account's e-mail address (counts as confirmed).")
def create_user_command(username, role, password, display_name, email):
    """Create an account."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(username, password, role, display_name, email, email_confirmed=True)
    except accounts.AccountError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"Created {user.role} {user.username}{f' <{user.email}>' if user.email else ''}.")


@users.command("list")
def list_command():
    """Every account: username, display name, role, active, e-mail, created."""
    rows = [("USERNAME", "DISPLAY NAME", "ROLE", "ACTIVE", "E-MAIL", "CREATED")]
    for user in accounts.all_users():
        address = user.email or "-"
        if user.email and user.email_confirmed_at is None:
            address += " (unconfirmed)"
        rows.append((user.username, user.display_name, user.role, "yes" if user.active else "no", address,
                     user.created_at.strftime("%Y-%m-%d %H:%M")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=False)) + row[-1])


@users.command("disable")
@click.argument("username")
def disable_command(username):
    """Disable the account USERNAME: it cannot sign in, its sessions end at once."""
    user = _account(username)
    accounts.set_active(user, False)
    click.echo(f"{user.username} is disabled: it cannot sign in, and its sessions ended.")


@users.command("enable")
@click.argument("username")
def enable_command(username):
    """Enable the account USERNAME again."""
    user = _account(username)
    accounts.set_active(user, True)
    click.echo(f"{user.username} is enabled: it can sign in again.")


@users.command("set-password")
@click.argument("username")
@click.option("--password", help="Asked for (twice) when not given.")
def password_command(username, password):
    """Give the account USERNAME a password: an account an import made has
    none, and cannot sign in until it gets one. Its other sessions end."""
    user = _account(username)
    first = not user.has_password
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        accounts.set_password(user, password)
    except accounts.AccountError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"{user.username} has {'a password: they can sign in now' if first else 'a new password'}.")


@users.command("token")
@click.argument("username")
@click.option("--scope", type=click.Choice(SCOPES), default="read", show_default=True,
              help="read: GET calls only; write: changes too, as the account's role allows.")
@click.option("--expires", "days", type=click.IntRange(1, MAX_DAYS), metavar="DAYS",
              help="It stops working after DAYS days (default: never).")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def token_command(username, scope, days, name):
    """Make a personal API token of USERNAME (docs/api.md) and print it: it is
    shown this once, and only its digest is kept."""
    user = _account(username)
    if not user.is_active:
        raise click.ClickException(f"{user.username} is disabled: its tokens would not work.")
    try:
        row, token = create_token(user, name, scope, days)
    except TokenError as e:
        raise click.ClickException(str(e)) from None
    until = row.expires_at.strftime("%Y-%m-%d %H:%M UTC") if row.expires_at else "never"
    click.echo(f"Token {row.id} of {user.username} ({scope}, expires: {until}); keep it secret, it is "
               "not shown again:", err=True)
    click.echo(token)


@users.command("tokens")
@click.argument("username")
def tokens_command(username):
    """The API tokens of USERNAME that are not revoked."""
    user = _account(username)
    rows = tokens_of(user)
    if not rows:
        click.echo(f"{user.username} has no API token.")
    for row in rows:
        state = "expired" if row.expired else (
            f"expires {row.expires_at:%Y-%m-%d}" if row.expires_at else "no expiry")
        used = f"last used {row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never used"
        click.echo(f"{row.id}  {row.hint}…  {row.scope:<5}  {row.name}  (created {row.created_at:%Y-%m-%d}, "
                   f"{state}, {used})")


@users.command("revoke-token")
@click.argument("username")
@click.argument("token_id", type=int)
def revoke_token_command(username, token_id):
    """Revoke the API token TOKEN_ID of USERNAME (``users tokens`` lists them)."""
    user = _account(username)
    if not revoke_token(user, token_id):
        raise click.ClickException(f"{user.username} has no live token {token_id}.")
    click.echo(f"Token {token_id} of {user.username} is revoked.")


# The command's name before ``set-password``: scripts that use it keep working.
_password_alias = copy.copy(password_command)
_password_alias.hidden = True
users.add_command(_password_alias, "password")


class _CliUser(AnonymousUser):
    """The CLI acts as a trusted editor that reads everything; revisions get no author."""

    can_edit = True
    is_member = True


def _find(slug):
    page, _ = services.find_page(slug)
    return page


@click.command("put")
@with_appcontext
@click.argument("slug")
@click.option("--title", help="Required for a new page; renames an existing one (its address stays).")
@click.option("--parent", help="Slug of the parent page.")
@click.option("--visibility", type=click.Choice(VISIBILITIES))
@click.option("--summary", default="", help="Edit summary.")
@click.option("--file", "file", type=click.File("r", encoding="utf-8"), default="-",
              help="Markdown file (default: standard input).")
@click.option("--template", "template_slug", metavar="TEMPLATE-SLUG",
              help="Create the new page from this template (docs/templates.md): its text, labels and "
                   "child pages; no file is read.")
@click.option("--no-children", is_flag=True, help="With --template: not the template's child pages.")
def put_command(slug, title, parent, visibility, summary, file, template_slug, no_children, **plugin_options):
    """Create the page at address SLUG, or add a revision to it."""
    user = _CliUser()
    parent_page = None
    if parent:
        parent_page = _find(parent)
        if parent_page is None:
            raise click.ClickException(f"No page {parent!r} to use as parent.")
    if template_slug:
        _put_from_template(slug, title, parent_page, visibility, summary, template_slug, not no_children,
                           plugin_options, user)
        return
    body = file.read()
    try:
        page = _find(slug)
        if page is None:
            if not title:
                raise click.ClickException("A new page needs --title.")
            page = services.create_page(title, body, user, summary, parent_page,
                                        visibility or "public", slug=slug)
            hook().page_cli_put(page=page, options=plugin_options, user=user)
            click.echo(f"Created {page.slug} (revision 1).")
            return
        result = services.save_page(page, body, user, summary, title=title)
        services.change_settings(page, user, parent=parent_page if parent is not None else services.UNCHANGED,
                                 visibility=visibility)
        hook().page_cli_put(page=page, options=plugin_options, user=user)
    except services.PageError as e:
        raise click.ClickException(e.message) from None
    if result.revision is None:
        click.echo(f"{page.slug}: text unchanged.")
    else:
        click.echo(f"Saved {page.slug} (revision {result.revision.number}).")


def _put_from_template(slug, title, parent, visibility, summary, template_slug, children, options, user):
    """``pages put --template``: a new page only, from the template's text."""
    if _find(slug) is not None:
        raise click.ClickException(f"{slug} exists: --template only creates pages.")
    if not title:
        raise click.ClickException("A new page needs --title.")
    template, problem = page_templates.find_template(template_slug, user)
    if template is None:
        raise click.ClickException(problem)
    try:
        page, made = page_templates.create_from_template(
            template, title, template.page.current_revision.body, user, summary, parent,
            visibility or "public", slug=slug, language=template.page.lang, children=children)
    except services.PageError as e:
        raise click.ClickException(e.message) from None
    hook().page_cli_put(page=page, options=options, user=user)
    page_templates.copy_labels(template, page, made, user)
    click.echo(f"Created {page.slug} (revision 1) from the template {template.page.slug}.")
    for child in made:
        click.echo(f"Created {child.slug} under {child.parent.slug}.")


@click.command("get")
@with_appcontext
@click.argument("slug")
def get_command(slug):
    """Print the current Markdown of page SLUG."""
    page = _find(slug)
    if page is None:
        raise click.ClickException(f"No page {slug!r}.")
    sys.stdout.write(page.current_revision.body)


def _interactive():
    return sys.stderr.isatty()


@click.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "kind", type=click.Choice(["markdown", "confluence"]),
              help="What PATH holds. Default: a Confluence space export (zipped or not, XML or HTML) "
                   "when it is one, else a folder of Markdown files.")
@click.option("--parent", help="Slug of the page to put the top-level pages under.")
@click.option("--label", "labels", multiple=True, metavar="LABEL",
              help="Add LABEL to every imported page (repeat for several).")
@click.option("--visibility", type=click.Choice(VISIBILITIES),
              help="For pages whose front matter does not say (Confluence: every page); new pages are "
                   "public otherwise.")
@click.option("--dry-run", is_flag=True,
              help="Confluence: show what would be created, updated, unchanged or skipped; write nothing.")
@click.option("--timezone", metavar="ZONE",
              help="Confluence XML export: the time zone its dates are written in (e.g. Europe/Berlin), "
                   "when its descriptor does not say.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes rendering the pages (default: one per CPU).")
def import_command(path, kind, parent, labels, visibility, dry_run, timezone, jobs):
    """Import PATH: a Confluence space export (docs/import-confluence.md), or
    every *.md file under a folder as a page, its folders becoming the page
    tree (docs/import-export.md). Running it again only changes what changed."""
    parent_page = None
    if parent:
        parent_page = _find(parent)
        if parent_page is None:
            raise click.ClickException(f"No page {parent!r} to import under.")
    if kind is None:
        kind = "confluence" if path.is_file() or confluence.detect(path) else "markdown"
    if kind == "confluence":
        _import_confluence(path, parent_page, labels, visibility, dry_run, timezone, jobs)
        return
    if not path.is_dir():
        raise click.ClickException(f"{path}: a Markdown import reads a folder, not a file.")
    if dry_run:
        raise click.ClickException("--dry-run is for Confluence exports; a folder of Markdown files can be "
                                   "imported again at any time, and only what changed changes.")
    entries, skipped = prepare(path, labels)
    if not entries and not skipped:
        click.echo(f"Nothing to import: no .md files in {path}.")
        return
    write = functools.partial(import_pages, entries, skipped, _CliUser(), parent_page, visibility,
                              jobs=jobs)
    if _interactive():  # a bar on a terminal; a log or a pipe gets the summary only
        with click.progressbar(length=len(entries), label="Importing", show_pos=True,
                               file=sys.stderr) as bar:
            report = write(progress=bar.update)
    else:
        report = write()
    for item in report.skipped:
        click.echo(f"Skipped {item.path}: {item.reason}", err=True)
    for item in report.problems:
        click.echo(f"{item.path}: {item.reason}", err=True)
    if report.labels_ignored:
        click.echo("Labels were not set: no plugin keeps labels.", err=True)
    if report.files_ignored:
        click.echo(f"Files were not imported ({report.files_ignored} left out): no plugin keeps files "
                   "(is the attachments plugin disabled?); the links to them stay as they were.", err=True)
    click.echo(f"Imported {path}: {report.summary()}.")


def _import_confluence(path, parent, labels, visibility, dry_run, timezone, jobs):
    """Read the export at ``path``, write its space, print the report."""
    if timezone:
        try:
            confluence.time_zone(timezone)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--timezone") from None
    try:
        with confluence.open_export(path) as export:
            if _interactive():
                click.echo(f"Reading {path} (Confluence {export.kind.upper()} export)...", err=True)
            reader = xmlexport if export.kind == "xml" else htmlexport
            space = reader.read(export, timezone=timezone)
            write = functools.partial(import_space, space, _CliUser(), parent, labels, visibility, dry_run,
                                      jobs=jobs)
            if _interactive():
                with click.progressbar(length=len(space.pages), label="Importing", show_pos=True,
                                       file=sys.stderr) as bar:
                    report = write(progress=bar.update)
            else:
                report = write()
    except confluence.ExportError as e:
        raise click.ClickException(str(e)) from None
    _print_confluence_report(report)


def _print_confluence_report(report):
    if report.problems:
        click.echo(f"Problems ({len(report.problems)}): what was left out, and why", err=True)
        for problem in report.problems:
            click.echo(f"  {problem.where}: {problem.reason}", err=True)
    if report.labels_ignored:
        click.echo("Labels were not set: no plugin keeps labels.", err=True)
    for what, count, plugin in (("Comments", report.comments_ignored, "comments"),
                                ("Files", report.files_ignored, "attachments")):
        if count:
            click.echo(f"{what} were not imported ({count} left out): no plugin keeps them (is the {plugin} "
                       "plugin disabled?).", err=True)
    click.echo(report.summary())
    approximations = report.approximations()
    if approximations:
        click.echo("Approximations: what the wiki's Markdown cannot hold as Confluence showed it")
        for line in approximations:
            click.echo(f"  {line}")


@click.command("export")
@with_appcontext
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--public-only", is_flag=True, help="Only the pages anonymous visitors can read.")
def export_command(folder, public_only):
    """Write each page as FOLDER/<slug>.md (with front matter), the tree as
    folders, and its files in FOLDER/<slug>.files/."""
    try:
        result = export_pages(folder, AnonymousUser() if public_only else _CliUser())
    except ExportError as e:
        raise click.ClickException(str(e)) from None
    for note in result.notes:
        click.echo(note, err=True)
    files = f" and {result.files} file{'' if result.files == 1 else 's'}" if result.files else ""
    click.echo(f"Exported {result.pages} pages{files} to {folder}.")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only when the wiki has no pages yet.")
def demo_command(if_empty):
    """Load demo content: a small workshop space with sessions as child pages."""
    if if_empty and db.session.scalar(db.select(db.func.count(Page.id))):
        click.echo("The wiki has pages already: no demo content loaded.")
        return
    count = load_demo(_CliUser())
    click.echo(f"Demo content loaded: {count} pages.")


def pages_group(plugin_options):
    """A ``pages`` group for one app: ``put`` gains the options plugins add
    (``page_cli_options`` hook), on a copy, so apps never share them."""
    put = copy.copy(put_command)
    put.params = [*put_command.params, *plugin_options]
    group = AppGroup("pages", help="Read and write pages.")
    group.add_command(put)
    for command in (get_command, import_command, export_command):
        group.add_command(command)
    return group


def register(group, pm):
    plugin_options = [option for options in pm.hook.page_cli_options() for option in options or ()]
    for command in (init_command, users, pages_group(plugin_options), demo_command):
        group.add_command(command)
