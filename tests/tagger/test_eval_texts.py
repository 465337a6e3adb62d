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


#: The language, then the title, the column heads and the start of three figure lines in it.
EXPECTED = {
    "nl": (
        "(deel: all)",
        "label prec rec f1 aantal",
        "uitingen: 1",
        "richting juist: ",
        "schaalwaarde exact: n.v.t.",
    ),
    "en": (
        "(split: all)",
        "label prec rec f1 support",
        "utterances: 1",
        "orientation accuracy: ",
        "scale value exact: n/a",
    ),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_eval_speaks_the_user_language(
    lang: str, gold: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    """Dutch without SPIEGEL_LANG, English with SPIEGEL_LANG=en."""
    if lang == "nl":
        monkeypatch.delenv("SPIEGEL_LANG", raising=False)
    else:
        monkeypatch.setenv("SPIEGEL_LANG", lang)
    title, heads, count, orientation, scale = EXPECTED[lang]
    assert main(["eval", "--file", str(gold)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"== {gold} {title}"
    assert out[1].split() == heads.split()
    assert count in out
    assert any(line.startswith(orientation) and line.endswith(" (n=1)") for line in out)
    assert any(line.startswith(scale) for line in out)
