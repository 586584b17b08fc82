"""`make run` (the embedded default) is configured from HOST and PORT."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*arguments: str, **variables: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is needed by the README's two commands")
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"} | variables
    return subprocess.run(  # noqa: S603 - our own Makefile, fixed arguments
        [make, "-n", "run", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout


def test_links_in_emails_follow_the_port_make_run_serves():
    assert "SITE_URL=http://127.0.0.1:8765 " in dry_run("PORT=8765")
    assert "SITE_URL=http://localhost:8080 " in dry_run("HOST=0.0.0.0", "PORT=8080")


def test_a_given_site_url_wins():
    assert "SITE_URL=https://relais.example.org " in dry_run(
        "PORT=8765", SITE_URL="https://relais.example.org"
    )


def test_installs_use_the_systems_certificates():
    assert "UV_NATIVE_TLS := 1" in (ROOT / "Makefile").read_text()
