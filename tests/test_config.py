"""Configuration layers and the instance folder."""

from wiki import create_app
from wiki.config import instance_secret_key


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path))
    first = create_app({"TESTING": True}).config["SECRET_KEY"]
    second = create_app({"TESTING": True}).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("WIKI_SECRET_KEY", "from-env")
    assert create_app({"TESTING": True}).config["SECRET_KEY"] == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_layers_defaults_instance_file_env_then_test_mapping(tmp_path, monkeypatch):
    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text('SITE_NAME = "From file"\nREGISTRATION_ENABLED = False\n')
    app = create_app()
    assert app.config["SITE_NAME"] == "From file"
    assert app.config["REGISTRATION_ENABLED"] is False
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wiki.sqlite'}"
    monkeypatch.setenv("WIKI_SITE_NAME", "From env")
    monkeypatch.setenv("WIKI_SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'other.db'}")
    app = create_app()
    assert app.config["SITE_NAME"] == "From env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert create_app({"SITE_NAME": "From test"}).config["SITE_NAME"] == "From test"


def test_concurrent_workers_share_one_key(tmp_path):
    # The first writer wins; the others read its key.
    assert instance_secret_key(str(tmp_path)) == instance_secret_key(str(tmp_path))


def test_forwarded_headers_are_trusted_only_behind_a_configured_proxy(tmp_path, monkeypatch):
    from flask import request

    monkeypatch.setenv("WIKI_INSTANCE_PATH", str(tmp_path))
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    for count, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = create_app({"TESTING": True, "PROXY_COUNT": count})
        seen = {}

        @app.route("/whoami")
        def whoami(seen=seen):
            seen["addr"], seen["scheme"] = request.remote_addr, request.scheme
            return "ok"

        app.test_client().get("/whoami", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert seen["addr"] == expected
        assert seen["scheme"] == ("https" if count else "http")
