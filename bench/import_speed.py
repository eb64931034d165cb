"""Import benchmark: pages per second of ``flask --app wiki pages import``.

    .venv/bin/python -m bench.import_speed                # 2,000 pages
    .venv/bin/python -m bench.import_speed --pages 5000
    .venv/bin/python -m bench.import_speed --corpus peers # the shared corpus (../shared/peers)

Writes a generated wiki (bench/corpus.py) as a folder of Markdown files: each
workshop a folder (``index.md`` and its sessions), front matter with title and
labels, a link from each session to its workshop. Then times the whole command
as a user runs it (process start, reading, rendering, writing, search
indexing), on a fresh instance each time: with every plugin, and without the
search plugin so the cost of the index shows; then the same import again
(nothing changed), and for comparison the search plugin's own ``reindex`` of
the imported wiki. Wall time and the command's CPU
time are both given: on a busy machine the CPU time is the steadier figure
(pages are rendered by one process per core). ``--corpus peers`` imports the
corpus other wikis were measured on instead: ordinary Markdown, more markup
per page. Targets (docs/performance.md): at least 200 pages/s for the
workshops, 100 pages/s for the peers' corpus.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import corpus
from bench.server import ROOT
from wiki.text import slugify
from wiki.transfer.frontmatter import join


def write_folder(root, n_pages):
    """The corpus as files; returns the number written."""
    folders = {}
    for i, (title, parent, body, labels) in enumerate(corpus.pages(n_pages)):
        meta = {"title": title, "labels": labels}
        if parent is None:  # a workshop: its sessions go in its folder
            folders[i] = root / slugify(title)
            folders[i].mkdir()
            path = folders[i] / "index.md"
        else:
            path = folders[parent] / f"{slugify(title)}.md"
            body += "\nBack to the [workshop](index.md).\n"
        path.write_text(join(meta, body), encoding="utf-8")
    return n_pages


PEERS_CORPUS = ROOT.parent / "shared" / "peers" / "corpus.py"


def write_peers_folder(root, n_pages):
    """The shared benchmark corpus of other wikis (../shared/peers/corpus.py):
    ordinary Markdown pages, all at the top level, with links between them."""
    subprocess.run([sys.executable, str(PEERS_CORPUS), "--out", str(root), "--n", str(n_pages)],  # noqa: S603
                   check=True, capture_output=True)
    (root / "corpus.json").unlink()
    return n_pages


def flask(instance, *args, env=None):
    """Run ``flask --app wiki ARGS``: (wall seconds, CPU seconds, last line of output)."""
    exe = Path(sys.executable).with_name("flask")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - our own flask, arguments built here
        [str(exe), "--app", "wiki", *args], cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "WIKI_INSTANCE_PATH": instance, **(env or {})},
    )
    wall = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr}")
    lines = result.stdout.strip().splitlines()
    return wall, used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime, lines[-1] if lines else ""


def figures(n_pages, wall, cpu, summary):
    cores = os.cpu_count() or 1
    return {"wall_s": round(wall, 2), "pages_per_s": round(n_pages / wall, 1),
            "pages_per_s_per_core": round(n_pages / wall / cores, 1),
            "cpu_s": round(cpu, 2), "pages_per_cpu_s": round(n_pages / cpu, 1), "summary": summary}


def timed_import(instance, folder, n_pages, env=None, search=True):
    flask(instance, "init", env=env)
    if search:
        flask(instance, "reindex", env=env)  # a wiki in use has an index: not timed
    report = {"import": figures(n_pages, *flask(instance, "pages", "import", str(folder), env=env)),
              "again": figures(n_pages, *flask(instance, "pages", "import", str(folder), env=env))}
    if search:
        report["reindex"] = figures(n_pages, *flask(instance, "reindex", env=env))
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--corpus", choices=("workshops", "peers"), default="workshops",
                        help="bench/corpus.py's workshops, or the shared corpus other wikis were "
                             "measured on (../shared/peers)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wiki-bench-import-") as workspace:
        work = Path(workspace)
        folder = work / "markdown"
        if args.corpus == "peers":
            write_peers_folder(folder, args.pages)  # (it makes the folder: it refuses one that exists)
        else:
            folder.mkdir()
            write_folder(folder, args.pages)
        flask(str(work / "warm-up"), "--help")  # bytecode, file cache
        start_wall, start_cpu, _ = flask(str(work / "start"), "--help")
        report = {
            "corpus": args.corpus, "pages": args.pages, "cpus": os.cpu_count(),
            "load_average": round(os.getloadavg()[0], 1),
            "process_start": {"wall_s": round(start_wall, 2), "cpu_s": round(start_cpu, 2)},
            "with_search": timed_import(str(work / "search"), folder, args.pages),
            "without_search": timed_import(str(work / "no-search"), folder, args.pages,
                                           {"WIKI_DISABLED_PLUGINS": '["search"]'}, search=False),
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
