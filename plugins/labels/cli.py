"""``flask --app wiki pages put SLUG --label L [--label M]``: set a page's labels."""

import click

from .service import LabelError, labels_of, parse, set_labels

OPTION = "labels"


def _parse_option(ctx, param, values):
    """None when ``--label`` is absent (labels unchanged); otherwise the
    normalised labels, checked before anything is saved. ``--label ''`` clears."""
    if not values:
        return None
    try:
        names = [name for value in values for name in parse(value)]
    except LabelError as e:
        raise click.BadParameter(e.message) from None
    return list(dict.fromkeys(names))


def options():
    return [click.Option(
        ["--label", OPTION], multiple=True, metavar="LABEL", callback=_parse_option,
        help="Set the page's labels, replacing the current ones (repeat for several; "
             "--label '' removes them all).",
    )]


def apply(page, values, user):
    names = values.get(OPTION)
    if names is None:
        return
    if set_labels(page, names, user):
        click.echo(f"Labels of {page.slug}: {', '.join(labels_of(page)) or 'none'}.")
