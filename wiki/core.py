"""The core registers its own blueprints and commands through the same hooks
as any plugin."""

from .hookspecs import hookimpl


@hookimpl
def register_blueprints(app):
    # Here, not at the top: the views use the plugin host, which imports this module.
    from .views import admin, auth, pages

    for module in (pages, auth, admin):
        app.register_blueprint(module.bp)


@hookimpl
def register_cli(group, app):
    # Here, not at the top: the commands use the plugin host, which imports this module.
    from . import backup, cli

    cli.register(group, app.extensions["wiki.plugins"])
    for command in backup.COMMANDS:
        group.add_command(command)
