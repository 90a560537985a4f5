"""Headless Chromium for the browser tests: Debian's `chromium` and `chromium-driver`, driven by
Selenium with that local chromedriver (never a driver or browser downloaded by Selenium Manager).

`ensure_chromium()` installs the two packages with apt-get when they are missing and we are root,
so a fresh clone needs nothing by hand; it returns why Chromium is unavailable, or None.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
APT_PACKAGES = ("chromium", "chromium-driver")
APT_TIMEOUT_SECONDS = 900
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1280,1600",
)

_install_lock = threading.Lock()
_install_problem: list[str | None] = []  # memo: apt runs at most once per process


def ensure_chromium() -> str | None:
    """None when Chromium and chromedriver are there (installing them if need be), else why not."""
    with _install_lock:
        if not _install_problem:
            _install_problem.append(_install())
        return _install_problem[0]


def _install() -> str | None:
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    if os.geteuid() != 0:
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing and installing {' '.join(APT_PACKAGES)} needs root"
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} or {CHROMEDRIVER} is missing and there is no apt-get to install them"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"],
                    ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES]):
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


@contextmanager
def headless_chromium() -> Iterator["selenium.webdriver.Chrome"]:  # noqa: F821 - imported lazily
    """A Selenium session on the local Chromium, with a fresh profile removed afterwards."""
    from selenium import webdriver
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
