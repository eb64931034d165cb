"""Security headers on every response."""

import pytest


@pytest.mark.parametrize("url", ["/", "/login", "/wiki/missing", "/static/wiki.css", "/search?q=x"])
def test_security_headers_on_every_response(client, url):
    response = client.get(url)
    response.close()  # a static file response holds its file open
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # not over plain HTTP


def test_hsts_only_when_configured_for_https(app_factory):
    client = app_factory(SESSION_COOKIE_SECURE=True).test_client()
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_inline_script_or_style_anywhere(client, auth, make_page):
    """What the CSP would block: inline <script>, on* handlers, style attributes."""
    make_page("Styled", "??? \"Folded\"\n    text\n\n{{children}}\n\n!!! note\n    panel\n")
    auth.login("editor")
    for url in ("/", "/wiki/styled", "/wiki/styled/edit", "/new", "/wiki/styled/history",
                "/labels", "/search?q=text", "/comments/moderation"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<script " not in html.replace('<script src="', ""), url
        assert " onclick=" not in html and " onload=" not in html, url
        assert ' style="' not in html, url
