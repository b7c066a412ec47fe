#!/usr/bin/env bash
# Install Debian's Chromium and its ChromeDriver (the report's browser test). Root on
# Debian/Ubuntu; a machine that has both already installs nothing.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
command -v chromium && command -v chromedriver
