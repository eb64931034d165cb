"""Page-view speed: the wiki's cached page against a bare Flask page, both
under gunicorn (2 workers) on 127.0.0.1, loaded by wrk in the same run.

    .venv/bin/python -m bench.page_views [--seconds 10] [--connections 8]
    .venv/bin/python -m bench.page_views --corpus peers [--pages 2000]

Needs wrk (Debian: apt-get install wrk). Reports requests/s for the bare
page, the wiki page for an anonymous reader and for a signed-in member, and
the ratios. ``--corpus peers`` loads a page of about 3 KB of the shared
benchmark corpus (../shared/peers/corpus.py, imported as Markdown files:
2,000 pages at the top level) instead of the demo's workshop page. Targets
(docs/performance.md): 60% of bare Flask for the demo page, 80% for the
corpus page.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from bench.server import gunicorn

USER_AGENT = "wiki-bench"  # the same for sign-in and load: sessions are bound to it


def wrk(port, path, seconds, connections, headers=()):
    args = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency"]
    for header in (f"User-Agent: {USER_AGENT}", *headers):
        args += ["-H", header]
    out = subprocess.run([*args, f"http://127.0.0.1:{port}{path}"], capture_output=True,  # noqa: S603
                         text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{path}: {errors.group(1)} error responses\n{out}")
    return rps


PEERS_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "peers" / "corpus.py"


def build(instance, corpus, n_pages):
    """An instance with the demo content, or the shared peers' corpus of
    ``n_pages`` imported (every page at the top level); the path of the page
    to load."""
    env = {**os.environ, "WIKI_INSTANCE_PATH": instance}
    flask = [os.path.join(os.path.dirname(os.sys.executable), "flask"), "--app", "wiki"]
    steps = [["init"], ["users", "create", "reader", "--role", "member", "--password", "bench password"]]
    page = "/wiki/soil-carbon-monitoring-workshop-2026"
    if corpus == "peers":
        folder = Path(instance) / "corpus"
        subprocess.run([sys.executable, str(PEERS_CORPUS), "--out", str(folder), "--n", str(n_pages)],  # noqa: S603
                       check=True, capture_output=True)
        sample = json.loads((folder / "corpus.json").read_text())["sample_page"]  # about 3 KB
        steps.append(["pages", "import", str(folder)])
        page = f"/wiki/{sample['slug']}"
    else:
        steps.append(["demo"])
    for args in steps:
        subprocess.run([*flask, *args], env=env, check=True, capture_output=True)  # noqa: S603
    return env, page


def session_cookie(port):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    html = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode({"username": "reader", "password": "bench password",
                                   "csrf_token": token}).encode()
    opener.open(f"http://127.0.0.1:{port}/login", data)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each")
    parser.add_argument("--corpus", choices=("demo", "peers"), default="demo",
                        help="the demo workshop page, or a page of the peers' corpus (../shared/peers)")
    parser.add_argument("--pages", type=int, default=2000, help="pages of the peers' corpus")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    instance = tempfile.mkdtemp(prefix="wiki-bench-views-")
    env, page = build(instance, args.corpus, args.pages)
    results = {"bare": [], "wiki_anonymous": [], "wiki_member": []}
    run = {"seconds": args.seconds, "connections": args.connections}
    with gunicorn("bench.bare_app:app", workers=2) as bare_port, \
            gunicorn("wiki:create_app()", workers=2, env=env) as wiki_port:
        cookie = session_cookie(wiki_port)
        html = urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - our own server
            f"http://127.0.0.1:{wiki_port}{page}", headers={"User-Agent": USER_AGENT,
                                                           "Cookie": cookie})).read().decode()
        assert "reader" in html, "the member's session did not hold"
        for path, port in ((page, wiki_port), ("/page", bare_port)):
            wrk(port, path, 2, args.connections)  # warm-up
        # Alternate, so a slower moment of the machine hits all three alike.
        for _ in range(args.rounds):
            results["bare"].append(wrk(bare_port, "/page", args.seconds, args.connections))
            results["wiki_anonymous"].append(wrk(wiki_port, page, args.seconds, args.connections))
            results["wiki_member"].append(wrk(wiki_port, page, args.seconds, args.connections,
                                              [f"Cookie: {cookie}"]))
    best = {k: max(v) for k, v in results.items()}
    report = {**run, "corpus": args.corpus, "page": page, "page_bytes": len(html.encode()),
              "requests_per_s": {k: [round(x) for x in v] for k, v in results.items()},
              "ratio_anonymous": round(best["wiki_anonymous"] / best["bare"], 2),
              "ratio_member": round(best["wiki_member"] / best["bare"], 2)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
