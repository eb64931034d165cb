"""Attachments: upload throughput and a worker's memory through gunicorn, and
the speed and memory of reading a PDF's text, on files generated here.

    .venv/bin/python -m bench.attachments                      # 10 and 100 MB, a 500-page PDF
    .venv/bin/python -m bench.attachments --sizes 10,100 --rounds 5 --pages 500

1. Extraction: a 500-page PDF written here (pages of about 300 words in
   English and French, Helvetica, compressed streams) is read through
   ``plugins.attachments.extractors.extract``, as the extraction runner does:
   pages per second (wall time, and per CPU second of the child), the child
   process's peak RSS, and this process's RSS before, during and after (the
   caller is a web worker: it must not grow). Measured first, before any
   other child process, so that the peak RSS of the children is the reader's.
2. Uploads: the wiki (gunicorn, 2 workers) and a bare Flask app under the same
   server (``bench/bare_upload.py``): a file posted as the page's script posts
   it (signed in through the form, CSRF token, ``Accept: application/json``),
   the body streamed from a generator. Wiki and bare runs follow each other in
   each round, so a busy moment of the shared machine hits both alike: MB/s,
   and the median over the rounds of the wiki's ratio to the bare app. While
   each file is sent, the VmRSS of the server's workers is sampled from /proc
   every 10 ms: their peak and growth over idle.
"""

import argparse
import datetime
import gc
import json
import os
import random
import re
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
import urllib.request
import uuid
import zlib
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from pathlib import Path

from bench import corpus
from bench.server import gunicorn
from plugins.attachments.extractors import MAX_TEXT_CHARS, Extracted, extract

MB = 1000 * 1000  # file sizes in decimal megabytes, as people and browsers count them
MIB = 1024 * 1024
USER_AGENT = "wiki-bench"  # the same for sign-in and uploads: sessions are bound to it
PASSWORD = "bench password"  # noqa: S105 - a throwaway account of a temporary instance
SLUG = "bench-files"
CSRF_FIELD = r'name="csrf_token" type="hidden" value="([^"]+)"'


# -- a PDF of many pages ---------------------------------------------------------------------------

def page_lines(rng, number):
    """About 200 words (1,800 characters), English and French paragraphs,
    wrapped as on a page: 500 pages stay under the text kept of a file
    (``MAX_TEXT_CHARS``), so that every page is read."""
    lines = [f"Page {number} — Soil carbon report / rapport sur le carbone du sol"]
    for words in (corpus.EN, corpus.FR, corpus.EN):
        lines += textwrap.wrap(corpus.paragraph(rng, words, 65), 90) + [""]
    return lines


def write_pdf(path, n_pages, seed=1):
    """A PDF of ``n_pages`` pages of text, written a page at a time; the
    characters of text it holds."""
    rng = random.Random(seed)
    offsets, chars = [], 0
    with open(path, "wb") as out:
        def obj(body):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (len(offsets), body))

        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(n_pages))
        obj(b"<</Type/Catalog/Pages 2 0 R>>")
        obj(b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, n_pages))
        obj(b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>")
        for number in range(1, n_pages + 1):
            lines = page_lines(rng, number)
            chars += len("\n".join(lines).strip())
            shown = b" ".join(b"(%s) Tj T*" % re.sub(rb"([()\\])", rb"\\\1", line.encode("cp1252"))
                              for line in lines)
            content = zlib.compress(b"BT /F1 10 Tf 12 TL 56 780 Td " + shown + b" ET")
            obj(b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 3 0 R>>>>"
                b"/Contents %d 0 R>>" % (len(offsets) + 2))
            obj(b"<</Length %d/Filter/FlateDecode>>\nstream\n%s\nendstream" % (len(content), content))
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
        out.write(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return chars


# -- memory, from /proc ----------------------------------------------------------------------------

def rss(pid="self"):
    """Resident memory of a process in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def gunicorn_workers(port):
    """The worker processes of the gunicorn this process started on ``port``."""
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    masters = set()
    for pid in pids:
        if parent_of(pid) == os.getpid():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if f"127.0.0.1:{port}".encode() in f.read().split(b"\0"):
                        masters.add(pid)
            except OSError:
                continue
    return [pid for pid in pids if parent_of(pid) in masters]


class Sampler(threading.Thread):
    """Samples the RSS of ``pids`` every 10 ms until stopped: the highest seen for each."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = list(pids)
        self.idle = {pid: rss(pid) for pid in self.pids}
        self.peak = dict(self.idle)
        self._done = threading.Event()

    def run(self):
        while not self._done.wait(0.01):
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], rss(pid))

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self.join()

    def report(self):
        """The process that grew most: its idle and peak RSS, and the growth (MiB)."""
        pid = max(self.pids, key=lambda p: self.peak[p] - self.idle[p])
        return {"idle_rss_mb": round(self.idle[pid] / MIB, 1), "peak_rss_mb": round(self.peak[pid] / MIB, 1),
                "growth_mb": round((self.peak[pid] - self.idle[pid]) / MIB, 1)}


# -- extraction ------------------------------------------------------------------------------------

def measure_extraction(folder, n_pages, rounds):
    path = folder / "report.pdf"
    chars = write_pdf(path, n_pages)
    one_page = folder / "one-page.pdf"
    write_pdf(one_page, 1)
    starts = []
    for _ in range(3):  # what any PDF costs: the child's start and imports, one page
        began = time.perf_counter()
        extract(str(one_page), "application/pdf")
        starts.append(time.perf_counter() - began)
    caller = {"before_mb": round(rss() / MIB, 1)}
    walls, cpus = [], []
    with Sampler([os.getpid()]) as sampler:
        for _ in range(rounds):
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            result = extract(str(path), "application/pdf")
            walls.append(time.perf_counter() - began)
            now = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime)
    read, chars_read = check(result, n_pages), len(result.text)
    caller.update(peak_mb=round(sampler.peak[os.getpid()] / MIB, 1),
                  holding_text_mb=round(rss() / MIB, 1))
    del result  # what stays once the text is handed on (to the database, in the runner)
    gc.collect()
    caller["after_mb"] = round(rss() / MIB, 1)
    best = min(walls)
    return {"pages": n_pages, "pages_read": read, "file_mb": round(path.stat().st_size / MB, 2),
            "chars_on_pages": chars, "chars_read": chars_read, "seconds": [round(w, 2) for w in walls],
            "pages_per_s": round(read / best, 1), "cpu_s": [round(c, 2) for c in cpus],
            "pages_per_cpu_s": round(read / min(cpus), 1),
            "one_page_pdf_s": round(min(starts), 3),
            # ru_maxrss of the children waited for (KiB on Linux): every child so far is a reader.
            "child_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            "caller_rss": caller}


def check(result: Extracted, n_pages):
    """The pages read (all of them, unless the text kept of a file ends first)."""
    read = len(result.pages or ())
    if read < n_pages and len(result.text) < MAX_TEXT_CHARS:
        raise RuntimeError(f"read {read} pages of {n_pages}")
    last = result.text[result.pages[-1]:]
    if not last.startswith(f"Page {read} — Soil carbon report"[:len(last)]):
        raise RuntimeError(f"page {read} reads {last[:60]!r}")
    if not re.search(r"[éèàç]", result.text):
        raise RuntimeError("the French accents were lost")
    return read


# -- uploads ---------------------------------------------------------------------------------------

def build(instance):
    """An instance with an editor and an empty page to attach files to."""
    env = {**os.environ, "WIKI_INSTANCE_PATH": instance}
    flask = [str(Path(sys.executable).with_name("flask")), "--app", "wiki"]
    page = Path(instance) / "page.md"
    Path(instance).mkdir(parents=True, exist_ok=True)
    page.write_text("Files of the benchmark.\n", encoding="utf-8")
    for args in (["init"], ["users", "create", "editor", "--role", "editor", "--password", PASSWORD],
                 ["pages", "put", SLUG, "--title", "Bench files", "--file", str(page)]):
        subprocess.run([*flask, *args], env=env, check=True, capture_output=True)  # noqa: S603
    return env


def sign_in(port):
    """(Cookie header, CSRF token) of the editor, signed in through the form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(f"http://127.0.0.1:{port}/login") as response:
        token = re.search(CSRF_FIELD, response.read().decode()).group(1)
    data = urllib.parse.urlencode({"username": "editor", "password": PASSWORD, "csrf_token": token}).encode()
    with opener.open(f"http://127.0.0.1:{port}/login", data) as response:
        response.read()
    with opener.open(f"http://127.0.0.1:{port}/wiki/{SLUG}") as response:
        html = response.read().decode()
    if "editor" not in html:
        raise RuntimeError("the editor's sign-in did not hold")
    return "; ".join(f"{c.name}={c.value}" for c in jar), re.search(CSRF_FIELD, html).group(1)


def body(size, seed):
    """``size`` bytes of a file, a MiB at a time, different for each ``seed``
    (the store keeps the same bytes once)."""
    block = random.Random(0).randbytes(MIB)
    for number, start in enumerate(range(0, size, MIB)):
        yield (struct.pack("<QQ", seed, number) + block[16:])[:size - start]


def post(port, path, size, seed, headers=None):
    """Send a file of ``size`` bytes as a multipart form: seconds, and the response."""
    boundary = uuid.uuid4().hex
    name = f"upload-{seed}-{size // MB}mb.bin"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def parts():
        yield head
        yield from body(size, seed)
        yield tail

    conn = HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        began = time.perf_counter()
        conn.request("POST", path, body=parts(), headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(head) + size + len(tail)), "Accept": "application/json",
            "User-Agent": USER_AGENT, **(headers or {})})
        response = conn.getresponse()
        answer = response.read()
        seconds = time.perf_counter() - began
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"POST {path}: HTTP {response.status}: {answer[:300]!r}")
    return seconds, json.loads(answer)


def measure_uploads(instance, sizes, rounds):
    env = build(instance)
    results = {size: {"wiki": [], "bare_form": [], "bare_raw": []} for size in sizes}
    memory = {}
    seed = 0
    with gunicorn("bench.bare_upload:app", workers=2) as bare_port, \
            gunicorn("wiki:create_app()", workers=2, env=env) as wiki_port:
        cookie, token = sign_in(wiki_port)
        wiki_headers = {"Cookie": cookie, "X-CSRFToken": token}
        targets = {"wiki": (wiki_port, f"/wiki/{SLUG}/files", wiki_headers),
                   "bare_form": (bare_port, "/files", {}), "bare_raw": (bare_port, "/raw", {})}
        workers = {"wiki": gunicorn_workers(wiki_port), "bare": gunicorn_workers(bare_port)}
        for port, path, headers in targets.values():  # warm-up: imports, first connections
            for _ in range(2):
                seed += 1
                post(port, path, MB, seed, headers)
        for _ in range(rounds):
            for size in sizes:
                for kind, (port, path, headers) in targets.items():
                    seed += 1
                    with Sampler(workers[kind.split("_")[0]]) as sampler:
                        seconds, answer = post(port, path, size, seed, headers)
                    got = answer[0]["size"] if kind == "wiki" else answer["size"]
                    if kind != "bare_raw" and got != size:
                        raise RuntimeError(f"{kind} kept {got} bytes of {size}")
                    results[size][kind].append(size / MB / seconds)
                    grown = sampler.report()
                    if size == max(sizes) and grown["growth_mb"] > memory.get(kind, {}).get("growth_mb", -1):
                        memory[kind] = grown  # the largest growth of the rounds
    report = {}
    for size, runs in results.items():
        best = {kind: max(values) for kind, values in runs.items()}
        # Each round's runs follow each other: their ratio is taken at one moment
        # of the machine, and the median of the rounds is the steadier figure.
        ratios = {base: statistics.median(w / b for w, b in zip(runs["wiki"], runs[base], strict=True))
                  for base in ("bare_form", "bare_raw")}
        report[f"{size // MB}_mb"] = {
            "mb_per_s": {kind: [round(v, 1) for v in values] for kind, values in runs.items()},
            "median_mb_per_s": {kind: round(statistics.median(values), 1) for kind, values in runs.items()},
            "ratio_to_bare_form": round(ratios["bare_form"], 2),
            "ratio_to_bare_raw": round(ratios["bare_raw"], 2),
            "ratio_of_best_to_bare_form": round(best["wiki"] / best["bare_form"], 2)}
    report[f"worker_memory_{max(sizes) // MB}_mb"] = memory
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100", help="file sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of each")
    parser.add_argument("--pages", type=int, default=500, help="pages of the PDF")
    args = parser.parse_args()
    sizes = [int(s) * MB for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="wiki-bench-attachments-") as workspace:
        work = Path(workspace)
        report = {"date": datetime.date.today().isoformat(), "cpus": os.cpu_count(),
                  "load_average": round(os.getloadavg()[0], 1), "rounds": args.rounds,
                  "extraction": measure_extraction(work, args.pages, args.rounds)}
        report["uploads"] = measure_uploads(str(work / "instance"), sizes, args.rounds)
        report["load_average_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
