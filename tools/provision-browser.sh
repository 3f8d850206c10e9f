#!/usr/bin/env bash
# Idempotent: installs Debian's chromium for the web page test (tests/Jobs.EndToEnd.Tests/ServeTests.cs drives it
# through Microsoft.Playwright with its executable path set; Playwright never downloads a browser of its own).
set -euo pipefail
if command -v chromium >/dev/null; then exit 0; fi
[[ $(id -u) -eq 0 ]] || { echo "provision-browser: chromium is missing; run as root: apt-get install -y chromium" >&2; exit 1; }
echo "provision-browser: apt-get install chromium" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; }
command -v chromium >/dev/null
