"""The core registers its own blueprints and commands through the same hooks
as any plugin."""

from .hookspecs import hookimpl


@hookimpl
def register_blueprints(app):
    # Here, not at the top: the views use the plugin host, which imports this module.
    from .views import admin, auth, mail, pages, tokens

    for module in (pages, auth, admin, mail, tokens):
        app.register_blueprint(module.bp)


@hookimpl
def register_cli(group, app):
    # Here, not at the top: the commands use the plugin host, which imports this module.
    from . import backup, cli
    from .mail.cli import mail  # (the same reason)

    cli.register(group, app.extensions["wiki.plugins"])
    group.add_command(mail)
    for command in backup.COMMANDS:
        group.add_command(command)


@hookimpl
def register_api(api):
    # Here, not at the top: the endpoints use the plugin host, which imports this module.
    from .rest import pages

    pages.register(api)
