"""What the dashboard tests need: the demo's data served by a real dashboard, and headless
Chromium from Debian's `chromium` and `chromium-driver`, driven by Selenium with that local
chromedriver (never a driver or browser downloaded by Selenium Manager).

`ensure_chromium()` installs the two packages with apt-get when they are missing and we are root,
so a fresh clone needs nothing by hand; it returns why Chromium is unavailable, or None.
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from picklock.bootstrap import bootstrap
from picklock.config import Config
from picklock.entrypoints.dashboard import DashboardServer
from tools.demo import GAME_DATE, play

if TYPE_CHECKING:
    from selenium.webdriver import Chrome

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APT_PACKAGES = ("chromium", "chromium-driver")
APT_TIMEOUT_SECONDS = 900
# The demo's last step: its game date has been graded and all.json shows the next day.
DEMO_NOW = "2026-03-01T14:31:00Z"  # just after the demo's last export (closing lines)
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,900",
)


@functools.cache  # apt runs at most once per test run
def ensure_chromium() -> str | None:
    """None when Chromium and chromedriver are there (installing them if need be), else why not."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if os.geteuid() != 0:
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing and installing {' '.join(APT_PACKAGES)} needs root"
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing and there is no apt-get to install them"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "-o", "DPkg::Lock::Timeout=120", "--no-install-recommends",
                     *APT_PACKAGES]):
        try:
            done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                  timeout=APT_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(command)}` did not finish in {APT_TIMEOUT_SECONDS} s"
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed ({done.returncode}): {done.stderr.strip()[-500:]}"
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        return f"installed {' '.join(APT_PACKAGES)} but {CHROMIUM} or {CHROMEDRIVER} is still missing"
    return None


@contextlib.contextmanager
def headless_chromium() -> Iterator[Chrome]:
    """A Selenium session on the local Chromium, with a fresh profile removed afterwards."""
    from selenium import webdriver  # only the browser tests need Selenium
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="picklock-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # An explicit driver path makes Selenium skip Selenium Manager (which would download one).
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def demo_dashboard(home: Path) -> Iterator[DashboardServer]:
    """tools/demo.py's game day played into `home`, served on a free loopback port at DEMO_NOW."""
    with contextlib.redirect_stdout(io.StringIO()):  # the demo narrates every step
        play(home)
    server = DashboardServer(bootstrap(Config(home=home, now=DEMO_NOW)), port=0)
    thread = threading.Thread(target=server.serve_forever, name="dashboard", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def tampered_snapshot(service):
    """The demo date's first NBA version edited in the bucket (a pick's line moved); put back after."""
    publisher, spec = service.publisher, service.sports.get("nba")
    first = json.loads(publisher.read(spec.index_name(date.fromisoformat(GAME_DATE)))[0])["versions"][0]
    text, generation = publisher.read(first["snapshot"])
    document = json.loads(text)
    document["picks"][0]["line"] += 1
    generation = publisher.write(first["snapshot"], json.dumps(document), if_generation_match=generation)
    try:
        yield first
    finally:
        publisher.write(first["snapshot"], text, if_generation_match=generation)
