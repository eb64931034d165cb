"""The text of an attached file, for search: read in a child process with a
time and a memory limit, so that a file made to crash, loop or fill the
memory of its parser costs one child process and nothing else.

``extract(path, mime)`` returns the text (whitespace tidied, cut at
``MAX_TEXT_CHARS``) and, for a PDF, where each page starts in it; or raises
``ExtractionFailed``, whose message says why in one line. The parsing
itself is in ``parsers.py``, run as a script by the interpreter of the wiki
(``-I``: isolated from the environment, nothing of the wiki imported).
"""

import bisect
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from . import parsers

MAX_TEXT_CHARS = 1_000_000  # 1 million characters kept a file: 400 pages of a dense report
TIMEOUT = 60  # seconds a file, from the child's start to its answer
MEMORY_BYTES = 512 * 2**20  # the child's address space (RLIMIT_AS)
_POLL = 0.25  # seconds between looks at a running child
# A child whose address space came this close to its limit has had an allocation refused.
_CEILING_MARGIN = 4 * 2**20
_PARSER = os.path.abspath(parsers.__file__)
# Nothing of the worker's environment (database address, secrets) reaches the parser.
_ENVIRONMENT = {"PATH": os.defpath, "LC_ALL": "C.UTF-8"}


class ExtractionFailed(Exception):
    """The file's text could not be read; ``str(e)`` says why, in one line."""


@dataclass(frozen=True)
class Extracted:
    text: str  # plain text, whitespace tidied
    pages: tuple[int, ...] | None  # PDF only: offset in ``text`` where each page starts (page n = index n-1)

    def page_at(self, offset):
        """The number (from 1) of the PDF page holding ``offset`` of the text, or None."""
        if not self.pages:
            return None
        return max(1, bisect.bisect_right(self.pages, offset))


def can_extract(mime):
    """Whether files of the (sniffed) type ``mime`` have text to read."""
    return mime in parsers.READERS


def extract(path, mime, *, timeout=TIMEOUT, memory_bytes=MEMORY_BYTES):
    """The text of the file at ``path`` (of the sniffed type ``mime``);
    ``ExtractionFailed`` when it has none to give, with the reason."""
    if not can_extract(mime):
        raise ExtractionFailed(f"files of type {mime} have no text to read")
    try:
        if os.path.getsize(path) == 0:
            raise ExtractionFailed("the file is empty")
    except OSError as e:
        raise ExtractionFailed(f"the file cannot be read: {e.strerror}") from None
    args = [sys.executable, "-I", _PARSER, os.path.abspath(path), mime, str(int(memory_bytes)),
            str(MAX_TEXT_CHARS), str(int(timeout) + 1)]
    megabytes = f"{memory_bytes / 2**20:.0f} MB"
    with subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,  # noqa: S603
                          stderr=subprocess.PIPE, env=_ENVIRONMENT, cwd=tempfile.gettempdir()) as child:
        stdout, stderr, stopped = _wait(child, timeout, memory_bytes)
    if stopped == "memory":
        raise ExtractionFailed(f"needed more than {megabytes}")
    if stopped == "time":
        raise ExtractionFailed(f"timed out after {timeout:g} s")
    if child.returncode == parsers.MEMORY_EXIT or b"MemoryError" in stderr[-2000:]:
        raise ExtractionFailed(f"needed more than {megabytes}")
    if child.returncode < 0:
        name = signal.Signals(-child.returncode).name
        if name == "SIGXCPU":
            raise ExtractionFailed(f"timed out after {int(timeout) + 1} s of processor time")
        raise ExtractionFailed(f"the reader crashed ({name})")
    try:
        answer = json.loads(stdout.decode("utf-8"))
    except ValueError:
        lines = stderr.decode("utf-8", "replace").strip().splitlines() or ["no answer"]
        raise ExtractionFailed(f"the reader failed: {lines[-1][:200]}") from None
    if "error" in answer:
        raise ExtractionFailed(answer["error"])
    pages = answer["pages"]
    return Extracted(answer["text"], tuple(pages) if pages is not None else None)


def _wait(child, timeout, memory_bytes):
    """(stdout, stderr, None) of the child, or (None, None, "time" or
    "memory") when it was stopped: at the deadline, or as soon as its
    address space has reached the limit. A library that catches its
    MemoryError and goes on (pypdf's tolerant parsing does) would otherwise
    spin against the ceiling until the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            stdout, stderr = child.communicate(timeout=max(0, min(_POLL, deadline - time.monotonic())))
            return stdout, stderr, None
        except subprocess.TimeoutExpired:
            if _peak_bytes(child.pid) >= memory_bytes - _CEILING_MARGIN:
                stopped = "memory"
            elif time.monotonic() >= deadline:
                stopped = "time"
            else:
                continue
        child.kill()
        child.communicate()
        return None, None, stopped


def _peak_bytes(pid):
    """The largest address space the process has had (Linux), or 0."""
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
