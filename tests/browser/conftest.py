"""End-to-end tests in a real browser: Debian's Chromium, driven by Playwright,
against the real wiki served by gunicorn on 127.0.0.1.

- ``live_server``: one server for the session, on a temporary instance folder
  with the default SQLite database, loaded by ``seed.py``.
- ``browsing``: the browser windows of one test. Each ``browsing.new_page()``
  is a fresh browser context (its own cookies), so two people can use the
  wiki side by side. Every JavaScript error and console error (CSP
  violations included) fails the test at its end.
- A failed test leaves a screenshot and the HTML of each of its pages in
  ``test-artifacts/browser/<test>/``.
- ``check_accessibility(page)``: axe-core's serious and critical violations
  (``WIKI_AXE_IMPACTS=minor,moderate,serious,critical`` to see every one).

Chromium must be at /usr/bin/chromium (``.ci/browser-setup`` installs it);
without it these tests fail, they are never skipped.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .seed import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("WIKI_CHROMIUM", "/usr/bin/chromium")
AXE_JS = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SEED = Path(__file__).with_name("seed.py")

DESKTOP = {"width": 1280, "height": 900}
# Chromium on a machine without a network to the outside: no background traffic.
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 10_000
AXE_IMPACTS = os.environ.get("WIKI_AXE_IMPACTS", "serious,critical").split(",")


# --- The server --------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url, process, log, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The wiki server exited ({process.returncode}):\n{log.read_text()}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"The wiki server did not answer at {url} within {seconds} s:\n{log.read_text()}",
                pytrace=False)


@contextmanager
def seeded_server(folder, **settings):
    """The base URL of the real wiki, seeded, on a fresh instance in
    ``folder``: gunicorn with two workers, the default SQLite database, and
    ``settings`` as ``WIKI_*`` environment variables (JSON values)."""
    env = {**os.environ, "WIKI_INSTANCE_PATH": str(folder / "instance"),
           **{f"WIKI_{key}": value for key, value in settings.items()}}
    env.pop("WIKI_SQLALCHEMY_DATABASE_URI", None)  # the default SQLite database
    seeded = subprocess.run([sys.executable, str(SEED)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert seeded.returncode == 0, f"seeding failed:\n{seeded.stdout}\n{seeded.stderr}"

    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "wiki:create_app()"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url + "/", server, log)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The base URL of the real wiki: gunicorn with two workers, on a fresh
    instance folder with the seed content."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)  # artefacts are of the last run only
    # A robot fills the comment form faster than the spam check allows a person to.
    with seeded_server(tmp_path_factory.mktemp("live"), COMMENTS_MIN_SECONDS="0",
                       COMMENTS_RATE_LIMIT="[1000, 60]") as base_url:
        yield base_url


# --- The browser -------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: the browser tests need it. Install it with "
                    "`.ci/browser-setup` (as root: apt-get install -y chromium).", pytrace=False)
    with sync_playwright() as playwright:
        # Chromium's sandbox does not run as root (CI): --no-sandbox then.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
                                             chromium_sandbox=os.geteuid() != 0)
        yield browser
        browser.close()


class Browsing:
    """The browser windows of one test, and what went wrong in them."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.pages = []
        self.problems = []  # (page number, message)
        self.allowed = []

    def new_page(self, viewport=DESKTOP, javascript=True):
        """A new browser context (its own cookies) with one page in it."""
        context = self.browser.new_context(base_url=self.base_url, viewport=viewport,
                                           java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        number = len(self.pages) + 1
        page.on("console", lambda message: self._console(number, message))
        page.on("pageerror", lambda error: self.problems.append((number, f"JavaScript error: {error}")))
        self.pages.append(page)
        return page

    def _console(self, number, message):
        if message.type == "error":
            url = message.location.get("url")
            self.problems.append((number, f"console error: {message.text}" + (f" ({url})" if url else "")))

    def allow_console(self, pattern):
        """Console errors matching ``pattern`` are expected (an error status on purpose)."""
        self.allowed.append(re.compile(pattern))

    def unexpected_problems(self):
        return [f"page {n}: {text}" for n, text in self.problems
                if not any(p.search(text) for p in self.allowed)]

    def save_artifacts(self, folder):
        folder.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(self.pages, 1):
            if page.is_closed():
                continue
            try:
                page.screenshot(path=folder / f"page-{n}.png", full_page=True)
                (folder / f"page-{n}.html").write_text(f"<!-- {page.url} -->\n{page.content()}")
            except Exception as e:  # artefacts are best effort
                (folder / f"page-{n}.error.txt").write_text(repr(e))
        if self.problems:
            (folder / "console.txt").write_text("\n".join(f"page {n}: {t}" for n, t in self.problems))

    def close(self):
        for page in self.pages:
            page.context.close()


@pytest.fixture
def browsing(browser, live_server):
    session = Browsing(browser, live_server)
    yield session
    session.close()


@pytest.fixture
def page(browsing):
    """An anonymous visitor's browser page, desktop size."""
    return browsing.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """At the end of every browser test: no JavaScript error, no console error."""
    result = yield
    session = item.funcargs.get("browsing")
    if session is not None:
        problems = session.unexpected_problems()
        if problems:
            pytest.fail("Errors in the browser console:\n" + "\n".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves a screenshot and the HTML of its pages."""
    report = yield
    session = item.funcargs.get("browsing") if hasattr(item, "funcargs") else None
    if report.failed and report.when == "call" and session is not None:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.nodeid.rsplit("/", 1)[-1]).strip("_")
        session.save_artifacts(folder)
        report.sections.append(("browser artefacts", str(folder)))
    return report


# --- What a user does --------------------------------------------------------

def _sign_in(page, username, password=PASSWORD):
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash")).to_contain_text("Signed in as")


@pytest.fixture
def signed_in(browsing):
    """``signed_in("edith")``: a new browser context, signed in as that user."""
    def open_as(username, viewport=DESKTOP):
        page = browsing.new_page(viewport=viewport)
        _sign_in(page, username)
        return page
    return open_as


@pytest.fixture
def sign_in():
    """``sign_in(page, "mona")``: sign in through the login form, on that page."""
    return _sign_in


# --- Checks ------------------------------------------------------------------

@pytest.fixture(scope="session")
def axe_source():
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `.ci/browser-setup` "
                    "(npm install --prefix .cache/axe axe-core@4).", pytrace=False)
    return AXE_JS.read_text()


@pytest.fixture
def check_accessibility(axe_source):
    """Serious and critical axe-core violations on the page as it is now, as
    readable lines (empty: none). evaluate() is not subject to the page's CSP."""
    def check(page):
        page.evaluate(axe_source)
        violations = page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }""")
        return [f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(v['nodes'])}"
                for v in violations if v["impact"] in AXE_IMPACTS]
    return check


@pytest.fixture
def tab_to():
    """``tab_to(page, locator)``: press Tab until the element has the focus, as
    a keyboard user would (fails after ``limit`` presses)."""
    def press_until(page, locator, limit=250):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                return
        raise AssertionError(f"{locator} never got the focus after {limit} Tab presses")
    return press_until


@pytest.fixture
def focus_is_visible():
    """``focus_is_visible(page)``: the focused element shows a focus ring (an
    outline of at least 2px on :focus-visible)."""
    def check(page):
        return page.evaluate("""() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return el.matches(":focus-visible") && style.outlineStyle !== "none"
                && parseFloat(style.outlineWidth) >= 2;
        }""")
    return check
