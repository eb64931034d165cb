"""A small browser-like HTTP client for load tests: cookies, CSRF tokens,
redirects reported instead of followed."""

import http.client
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report 30x to the caller, with its Location


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect())

    def request(self, path, data=None):
        """(status, headers, text); a dropped connection is status 0."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as r:
                return r.status, r.headers, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read().decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
            return 0, {}, ""  # HTTPException: a worker killed mid-answer (IncompleteRead)

    def get(self, path):
        return self.request(path)

    def post(self, path, data):
        return self.request(path, data)

    def form(self, path, pattern=None):
        """GET a page; its CSRF token and, optionally, a regex match in it."""
        status, _, html = self.get(path)
        token = TOKEN.search(html)
        found = re.search(pattern, html) if pattern else None
        return status, (token.group(1) if token else ""), found, html

    def login(self, username, password):
        _, token, _, _ = self.form("/login")
        status, _, _ = self.post("/login", {"username": username, "password": password,
                                            "csrf_token": token})
        assert status == 302, f"sign-in failed: {status}"
