#!/usr/bin/env bash
# Runs the whole Gespreksspiegel test suite (sets up first when needed): lint, format check, all tests,
# including the slow ones (real Whisper model on real audio) and the browser ones (headless chromium).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh --no-demo
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# One process by default. GS_TEST_WORKERS=2 runs two pytest-xdist workers, whole files each (module fixtures
# such as a dashboard server are built once): about 1.5x faster on 2 cores, but a browser test then waits beside
# a speech-model test and timed out once in three full runs here (a click on the change history), so it is not
# the default yet.
exec .venv/bin/python -m pytest -n "${GS_TEST_WORKERS:-0}" --dist loadfile "$@"
