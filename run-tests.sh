#!/usr/bin/env bash
# Runs the whole Gespreksspiegel test suite (sets up first when needed): lint, format check, all tests,
# including the slow ones (real Whisper model on real audio) and the browser ones (headless chromium).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh --no-demo
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Two pytest-xdist workers, whole files each (module fixtures such as a dashboard server are built once): about
# 1.6x faster on 2 cores than one process. GS_TEST_WORKERS=0 runs everything in this one process.
exec .venv/bin/python -m pytest -n "${GS_TEST_WORKERS:-2}" --dist loadfile "$@"
