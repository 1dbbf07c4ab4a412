#!/usr/bin/env bash
# Sets up webcodecs-streams on a fresh machine, then runs the demo. Idempotent: safe to rerun;
# it installs only what is missing.
#   Debian/Ubuntu: apt-get (with sudo when not root)    macOS: Homebrew
# Installs: a C++ toolchain, cmake, pkg-config, the FFmpeg development libraries (>= 5.1) and the
# x264, libaom and libopus development files (used directly where FFmpeg 5.1's wrappers stop), the
# ffmpeg command-line tool (used by the tests and benchmarks), Node.js >= 20 if missing, then the
# npm dependencies, the native addon and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

DEBIAN_PACKAGES=(g++ make cmake pkg-config libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libx264-dev libaom-dev libopus-dev ffmpeg)
BREW_PACKAGES=(cmake pkg-config ffmpeg x264 aom opus node)

node_ok() {
  command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ]
}

install_debian() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install as root: ${DEBIAN_PACKAGES[*]}"
    sudo="sudo"
  fi
  local missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ! node_ok; then missing+=(nodejs npm); fi
  if [ ${#missing[@]} -eq 0 ]; then
    say "system packages already installed"
    return
  fi
  say "installing: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_macos() {
  command -v brew >/dev/null 2>&1 || die "Homebrew is required on macOS: see https://brew.sh, then rerun"
  local missing=()
  for pkg in "${BREW_PACKAGES[@]}"; do
    brew list --formula "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing: ${missing[*]}"
    brew install "${missing[@]}"
  else
    say "Homebrew packages already installed"
  fi
}

case "$(uname -s)" in
  Linux)
    command -v apt-get >/dev/null 2>&1 || die "no apt-get: install ${DEBIAN_PACKAGES[*]} and Node.js >= 20 with your package manager, then run: npm install"
    install_debian
    ;;
  Darwin) install_macos ;;
  *) die "unsupported system $(uname -s): install cmake, pkg-config, FFmpeg >= 5.1 and Node.js >= 20, then run: npm install" ;;
esac

node_ok || die "Node.js >= 20 is required (found $(node --version 2>/dev/null || echo none)); install it from your distribution or nodejs.org, then rerun"

say "installing npm dependencies and building the native addon"
npm install --no-audit --no-fund
npm run build:native
npm run build:ts

if [ "${1:-}" != "--no-demo" ]; then
  say "running the demo"
  npm run --silent demo
fi
say "done. Run the tests with: npm test"
