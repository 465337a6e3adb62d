"""The command line speaks the user's language: Dutch by default, English with `--lang en` or `SPIEGEL_LANG=en`.

Real `spiegel` runs in child processes on bad input (a missing recording, a bad option value, a missing
argument, an unknown command): each gives one sentence, in Dutch unless English was asked for, with the
exit status of the spec (1 for a failed input, 2 for a usage error). The texts are compared with the catalogue,
so a test fails when a message is printed from code instead of from `core/texts/<lang>.json`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import texts
from tests.conftest import REPO


def spiegel(*args: str, lang_env: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != texts.LANG_ENV}
    if lang_env is not None:
        env[texts.LANG_ENV] = lang_env
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
        check=False,
    )


def _missing(tmp_path: Path) -> str:
    return str(tmp_path / "weg.wav")


@pytest.mark.parametrize(
    ("extra", "lang_env", "lang"),
    [
        ((), None, "nl"),
        (("--lang", "en"), None, "en"),
        ((), "en", "en"),
        (("--lang", "nl"), "en", "nl"),  # the command line wins over the environment
        (("--lang=en",), None, "en"),
    ],
)
def test_a_missing_recording_is_one_sentence_in_the_chosen_language(tmp_path, extra, lang_env, lang):
    db = tmp_path / "s.duckdb"
    done = spiegel("process", _missing(tmp_path), "--db", str(db), "--no-progress", *extra, lang_env=lang_env)
    assert done.returncode == 1
    assert done.stderr.strip() == texts.text("error.file.missing", lang, name="weg.wav")
    assert not db.exists()


def test_dutch_and_english_differ_and_lang_goes_before_the_command_too(tmp_path):
    dutch = spiegel("process", _missing(tmp_path), "--no-progress")
    english = spiegel("--lang", "en", "process", _missing(tmp_path), "--no-progress")
    assert dutch.stderr.strip() == "weg.wav: het bestand bestaat niet."
    assert english.stderr.strip() == "weg.wav: the file does not exist."


def test_usage_errors_exit_2_in_the_chosen_language(tmp_path):
    dutch = spiegel("process", _missing(tmp_path), "--speakers", "0")
    english = spiegel("process", _missing(tmp_path), "--speakers", "0", "--lang", "en")
    assert dutch.returncode == english.returncode == 2
    assert dutch.stderr.strip() == (
        "spiegel process: optie --speakers: moet een heel getal van 1 tot en met 8 zijn, niet '0' "
        "(zie spiegel process --help)"
    )
    assert english.stderr.strip() == (
        "spiegel process: argument --speakers: must be a whole number from 1 to 8, not '0' "
        "(see spiegel process --help)"
    )
    missing = spiegel("report")
    assert missing.returncode == 2
    assert "deze opties zijn verplicht: SESSION_ID, --out" in missing.stderr
    unknown = spiegel("proces", lang_env="en")
    assert unknown.returncode == 2 and "invalid choice: 'proces'" in unknown.stderr


def test_an_unknown_language_falls_back_to_dutch_and_help_stays_english(tmp_path):
    done = spiegel("process", _missing(tmp_path), "--no-progress", lang_env="fr")
    assert done.stderr.strip() == "weg.wav: het bestand bestaat niet."
    helped = spiegel("process", "--help")
    assert helped.returncode == 0 and "--lang {nl,en}" in helped.stdout
    assert "number of speakers" in helped.stdout  # help texts are English in both languages (README)


def test_tag_messages_follow_the_language(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Wat gaat er goed?", "lang": "nl"}\nkapot\n', encoding="utf-8")
    out = tmp_path / "uit.jsonl"
    dutch = spiegel("tag", "--input", str(source), "--output", str(out))
    english = spiegel("tag", "--input", str(source), "--output", str(out), lang_env="en")
    assert dutch.returncode == english.returncode == 1
    assert dutch.stderr.strip().startswith("Regel 2 van ")
    assert english.stderr.strip().startswith("Line 2 of ")
    assert not out.exists()
