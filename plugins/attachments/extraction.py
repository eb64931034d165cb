"""Reading the text of attached files for search, off the request path.

The queue is the version rows themselves: an upload commits its version as
``pending`` in the upload's own transaction, so a crash loses nothing. A
runner claims one version at a time (``running``, with the time: two
processes never take the same one), reads its text in a child process with
time and memory limits (``extractors.py``) and stores it (``done``), or why
it could not (``failed``, logged once, when it fails). Storing the text
changes the version row, which the search plugin's change log picks up like
any other change.

Each app process runs at most one runner thread, started when an upload
commits, and when the process first serves a request and every few minutes
after, if work is waiting (what a process that died mid-way left behind is
claimed again once its claim is stale). ``flask --app wiki files extract``
does the same work in the foreground.
"""

import json
import logging
import threading
import time
from datetime import timedelta

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from wiki.api import db, utcnow

from . import extractors
from .models import AttachmentVersion
from .store import store

log = logging.getLogger(__name__)

CHECK_EVERY = 300.0  # seconds between a process's looks for waiting or stale work


def _waiting(now):
    """Versions to claim: pending, or running under a claim older than the
    longest an extraction may take (its process died)."""
    stale = now - timedelta(seconds=current_app.config["ATTACHMENTS_EXTRACT_TIMEOUT"] + 60)
    status = AttachmentVersion.extract_status
    return (status == "pending") | ((status == "running") & (AttachmentVersion.extract_started < stale))


def has_work():
    found = db.session.scalar(db.select(AttachmentVersion.id).where(_waiting(utcnow())).limit(1))
    db.session.rollback()
    return found is not None


def claim():
    """The id of a version this process now extracts, or None when none waits."""
    while True:
        now = utcnow()
        found = db.session.scalar(db.select(AttachmentVersion.id).where(_waiting(now))
                                  .order_by(AttachmentVersion.id).limit(1))
        if found is None:
            db.session.rollback()
            return None
        taken = db.session.execute(
            db.update(AttachmentVersion).where(AttachmentVersion.id == found, _waiting(now))
            .values(extract_status="running", extract_started=now))
        db.session.commit()
        if taken.rowcount == 1:
            return found  # else another process took it first: look again


def extract_version(version_id):
    """Read and store the text of a claimed version."""
    version = db.session.get(AttachmentVersion, version_id)
    if version is None or version.extract_status != "running":
        db.session.rollback()
        return
    sha256, mime, name = version.sha256, version.mime, version.attachment.name
    config = current_app.config
    try:
        with store().local_path(sha256) as path:
            db.session.rollback()  # no transaction stays open while a child reads the file
            found = extractors.extract(path, mime, timeout=config["ATTACHMENTS_EXTRACT_TIMEOUT"],
                                       memory_bytes=config["ATTACHMENTS_EXTRACT_MEMORY"])
    except KeyError:
        _failed(version_id, name, "its bytes are missing from the store (see flask files check)")
    except extractors.ExtractionFailed as e:
        _failed(version_id, name, str(e))
    else:
        version = db.session.get(AttachmentVersion, version_id)
        version.text = found.text
        version.pages = json.dumps(list(found.pages)) if found.pages is not None else None
        version.extract_status, version.extract_error = "done", None
        db.session.commit()


def _failed(version_id, name, reason):
    # Logged here, once: the version is not claimed again unless an admin
    # asks (files extract --retry-failed). The file stays listed and
    # findable by its name.
    log.warning("attachments: no text from %s (version id %s): %s", name, version_id, reason)
    version = db.session.get(AttachmentVersion, version_id)
    version.extract_status, version.extract_error = "failed", reason[:500]
    db.session.commit()


def run_pending(progress=None):
    """Extract every waiting version, here and now; how many were done."""
    done = 0
    while (version_id := claim()) is not None:
        extract_version(version_id)
        done += 1
        if progress:
            progress(version_id)
    return done


def retry_failed():
    """Queue the versions whose extraction failed again (after an upgrade of
    the extractors, or a raised limit)."""
    failed = AttachmentVersion.extract_status == "failed"
    count = db.session.execute(db.update(AttachmentVersion).where(failed)
                               .values(extract_status="pending", extract_error=None)).rowcount
    db.session.commit()
    return count


class Runner:
    """One app's background thread: runs while there is work, then ends."""

    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()
        self._thread = None
        self._again = False
        self._last_check = None

    def kick(self):
        """Make sure waiting work gets done soon (a new upload committed)."""
        if not self._app.config["ATTACHMENTS_EXTRACT_IN_BACKGROUND"]:
            return
        with self._lock:
            self._again = True
            if self._thread is None:  # (a thread that is ending has set it to None)
                self._thread = threading.Thread(target=self._run, name="attachments-extract", daemon=True)
                self._thread.start()

    def check_now_and_then(self):
        """On a request: now and then, look for work left waiting (a process
        restarted, another one died mid-way)."""
        now = time.monotonic()
        if self._last_check is not None and now - self._last_check < CHECK_EVERY:
            return
        self._last_check = now
        if not self._app.config["ATTACHMENTS_EXTRACT_IN_BACKGROUND"]:
            return
        try:
            waiting = has_work()
        except SQLAlchemyError as e:  # a database not set up yet, or down: the request goes on
            db.session.rollback()
            log.warning("attachments: could not look for files waiting to be read: %s", e)
            return
        if waiting:
            self.kick()

    def join(self, timeout=None):
        """Wait until the thread has nothing left to do (tests, shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self):
        while True:
            with self._lock:
                if not self._again:
                    self._thread = None
                    return
                self._again = False
            self._drain()

    def _drain(self):
        while True:
            # One app context per file: its teardown applies the search
            # change the stored text made (so the file is found at once), then
            # ends the session.
            with self._app.app_context():
                try:
                    version_id = claim()
                    if version_id is None:
                        return
                    extract_version(version_id)
                except Exception:
                    log.exception("attachments: text extraction stopped; it resumes at the next upload")
                    return


def runner():
    return current_app.extensions["wiki.attachments.extraction"]
