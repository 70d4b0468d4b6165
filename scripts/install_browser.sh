#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is on PATH for the browser tests (Playwright drives it;
# Playwright's own browser download is never used). apt as root or sudo apt; otherwise say what to install.
# Under CI=true a missing browser fails; elsewhere a warning, and the browser tests skip.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "install_browser: chromium is missing; installing Debian's package (a few minutes)" >&2
packages=(chromium fonts-dejavu-core)  # a font for legible screenshots on a bare machine
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
if command -v chromium >/dev/null 2>&1; then exit 0; fi
msg="install_browser: could not install Chromium. Install Debian's package 'chromium' (apt install chromium), or put a Chromium or Chrome binary named 'chromium' on PATH; the Python side is 'pip install -e .[dev]' (playwright)."
if [ "${CI:-}" = "true" ]; then echo "$msg" >&2; exit 1; fi
echo "$msg (browser tests will be skipped)" >&2
