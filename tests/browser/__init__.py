"""End-to-end tests in Chromium. A package, so that its conftest.py is
``browser.conftest`` and never shadows ``tests/conftest.py``, which other test
modules import as ``conftest``."""
