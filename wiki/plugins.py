"""The plugin host: one pluggy manager per app.

Plugins come from three places, in this order: the core itself
(``wiki.core``), the packages of the ``plugins/`` folder, and the
``wiki.plugins`` entry-point group of installed distributions. Config
``PLUGINS`` (names to load, None for all) and ``DISABLED_PLUGINS`` decide;
a blocked plugin is never imported.
"""

import importlib
import pkgutil
from importlib.metadata import entry_points
from pathlib import Path

import pluggy
from flask import current_app

from . import core, hookspecs, i18n

ENTRY_POINT_GROUP = "wiki.plugins"
BUILTIN_PACKAGE = "plugins"


def builtin_plugin_names():
    package = importlib.import_module(BUILTIN_PACKAGE)
    return sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.ispkg)


def build_manager(config):
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)

    wanted, disabled = config.get("PLUGINS"), set(config.get("DISABLED_PLUGINS") or ())
    if "core" in disabled:
        # set_blocked would unregister the core: an app without its own views.
        raise ValueError("DISABLED_PLUGINS cannot name 'core': it is the wiki itself")

    def allowed(name):
        return name not in disabled and (wanted is None or name in wanted)

    pm.register(core, name="core")
    for name in builtin_plugin_names():
        if allowed(name):
            pm.register(importlib.import_module(f"{BUILTIN_PACKAGE}.{name}"), name=name)
    for name in disabled:
        pm.set_blocked(name)  # entry points with these names are skipped too
    if wanted is not None:
        # load_setuptools_entrypoints has no allowlist: block the others first.
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name not in wanted:
                pm.set_blocked(ep.name)
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)

    for extra in config.get("EXTRA_PLUGINS") or ():
        plugin = importlib.import_module(extra) if isinstance(extra, str) else extra
        pm.register(plugin)
    # Hooks declared by plugins, for one another: after every plugin is
    # registered, so that check_pending sees them all.
    for specs in pm.hook.register_hookspecs():
        if specs is not None:
            pm.add_hookspecs(specs)
    pm.check_pending()
    return pm


def init_app(app):
    pm = build_manager(app.config)
    app.extensions["wiki.plugins"] = pm

    migration_dirs = [d for d in pm.hook.register_models() if d]
    app.extensions["wiki.migration_dirs"] = [str(d) for d in migration_dirs]
    pm.hook.register_blueprints(app=app)
    pm.hook.register_cli(group=app.cli, app=app)
    for _name, plugin in pm.list_name_plugin():
        # A plugin's own catalogs: a ``translations`` folder beside its module
        # (the bundled plugins share the core's).
        module_file = getattr(plugin, "__file__", None)
        if plugin is not core and module_file and (Path(module_file).parent / "translations").is_dir():
            i18n.add_translations(app, Path(module_file).parent / "translations")


def manager():
    return current_app.extensions["wiki.plugins"]


def hook():
    """The hook caller of the current app: ``hook().page_saved(page=..., ...)``."""
    return manager().hook


def loaded_plugin_names():
    # Blocked names stay listed by pluggy, with None as the plugin.
    return sorted(name for name, plugin in manager().list_name_plugin()
                  if name != "core" and plugin is not None)
