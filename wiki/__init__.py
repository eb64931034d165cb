"""A lightweight, Confluence-like wiki: Markdown pages, a page tree, history, plugins."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, errors, headers, i18n, mail, pagecache, plugins, render, rest, security, templating
from .extensions import init_extensions

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config=None):
    """Build the app: config in layers, extensions, then plugins (the core included)."""
    instance_path = os.environ.get("WIKI_INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    config.load(app, test_config)

    if app.config["PROXY_COUNT"]:
        # Behind nginx or a load balancer: trust that many proxies for the
        # client address and scheme (rate limits, secure cookies, redirects).
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    init_extensions(app)
    i18n.init_app(app)
    security.init_app(app)
    headers.init_app(app)
    pagecache.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    plugins.init_app(app)
    render.init_app(app)  # the sanitizer takes what the plugins allow
    mail.init_app(app)
    rest.init_app(app)  # after the plugins: they add endpoints
    return app
