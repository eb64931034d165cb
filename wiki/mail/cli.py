"""``flask --app wiki mail send`` (one delivery pass: for cron, or when no
app server runs) and ``flask --app wiki mail test ADDRESS``."""

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from .addresses import clean_address
from .outbox import enabled, queue_template
from .sender import deliver_pending, send_now

mail = AppGroup("mail", help="Deliver the messages waiting in the outbox; check the mail settings.")


def _mail_on():
    if not enabled():
        raise click.ClickException("Mail is off: set MAIL_SERVER (and MAIL_FROM) to send mail, "
                                   "see docs/mail.md.")


@mail.command("send")
def send_command():
    """Run one delivery pass: send the messages that are due, retry the
    ones that failed when their time comes, queue and send the digests."""
    _mail_on()
    outcome = deliver_pending()
    click.echo(f"Sent {outcome.sent}, to retry later {outcome.retried}, given up {outcome.given_up}.")


@mail.command("test")
@click.argument("address")
def test_command(address):
    """Send a test message to ADDRESS now, to check the mail settings."""
    _mail_on()
    to = clean_address(address)
    if to is None:
        raise click.ClickException(f"Not an e-mail address: {address!r}.")
    config = current_app.config
    message = queue_template(to, "test", config["DEFAULT_LANGUAGE"], requested=True,
                             server=f"{config['MAIL_SERVER']}:{config['MAIL_PORT']}")
    db.session.commit()
    error = send_now(message.id)
    if error is not None:
        raise click.ClickException(f"Could not send to {to} through {config['MAIL_SERVER']}:"
                                   f"{config['MAIL_PORT']}: {error}")
    click.echo(f"Sent a test message to {to}.")
