#!/usr/bin/env bash
# Runs the whole Gespreksspiegel test suite (sets up first when needed): lint, format check, all tests,
# including the slow ones (real Whisper model on real audio) and the browser ones (headless chromium).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh --no-demo
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
