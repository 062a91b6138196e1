"""The W3C Nu HTML checker (vnu.jar from npm's vnu-jar), run on rendered pages.

`make test` fetches the jar once into the virtual environment (VNU_JAR names another one).
It needs Java 17; without Java or the jar the checker's tests are skipped with the reason,
unless REQUIRE_HTML_CHECKER=1 turns that into a failure (as CI does).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEFAULT_JAR = Path(sys.prefix) / "vnu" / "vnu.jar"


def checker_command() -> list[str]:
    """The command that runs the checker, or a skip (a failure under REQUIRE_HTML_CHECKER=1)."""
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_JAR)
    java = shutil.which("java")
    missing = None
    if java is None:
        missing = "Java was not found (apt-get install openjdk-17-jre-headless)"
    elif not jar.is_file():
        missing = f"{jar} was not found (make test fetches it from npm's vnu-jar)"
    if missing:
        if os.environ.get("REQUIRE_HTML_CHECKER") == "1":
            pytest.fail(f"REQUIRE_HTML_CHECKER=1 but {missing}")
        pytest.skip(missing)
    return [str(java), "-Xss4m", "-jar", str(jar)]


def check_pages(pages: dict[str, str], folder: Path) -> list[str]:
    """Errors the checker finds in ``pages`` (name → HTML), one line each: "name: message"."""
    files = []
    for number, (name, html) in enumerate(pages.items()):
        path = folder / f"page-{number:03d}.html"
        path.write_text(html, encoding="utf-8")
        files.append((path, name))
    names = {path.name: name for path, name in files}
    result = subprocess.run(  # noqa: S603 (our own jar and files)
        [*checker_command(), "--format", "json", "--errors-only", *[str(p) for p, _ in files]],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stderr or '{"messages": []}')
    errors = []
    for message in report["messages"]:
        url = message.get("url", "?")
        name = names.get(url.rsplit("/", 1)[-1], url)
        line = message.get("lastLine", "?")
        errors.append(
            f"{name} (line {line}): {message.get('message')} — {message.get('extract', '')!r}"
        )
    return errors
