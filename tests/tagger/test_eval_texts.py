"""`spiegel eval` prints its figures in the user's language: Dutch by default, English with `--lang en` on the
command line or SPIEGEL_LANG=en (its words are `eval.*` catalogue texts, not English in the code)."""

import json
from pathlib import Path

import pytest

from cli.main import main

GOLD = {
    "text": "Knap dat je die stap hebt gezet.",
    "lang": "nl",
    "speaker": "practitioner",
    "orientation": "solution",
    "labels": ["compliment"],
    "subtypes": {"compliment": "direct"},
    "scale_value": None,
}


@pytest.fixture
def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOLD) + "\n", encoding="utf-8")
    return path


def test_eval_speaks_dutch_by_default(gold: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.delenv("SPIEGEL_LANG", raising=False)
    assert main(["eval", "--file", str(gold)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"== {gold} (deel: all)"
    assert out[1].split() == ["label", "prec", "rec", "f1", "aantal"]
    assert "uitingen: 1" in out
    assert any(line.startswith("richting juist: ") and line.endswith(" (n=1)") for line in out)
    assert "schaalwaarde exact: n.v.t. (n=0)" in out


def test_eval_in_english(gold: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setenv("SPIEGEL_LANG", "en")
    assert main(["eval", "--file", str(gold)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"== {gold} (split: all)"
    assert out[1].split() == ["label", "prec", "rec", "f1", "support"]
    assert "utterances: 1" in out
    assert any(line.startswith("orientation accuracy: ") and line.endswith(" (n=1)") for line in out)
    assert "scale value exact: n/a (n=0)" in out
