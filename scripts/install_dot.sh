#!/usr/bin/env bash
# Make sure Graphviz's `dot` binary is on PATH (the `graphviz` Python package only calls it).
# apt as root, sudo apt, or brew; otherwise say what to install. Under CI=true a missing dot fails.
set -euo pipefail
if command -v dot >/dev/null 2>&1; then exit 0; fi
echo "install_dot: Graphviz's dot is missing; installing it" >&2
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
elif command -v brew >/dev/null 2>&1; then
    brew install graphviz
fi
if command -v dot >/dev/null 2>&1; then exit 0; fi
msg="install_dot: could not install Graphviz's 'dot'. Install the system package 'graphviz' (apt install graphviz, brew install graphviz, or https://graphviz.org/download/); to_dot() works without it, drawing does not."
if [ "${CI:-}" = "true" ]; then echo "$msg" >&2; exit 1; fi
echo "$msg (rendering tests will be skipped)" >&2
