"""The import rules of the wiki, checked by ``python -m wiki.importrules``.

1. A plugin imports the core only through ``wiki.api`` (and the hook markers
   of ``wiki.hookspecs``): the rest of ``wiki`` may change at any time.
2. The core never imports a plugin (it loads them through the plugin host).
3. The core's modules import each other without cycles (imports at the top
   of a module; one inside a function is the app-factory idiom and says why
   in a comment).

``make test`` checks the built-in plugins and the core; a third-party plugin
checks itself with ``python -m wiki.importrules path/to/its/package``
(docs/plugins.md). Reads the source (``ast``): nothing is imported.
"""

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

CORE = "wiki"
ALLOWED_FOR_PLUGINS = ("wiki.api", "wiki.hookspecs")
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str  # absolute name of what is imported
    in_function: bool
    commented: bool  # a comment on its line or the line above


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self):
        try:
            where = self.path.relative_to(Path.cwd())
        except ValueError:
            where = self.path
        return f"{where}:{self.line}: {self.message}"


def module_name(path, package_root):
    """``plugins/labels/views.py`` -> ``plugins.labels.views``."""
    parts = list(path.relative_to(package_root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path, package_root):
    """Every import statement of the module at ``path``, names made absolute."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source, filename=str(path))
    name = module_name(path, package_root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []

    def commented(lineno):
        here = lines[lineno - 1]
        above = lines[lineno - 2].strip() if lineno > 1 else ""
        return "#" in here or above.startswith("#")

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append(Import(path, child.lineno, alias.name, in_function, commented(child.lineno)))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - (child.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [base] if child.module else [f"{base}.{a.name}" for a in child.names]
                # "from . import services" names a module; "from .x import y" names x.
                if child.module:
                    targets = [f"{base}.{a.name}" if _is_module(package_root, f"{base}.{a.name}") else base
                               for a in child.names]
                for target in dict.fromkeys(targets):
                    found.append(Import(path, child.lineno, target, in_function, commented(child.lineno)))
            visit(child, inner)

    visit(tree, False)
    return found


def _is_module(package_root, name):
    """Whether ``name`` is a module of the package checked, or of the wiki."""
    parts = name.split(".")
    if parts[0] == package_root.name:
        base = package_root.parent.joinpath(*parts)
    elif parts[0] == CORE:
        base = ROOT.joinpath(*parts)
    else:
        return False
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _python_files(folder):
    return sorted(p for p in Path(folder).rglob("*.py") if "migrations" not in p.parts)


def _within(module, package):
    return module == package or module.startswith(package + ".")


def check_plugin(folder):
    """Problems of rule 1 in the plugin package at ``folder``."""
    folder = Path(folder).resolve()
    problems = []
    for path in _python_files(folder):
        for imp in imports(path, folder):
            if _within(imp.module, CORE) and not any(_within(imp.module, a) for a in ALLOWED_FOR_PLUGINS):
                problems.append(Problem(
                    path, imp.line,
                    f"imports {imp.module}: a plugin imports the wiki only through wiki.api "
                    "(and wiki.hookspecs), see docs/plugins.md"))
    return problems


def check_core(core=ROOT / CORE, plugin_packages=("plugins",)):
    """Problems of rules 2 and 3 in the core package at ``core``."""
    core = Path(core).resolve()
    problems, graph = [], {}
    for path in _python_files(core):
        name = module_name(path, core)
        graph.setdefault(name, set())
        for imp in imports(path, core):
            if any(_within(imp.module, p) for p in plugin_packages):
                problems.append(Problem(path, imp.line, f"imports {imp.module}: the core never imports a "
                                        "plugin; plugins reach it through hooks"))
            if not _within(imp.module, CORE) or imp.module == name:
                continue
            if imp.in_function:
                if not imp.commented:
                    problems.append(Problem(path, imp.line, f"imports {imp.module} inside a function "
                                            "without a comment saying why"))
                continue
            graph[name].add(imp.module)
    for cycle in cycles(graph):
        problems.append(Problem(core / "__init__.py", 1, "import cycle: " + " -> ".join(cycle + cycle[:1])))
    return problems


def cycles(graph):
    """The import cycles of ``graph`` (module -> modules it imports), one per
    strongly connected group of modules (Tarjan's algorithm)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in graph:
                continue
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def main(argv=None):
    """Check the core and the built-in plugins, or the plugin folders given."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        problems = [p for folder in argv for p in check_plugin(folder)]
    else:
        problems = check_core()
        for folder in sorted((ROOT / "plugins").iterdir()):
            if (folder / "__init__.py").is_file():
                problems += check_plugin(folder)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} import rule(s) broken (docs/plugins.md).", file=sys.stderr)
        return 1
    print("Import rules: all kept.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
