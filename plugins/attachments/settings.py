"""The attachments plugin's settings: defaults, checked once when the app is built.

Each can be set like any wiki setting (``instance/config.py``, ``WIKI_*``
environment variables as JSON); docs/attachments.md lists them.
"""

from .sniff import KINDS

DEFAULTS = {
    # Largest file, in bytes; an upload's request may be this large (and a
    # little more, for the form around it), no other request.
    "MAX_ATTACHMENT_BYTES": 100 * 1024 * 1024,
    # Where the bytes are kept: "files" (instance/files/) or "database" (for
    # several app servers on one database, with no shared disk).
    "ATTACHMENTS_STORE": "files",
    # Editors upload; members too when True.
    "ATTACHMENTS_MEMBERS_UPLOAD": False,
    # The sniffed types accepted (e.g. ["application/pdf", "image/png"]); empty: every kind.
    "ATTACHMENTS_ALLOWED_TYPES": [],
    # Reading the text of files for search (extraction.py): each file in a
    # child process with these limits, in seconds and bytes.
    "ATTACHMENTS_EXTRACT_TIMEOUT": 60,
    "ATTACHMENTS_EXTRACT_MEMORY": 512 * 1024 * 1024,
    # False: no extraction thread in the app's processes; run
    # `flask --app wiki files extract` (from cron, say) instead.
    "ATTACHMENTS_EXTRACT_IN_BACKGROUND": True,
}
STORES = ("files", "database")


def init_app(app):
    """Fill in the defaults and refuse values that cannot work, at startup."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    config = app.config
    if config["ATTACHMENTS_STORE"] not in STORES:
        raise ValueError(f"ATTACHMENTS_STORE is {config['ATTACHMENTS_STORE']!r}: "
                         "it is \"files\" or \"database\".")
    for key in ("MAX_ATTACHMENT_BYTES", "ATTACHMENTS_EXTRACT_TIMEOUT", "ATTACHMENTS_EXTRACT_MEMORY"):
        value = config[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"{key} must be a positive number, not {value!r}.")
    unknown = [t for t in config["ATTACHMENTS_ALLOWED_TYPES"] if t not in KINDS]
    if unknown:
        raise ValueError(f"ATTACHMENTS_ALLOWED_TYPES names types the wiki does not recognise: "
                         f"{', '.join(map(repr, unknown))} (known: {', '.join(sorted(KINDS))}).")
