"""The `spiegel tag` JSONL contract, bad input, and the CLI wiring."""

import argparse
import json
from pathlib import Path

import pytest

from core.errors import UserError
from tagger.cli import register
from tagger.jsonl import tag_jsonl


def _write(path: Path, rows: list) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def test_contract_and_pass_through(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "in.jsonl",
        [
            {
                "text": "Op een schaal van 0 tot 10, waar sta je nu?",
                "lang": "nl",
                "speaker": "practitioner",
                "x": 1,
            },
            {"text": "ik zit op 6", "lang": "nl", "speaker": "client"},
            {"text": "Why do you drink?", "lang": "en", "speaker": "practitioner"},
            {"text": "zeven", "lang": "nl", "speaker": "client", "context": ["Welk cijfer geef je jezelf?"]},
            {"text": "hallo", "speaker": None},
        ],
    )
    out = tmp_path / "out.jsonl"
    assert tag_jsonl(src, out) == 5
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["x"] == 1
    assert rows[0]["labels"] == ["scale_question"]
    assert set(rows[0]["tags"][0]) == {"label", "subtype", "value", "start_char", "end_char", "rule"}
    assert rows[1]["scale_value"] == 6.0
    assert rows[1]["tags"][0]["subtype"] == "progress"
    assert rows[2]["labels"] == ["problem_question"]
    assert rows[2]["orientation"] == "problem"
    assert rows[3]["scale_value"] == 7.0
    assert rows[4]["orientation"] == "neutral"
    assert rows[4]["scale_value"] is None


def test_malformed_line_names_line_and_writes_nothing(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [{"text": "hallo"}, "{broken", {"text": "doei"}])
    out = tmp_path / "out.jsonl"
    with pytest.raises(UserError, match="Regel 2"):
        tag_jsonl(src, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]
    src = _write(tmp_path / "in.jsonl", [{"text": "hallo"}, {"txt": "no text"}])
    with pytest.raises(UserError, match="Regel 2"):
        tag_jsonl(src, out)
    src = _write(tmp_path / "in.jsonl", [{"text": "hallo", "lang": "de"}])
    with pytest.raises(UserError, match="Regel 1"):
        tag_jsonl(src, out)


def test_missing_input_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        tag_jsonl(tmp_path / "none.jsonl", tmp_path / "out.jsonl")
    assert str(err.value).endswith(".")
    assert "\n" not in str(err.value)


def test_cli_tag(tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    src = _write(tmp_path / "in.jsonl", [{"text": "Wat nog meer?", "speaker": "practitioner"}])
    out = tmp_path / "out.jsonl"
    args = parser.parse_args(["tag", "--input", str(src), "--output", str(out)])
    assert args.func(args) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["labels"] == ["more_question"]
    args = parser.parse_args(["tag", "--input", str(tmp_path / "nope.jsonl"), "--output", str(out)])
    assert args.func(args) == 1
    assert "bestaat niet" in capsys.readouterr().err
