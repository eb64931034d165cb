"""The search engines, by the name ``SEARCH_ENGINE`` gives them.

Each engine is one module here, imported only when chosen (so Whoosh is
not loaded by a wiki that runs on FTS5). Each keeps its index in a folder
of its own, ``SEARCH_INDEX_DIR/<name>``: switching engines leaves the other
index where it is, and switching back catches it up from the change log.
"""

import importlib
import os

from ..folder import IndexFolder

ENGINES = {"whoosh": ("whoosh", "WhooshEngine"), "sqlite": ("sqlite", "SQLiteEngine")}
DEFAULT = "whoosh"


class UnknownEngine(ValueError):
    pass


def engine_class(name):
    """The engine class called ``name``; ``UnknownEngine`` with the known names."""
    if name not in ENGINES:
        known = ", ".join(f'"{n}"' for n in ENGINES)
        raise UnknownEngine(f"SEARCH_ENGINE is {name!r}: there is no such search engine (known: {known}).")
    module, cls = ENGINES[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def create(name, root):
    """The engine ``name`` on its folder under ``root``."""
    return engine_class(name)(IndexFolder(os.path.join(root, name)))
