"""A real server for load and fault tests: gunicorn with several workers on
127.0.0.1, on the test's instance folder and database. (Not named conftest:
tests import from it, and tests/conftest.py has that module name.)"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from .webclient import Client

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load test password"
# Robots post fast: the spam rules that watch speed are relaxed, the others stay.
SERVER_ENV = {"WIKI_COMMENTS_MIN_SECONDS": "0", "WIKI_COMMENTS_RATE_LIMIT": "[100000, 60]",
              "WIKI_LOGIN_IP_RATE_LIMIT": "[100000, 60]"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workers, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "60",
             "--graceful-timeout", "5", "--log-level", "warning", "wiki:create_app()"],
            cwd=ROOT, env={**os.environ, **SERVER_ENV, **(env or {})},
        )
        deadline = time.monotonic() + 60
        while Client(self.base).get("/")[0] != 200:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)

    def worker_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)],  # noqa: S603, S607
                             capture_output=True, text=True, check=False).stdout
        return [int(p) for p in out.split()]

    def kill_worker(self):
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
