#!/usr/bin/env bash
# Runs the whole Gespreksspiegel test suite (sets up first when needed): lint, format check, all tests,
# including the slow ones (real Whisper model on real audio) and the browser ones (headless chromium, and
# Debian's firefox-esr for the listening checks).
set -euo pipefail
cd "$(dirname "$0")"
bash setup.sh --tests
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Two pytest-xdist workers by default, whole files each (module fixtures such as a dashboard server are built
# once): about 1.8x faster on 2 cores (41 min -> about 20 in CI). A browser test may then wait beside a
# speech-model test: its actions wait up to 90 s and for the end of Streamlit's run (tests/dashboard/browser.py).
# GS_TEST_WORKERS=0 runs everything in one process.
exec .venv/bin/python -m pytest -n "${GS_TEST_WORKERS:-2}" --dist loadfile "$@"
