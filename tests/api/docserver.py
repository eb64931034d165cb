"""A live wiki for the examples of docs/api.md: the test's app served over
real HTTP on 127.0.0.1, by Werkzeug's threaded server in a thread, so that
curl can call it. (Not named conftest: the test imports it.)"""

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def serving(app):
    """Serve ``app`` on a free port of 127.0.0.1; yields the base URL. The
    server thread is stopped and its socket closed on the way out."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="docs-api-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
