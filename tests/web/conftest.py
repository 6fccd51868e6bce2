"""Fixtures of the web app tests: the app on a fresh runs store, through the framework's test client."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install -e '.[web]')")

from web_helpers import make_client


@pytest.fixture
def client(tmp_path):
    with make_client(tmp_path) as test_client:
        yield test_client
