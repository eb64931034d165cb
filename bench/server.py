"""Start gunicorn on 127.0.0.1 for a benchmark, and time requests against it."""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app, workers=2, env=None, threads=1):
    """Serve ``app`` ('module:callable') with gunicorn; yields the port."""
    port = free_port()
    exe = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(  # noqa: S603 - our own gunicorn, arguments built here
        [str(exe), "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app],
        cwd=ROOT, env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                get(port, "/")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn did not start serving {app}")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def get(port, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, body
    finally:
        conn.close()


def latencies(port, paths, rounds, headers=None):
    """Seconds per request, one request at a time, each path ``rounds`` times."""
    times = []
    for _ in range(rounds):
        for path in paths:
            start = time.perf_counter()
            status, _ = get(port, path, headers)
            times.append(time.perf_counter() - start)
            if status != 200:
                raise RuntimeError(f"{path}: HTTP {status}")
    return times


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def summary(values):
    return {"p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1), "n": len(values)}
