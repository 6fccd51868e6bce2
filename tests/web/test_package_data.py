"""Every template and static file of the web app ships in the package (pyproject's package data)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tariffsim.web

REPO = Path(__file__).resolve().parents[2]


def test_templates_and_static_files_are_package_data():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    patterns = declared["tariffsim.web"]
    root = Path(tariffsim.web.__file__).parent
    files = [p.relative_to(root) for folder in ("templates", "static") for p in (root / folder).iterdir()]
    assert files
    for path in files:
        assert any(path.match(pattern) for pattern in patterns), f"{path} is not in {patterns}"
