"""A real headless Chromium for the report tests (Debian's, driven by Selenium through
Debian's ChromeDriver). tests/browser/install_chromium.sh installs both (root on Debian).
Where they cannot be installed a browser test is skipped with the reason, except under CI
(CI=true), where that is a failure."""

import os
import shutil
import subprocess
import time

import pytest
from conftest import REPO

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def browser():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        if os.geteuid() != 0 and os.environ.get("CI") != "true":
            pytest.skip("Chromium is not installed and installing it needs root (tests/browser/install_chromium.sh)")
        done = subprocess.run(
            ["bash", str(REPO / "tests/browser/install_chromium.sh")], capture_output=True, text=True, timeout=1800
        )
        if done.returncode != 0:
            if os.environ.get("CI") == "true":
                pytest.fail("could not install Chromium:\n" + done.stdout[-2000:] + done.stderr[-2000:])
            pytest.skip("could not install Chromium: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium look for drivers online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1400,1000",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait_for(condition, seconds=60):
    """Poll until ``condition()`` is truthy (a guard against a hang, not a speed check)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("the report did not show what was expected")
