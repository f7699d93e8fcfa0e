"""Running the app on a free localhost port and driving it in Debian's headless Chromium."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


def require_browser() -> None:
    """Skip without Chromium, except in CI (KAM_REQUIRE_BROWSER=1), where its absence fails."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("KAM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium not found at {CHROMIUM}; CI installs Debian's chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(db: Path, log: Path):
    """streamlit run app.py on a free port with KAM_DB=db; yields the base URL."""
    port = free_port()
    env = dict(os.environ, KAM_DB=str(db), PYTHONPATH=str(ROOT))
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                                 "--server.port", str(port), "--server.headless", "true",
                                 "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    time.sleep(0.3)
            else:
                raise RuntimeError(f"the app did not start; see {log}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def wait_idle(page, timeout: float = 60_000) -> None:
    """Until Streamlit has finished running the script (no running indicator, no stale elements)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    # every page draws a title first; an error block is drawn instead when the page fails
    page.wait_for_selector('h1, [data-testid="stException"]', timeout=timeout)
    page.wait_for_function(
        """() => !document.querySelector('[data-testid="stStatusWidget"]')
               && document.querySelectorAll('[data-stale="true"]').length === 0""", timeout=timeout)
    page.wait_for_timeout(300)


def exceptions_on(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]
