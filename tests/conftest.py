"""Shared fixtures: the generated sample audio, a helper to run the real `spiegel` command, and the rule for
tests that need the evaluation data beside the checkout.

`@pytest.mark.shared_data` marks a test that reads `../shared/eval-public` (the public evaluation clips, not in
this repository; `shared_data("spec")` for another folder of `../shared`). When the folder is missing such a
test is skipped with one line saying what is missing, and listed at the end as not run; under CI (`CI=true`)
a missing folder fails the test instead, so CI never passes without the data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EVAL_PUBLIC = SHARED / "eval-public"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _missing_shared(item: pytest.Item) -> str | None:
    """The one-line reason a `shared_data` test cannot run here, or None when its data is present."""
    marker = item.get_closest_marker("shared_data")
    if marker is None:
        return None
    folder = SHARED / (marker.args[0] if marker.args else "eval-public")
    if folder.is_dir():
        return None
    return f"needs ../shared/{folder.relative_to(SHARED).as_posix()} beside the checkout: {folder} is missing"


#: node id → the folder of ../shared it needed, for the summary line.
_NOT_RUN: dict[str, str] = {}


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _missing_shared(item)
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    marker = item.get_closest_marker("shared_data")
    _NOT_RUN[item.nodeid] = f"../shared/{marker.args[0] if marker and marker.args else 'eval-public'}"
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _NOT_RUN:
        terminalreporter.write_line(
            f"{len(_NOT_RUN)} tests not run: they need {', '.join(sorted(set(_NOT_RUN.values())))} "
            "(the public evaluation data, not in the repository) beside this checkout; under CI=true they fail."
        )


@pytest.fixture(scope="session")
def sample_audio() -> Path:
    """The espeak-ng sample recordings (generated on first use, as setup.sh does)."""
    audio_dir = REPO / "samples" / "audio"
    subprocess.run([sys.executable, str(REPO / "samples" / "make_audio.py")], check=True, cwd=REPO)
    assert (audio_dir / "nl_eerste_gesprek.wav").exists()
    return audio_dir


def run_spiegel(*args: str, offline: bool = False, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a child process (optionally with no network at all via `unshare -rn`)."""
    command = [sys.executable, "-m", "pipeline", *args]
    if offline:
        command = ["unshare", "-rn", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=REPO, check=False)


def count_calls(monkeypatch: pytest.MonkeyPatch, *targets: tuple[object, str]) -> list[str]:
    """Count the calls of real functions (each still does its work): one entry per call, named by target."""
    calls: list[str] = []
    for owner, name in targets:
        real = getattr(owner, name)

        def counted(*args: object, _real=real, _name=name, **kwargs: object) -> object:
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
    return calls
