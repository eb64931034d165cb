"""Confluence import benchmark: pages, comments and files per second of
``flask --app wiki pages import`` on a generated XML space export, and the
peak memory of the importing process.

    .venv/bin/python -m bench.confluence_import          # 2,000 pages, 10,000 comments, 1,000 files
    .venv/bin/python -m bench.confluence_import --pages 5000 --comments 25000 --files 2500
    .venv/bin/python -m bench.confluence_import --parts 3 --profile /tmp/import.prof  # where the time goes

The export is written, zipped, by the generator of the import's tests
(``generated_space()`` and ``write_xml_export()`` of
``tests/transfer/confluence_fixtures.py``, so the benchmark reads the format
the tests check): pages of about 2,000 characters (a heading and a
paragraph) ten children each under the first, their comments spread over
them, one small text file on each of the first pages, a label on every
third page, 20 authors (who become accounts).

Then, as ``bench/import_speed.py`` does for Markdown folders, it times the
whole command as a user runs it (process start, reading the zip, converting,
rendering, writing, comments, files, search indexing) on a fresh instance:
with every plugin (the search index built first, as in a wiki in use), and
without the search plugin so the cost of the index shows; each time the
same import again (nothing changed). For each run: wall time, the command's
CPU time (it and its worker processes: the steadier figure on a busy
machine), pages/s, pages/s per core, pages per CPU-second, comments/s and
files/s, and the memory: the importing process's peak RSS (its ``VmHWM``,
read from /proc every 20 ms), the largest process of the command (the
kernel's ``ru_maxrss`` from ``wait4``: the importer or one of its rendering
workers) and the peak of the whole command's proportional set size (the
importer and its workers, shared pages counted once). Ratios between runs
(the import again, the cost of search) hold better than absolute figures
when other work shares the machine.

``--profile FILE`` adds one more import (with search, on a fresh instance)
under cProfile, saves its statistics in FILE and reports the share of the
importing process's time spent in each stage (the worker processes that
render pages are not profiled: the importer waits for them in "rendering
pages"). The profiler slows Python's many small calls (Markdown,
SQLAlchemy) more than the database, the zip or a waiting process: the shares
say where to look, not how much a change will save. ``--parts ROUNDS``
measures that without a profiler for comments and files: the import
(without search) with every other plugin, without the comments plugin and
without the attachments plugin, in turn, ROUNDS times; the medians of the
CPU seconds each part adds.
"""

import argparse
import importlib
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.server import ROOT

MIB = 1024 * 1024
TESTS = ROOT / "tests"


def fixtures():
    """The import tests' export writer. Appended to the path (never first):
    tests/plugins must not shadow the real ``plugins`` package."""
    if str(TESTS) not in sys.path:
        sys.path.append(str(TESTS))
    return importlib.import_module("transfer.confluence_fixtures")


def write_export(path, n_pages, n_comments, n_files):
    f = fixtures()
    f.write_xml_export(f.generated_space(pages=n_pages, comments=n_comments, files=n_files), path,
                       zipped=True)
    return path


# -- memory, from /proc ----------------------------------------------------------------------------

def _status(pid, field):
    """A ``VmHWM``-like field of /proc/PID/status, in bytes (0 once the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(pid):
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    children = [int(c) for c in f.read().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


class Memory(threading.Thread):
    """Every 20 ms: the high-water mark of the process ``pid`` and the sum of
    the proportional set sizes of it and its descendants."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.hwm, self.tree_pss = pid, 0, 0
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(0.02):
            self.hwm = max(self.hwm, _status(self.pid, b"VmHWM:"))
            pids = [self.pid, *_descendants(self.pid)]
            self.tree_pss = max(self.tree_pss, sum(_pss(p) for p in pids))

    def stop(self):
        self._done.set()
        self.join()


# -- running the command ---------------------------------------------------------------------------

class Run:
    """``flask --app wiki ARGS`` on ``instance``: its wall and CPU seconds, memory and output."""

    def __init__(self, instance, *args, env=None, python=()):
        command = [*python, str(Path(sys.executable).with_name("flask")), "--app", "wiki", *args]
        started = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603 - our own flask, arguments built here
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "WIKI_INSTANCE_PATH": str(instance), **(env or {})})
        memory = Memory(proc.pid)
        memory.start()
        # Read both pipes to their end before waiting: a full pipe would stall the command.
        errors = []
        reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
        reader.start()
        out = proc.stdout.read()
        reader.join()
        _, status, usage = os.wait4(proc.pid, 0)
        self.wall = time.perf_counter() - started
        memory.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stdout.close()
        proc.stderr.close()
        if proc.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{errors[0]}")
        self.cpu = usage.ru_utime + usage.ru_stime  # the command and the workers it waited for
        self.largest_rss = usage.ru_maxrss * 1024  # kilobytes on Linux
        self.hwm, self.tree_pss, self.out = memory.hwm, memory.tree_pss, out

    def counts(self):
        """``{"pages": "2000 created, 0 updated, ...", "comments": ..., "files": ...}``: the summary's."""
        return dict(re.findall(r"^  (pages|comments|files): (.*)$", self.out, re.MULTILINE))


def figures(run, space):
    cores = os.cpu_count() or 1
    pages, comments, files = space["pages"], space["comments"], space["files"]
    return {
        "wall_s": round(run.wall, 2), "cpu_s": round(run.cpu, 2),
        "pages_per_s": round(pages / run.wall, 1), "pages_per_s_per_core": round(pages / run.wall / cores, 1),
        "pages_per_cpu_s": round(pages / run.cpu, 1),
        "comments_per_s": round(comments / run.wall, 1), "files_per_s": round(files / run.wall, 1),
        "peak_rss_mb": round(run.hwm / MIB, 1),  # the importing process
        "largest_process_rss_mb": round(run.largest_rss / MIB, 1),
        "peak_pss_all_processes_mb": round(run.tree_pss / MIB, 1),
        "counts": run.counts(),
    }


def without(plugins):
    return {"WIKI_DISABLED_PLUGINS": json.dumps(plugins)}


def timed_import(instance, export, space, env=None, search=True):
    Run(instance, "init", env=env)
    if search:
        Run(instance, "reindex", env=env)  # a wiki in use has an index: not timed
    first = Run(instance, "pages", "import", str(export), env=env)
    again = Run(instance, "pages", "import", str(export), env=env)
    return {"import": figures(first, space), "again": figures(again, space),
            "again_to_import": round(again.wall / first.wall, 2)}


# -- where the time goes ---------------------------------------------------------------------------

# Stages of the import, each some functions of the importing process:
# (file ending, function name, the class it is a method of, or None).
_WRITER, _HANDOVER = "wiki/transfer/confluence/writer.py", "wiki/transfer/confluence/handover.py"
_SEARCH = "search: indexing the import's changes at the end"
STAGES = {
    "process start (imports, app, plugins)": [],  # the rest of the time before the command's own work
    "reading the export (parsing entities.xml, spooling bodies)": [
        ("wiki/transfer/confluence/xmlexport.py", "read", None)],
    "people and the page plan": [("wiki/transfer/confluence/people.py", "resolve", "People"),
                                 ("wiki/transfer/confluence/plan.py", "plan", None)],
    "converting page bodies (storage format to Markdown)": [(_WRITER, "prepare", "_Writer")],
    "rendering pages (waiting for the worker processes)": [(_WRITER, "__init__", "_Rendering"),
                                                           (_WRITER, "finish", "_Rendering")],
    "writing pages and revisions": [(_WRITER, "write", "_Writer")],
    "labels": [(_HANDOVER, "set_labels", "Handover")],
    "comments: converting and building records": [(_HANDOVER, "_comment_records", "Handover")],
    "comments: the comments plugin storing them": [("plugins/comments/imported.py", "store_thread", None)],
    "files: the attachments plugin storing them": [(_HANDOVER, "files", "Handover")],
    _SEARCH: [("plugins/search/changes.py", "catch_up", "Indexer")],
}


def stages(profile):
    """``{stage: share of the importing process's time}`` from a cProfile
    statistics file, and the total seconds (under the profiler)."""
    stats = pstats.Stats(str(profile)).stats
    total = max(entry[3] for entry in stats.values())  # the outermost call's cumulative time
    command = sum(entry[3] for (file, _line, function), entry in stats.items()
                  if file.endswith("wiki/cli.py") and function == "import_command")
    shares = {}
    for label, functions in STAGES.items():
        seconds = sum(entry[3] for (file, line, function), entry in stats.items()
                      for path, name, cls in functions
                      if file.endswith(path) and function == name and _method_of(file, line) == cls)
        shares[label] = round(seconds / total, 3)
    # The search index catches up when the command's app context ends, after the command.
    after = shares[_SEARCH] * total
    inside = sum(shares.values()) * total - after
    shares["process start (imports, app, plugins)"] = round((total - command - after) / total, 3)
    shares["other (the command's own bookkeeping)"] = round((command - inside) / total, 3)
    shares["total_s"] = round(total, 1)
    return shares


def _method_of(file, line):
    """The class whose method starts at ``file:line`` (None: a function), read from the source."""
    lines = Path(file).read_text(encoding="utf-8").splitlines()[:line]
    if lines and lines[-1].startswith(("def ", "@")):
        return None
    owner = next((t for t in reversed(lines) if t.startswith("class ")), "")
    return owner[len("class "):].split("(")[0].split(":")[0].strip() or None


def parts(work, export, rounds):
    """What comments and files cost, without a profiler: the import without
    search, then the same without the comments plugin, then without the
    attachments plugin (what a disabled plugin keeps is left out), each on a
    fresh instance, ``rounds`` times in turn so that a busy moment of the
    machine hits all three alike. The median over the rounds of the CPU
    seconds each part adds, and of its share of the whole import's CPU time."""
    kinds = {"all": ["search"], "comments": ["search", "comments"], "files": ["search", "attachments"]}
    cpu = {kind: [] for kind in kinds}
    counts = {}
    for n in range(rounds):
        for kind, disabled in kinds.items():
            instance = work / f"parts-{kind}-{n}"
            Run(instance, "init", env=without(disabled))
            run = Run(instance, "pages", "import", str(export), env=without(disabled))
            cpu[kind].append(run.cpu)
            counts[kind] = run.counts()
    found = {"import_without_search_cpu_s": [round(c, 2) for c in cpu["all"]]}
    for kind in ("comments", "files"):
        added = [whole - less for whole, less in zip(cpu["all"], cpu[kind], strict=True)]
        found[kind] = {"cpu_s": round(statistics.median(added), 2),
                       "share_of_cpu": round(statistics.median(
                           a / whole for a, whole in zip(added, cpu["all"], strict=True)), 2),
                       "rounds_cpu_s": [round(a, 2) for a in added], "counts_without": counts[kind]}
    return found


def profiled_import(instance, export, profile):
    Run(instance, "init")
    Run(instance, "reindex")
    Run(instance, "pages", "import", str(export), python=(sys.executable, "-m", "cProfile", "-o", profile))
    return stages(profile)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=10000)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--parts", type=int, metavar="ROUNDS", default=0,
                        help="also import without comments, and without files, ROUNDS times: "
                             "what each costs")
    parser.add_argument("--profile", metavar="FILE", help="also profile one import; statistics in FILE")
    args = parser.parse_args()
    space = {"pages": args.pages, "comments": args.comments, "files": args.files}

    with tempfile.TemporaryDirectory(prefix="wiki-bench-confluence-") as workspace:
        work = Path(workspace)
        began = time.perf_counter()
        export = write_export(work / "space.zip", args.pages, args.comments, args.files)
        written = time.perf_counter() - began
        Run(work / "warm-up", "--help")  # bytecode, file cache
        start = Run(work / "start", "--help")
        report = {
            **space, "export_mb": round(export.stat().st_size / 1e6, 1),
            "export_written_s": round(written, 1),
            "cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1),
            "process_start": {"wall_s": round(start.wall, 2), "cpu_s": round(start.cpu, 2),
                              "rss_mb": round(start.hwm / MIB, 1)},
            "with_search": timed_import(work / "search", export, space),
            "without_search": timed_import(work / "no-search", export, space, without(["search"]),
                                           search=False),
        }
        report["search_to_no_search"] = round(report["with_search"]["import"]["wall_s"]
                                              / report["without_search"]["import"]["wall_s"], 2)
        if args.parts:
            report["parts"] = parts(work, export, args.parts)
        if args.profile:
            report["profile"] = profiled_import(work / "profiled", export, args.profile)
        report["load_average_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
