"""The baseline of the upload benchmark: a bare Flask app taking a file.

``POST /files`` reads the multipart body as any Flask upload route does
(Werkzeug's parser, ``request.files``) and copies the file to a temporary
file; ``POST /raw`` streams the request body to a temporary file as it
comes, unparsed (the ceiling of the server, the network and the disk).
Run: gunicorn 'bench.bare_upload:app'.
"""

import shutil
import tempfile

from flask import Flask, jsonify, request

app = Flask(__name__)
CHUNK = 1024 * 1024


def save(stream):
    with tempfile.TemporaryFile(prefix="bench-upload-") as out:  # deleted when closed
        shutil.copyfileobj(stream, out, CHUNK)
        return out.tell()


@app.route("/")
def index():
    return "ready"


@app.post("/files")
def files():
    return jsonify(size=save(request.files["file"].stream))


@app.post("/raw")
def raw():
    return jsonify(size=save(request.stream))
