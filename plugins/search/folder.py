"""Where an engine keeps its index: a folder of index directories, one live.

``root/CURRENT`` names the live directory (``ix-<time>-<random>``); a
rebuild writes a new directory and swaps the name atomically, so searches
keep working on the old one until the new one is complete. Locks are
``flock`` files in ``root``, so they hold across the processes (gunicorn
workers, the CLI) that share the folder, and a crashed holder releases them.
"""

import fcntl
import os
import shutil
import time
import uuid
from contextlib import contextmanager


class LockTimeout(Exception):
    """A lock was held by another process for longer than allowed."""


class IndexFolder:
    def __init__(self, root):
        self.root = root

    def current(self):
        """The live directory, or None."""
        try:
            with open(self._pointer()) as f:
                name = f.read().strip()
        except FileNotFoundError:
            return None
        return os.path.join(self.root, name) if name else None

    def _new_directory(self):
        os.makedirs(self.root, exist_ok=True)
        directory = os.path.join(self.root, f"ix-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}")
        os.makedirs(directory)
        return directory

    def swap_in(self, directory):
        """Make ``directory`` the live one, then delete the others."""
        tmp = f"{self._pointer()}.{uuid.uuid4().hex}"
        with open(tmp, "w") as f:
            f.write(os.path.basename(directory) + "\n")
        os.replace(tmp, self._pointer())  # atomic: readers see the old or the new name
        for name in os.listdir(self.root):
            path = os.path.join(self.root, name)
            if name.startswith("ix-") and path != directory and os.path.isdir(path):
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def replacement(self):
        """A new directory to build an index in: swapped in when the block
        ends, deleted if it raises."""
        directory = self._new_directory()
        try:
            yield directory
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        self.swap_in(directory)

    def _pointer(self):
        return os.path.join(self.root, "CURRENT")

    @contextmanager
    def rebuilding(self):
        """One rebuild at a time across processes: several workers that all
        find no index would otherwise build at once and delete each other's."""
        with self.lock("REBUILD.lock"):
            yield

    @contextmanager
    def lock(self, name, timeout=None):
        """Hold the lock file ``name`` of the folder; wait ``timeout`` seconds
        at most (None: as long as it takes), then raise ``LockTimeout``."""
        os.makedirs(self.root, exist_ok=True)
        with open(os.path.join(self.root, name), "a") as f:
            if timeout is None:
                fcntl.flock(f, fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise LockTimeout(name) from None
                        time.sleep(0.02)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
