"""Attaching a file as a browser does (the page's form, or its script)."""

import io

from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart


def post_file(client, slug, filename, data, json=False, **fields):
    """POST ``data`` as the file ``filename`` to page ``slug``; ``json`` asks
    for the script's answer. Encoded here, in memory: the test client spools
    a large body to a temporary file that nothing closes."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename), **fields})
    return client.post(f"/wiki/{slug}/files", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}",
                       headers={"Accept": "application/json"} if json else {})
