"""Rendering many texts at once, on every core.

A pool of processes forked from this one renders the Markdown; each worker
enters the app's context once and keeps its ``Markdown`` and its bleach
``Cleaner`` for all the texts it gets (``wiki.render`` keeps one of each per
thread). The results come back in order, as they are ready, so the caller
writes the first pages while the workers render the next ones.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

from flask import current_app

from ..extensions import db
from ..render import render_markdown

CHUNK = 8  # texts sent to a worker at once
_app = None  # the app the workers render with (set before they are forked)


def default_jobs():
    return os.cpu_count() or 1


def render_all(texts, jobs=None):
    """The HTML of each of ``texts`` (a list), in order, rendered by ``jobs``
    processes (None: one per core); by this one for a few texts or one job."""
    jobs = jobs or default_jobs()
    if jobs <= 1 or len(texts) < 2 * CHUNK:
        yield from map(render_markdown, texts)
        return
    global _app
    _app = current_app._get_current_object()
    # Forked, so the workers start with the app and its plugins loaded: the
    # command line has no other thread that a fork could catch mid-way.
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_worker) as pool:
        yield from pool.map(render_markdown_here, texts, chunksize=CHUNK)


def _start_worker():
    _app.app_context().push()  # for the worker's life
    db.engine.dispose(close=False)  # the parent's connections are not the worker's to use


def render_markdown_here(text):
    return render_markdown(text)
