"""Rule files: unique ids, taxonomy labels, every rule hit by a case, validation with file:line, overrides."""

import json
from pathlib import Path

import pytest

from core.errors import UserError
from core.taxonomy import CUE_LABELS, LABEL_SUBTYPES, ORIENTATIONS
from tagger import load_tagger
from tagger.rules import builtin_rule_lines, load_rules, validate_paths

ROOT = Path(__file__).resolve().parents[2]
PATTERNS = ROOT / "tagger" / "patterns"
ORG_RULE = '{"id": "compliment.direct.90", "label": "compliment", "subtype": "direct", "pattern": "prachtklus geklaard"}'


def _cases(lang: str) -> list[dict]:
    rows = []
    for path in (
        ROOT / "tests/tagger/data" / f"dev_{lang}.jsonl",
        ROOT / "tests/regression" / f"cases_{lang}.jsonl",
        *([ROOT / "tests/tagger/data/real_nl/dev.jsonl"] if lang == "nl" else []),
    ):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_builtin_rules_are_valid_and_unique(lang: str) -> None:
    assert validate_paths([PATTERNS / lang]) == []
    ids = [obj["id"] for _, _, obj in builtin_rule_lines(lang)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_rules_use_taxonomy_labels(lang: str) -> None:
    for rule in load_rules(lang):
        assert rule.label in LABEL_SUBTYPES or rule.label in CUE_LABELS
        if rule.subtype:
            assert rule.subtype in {**LABEL_SUBTYPES, **CUE_LABELS}[rule.label]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_rule_is_hit_by_a_case(lang: str) -> None:
    tagger = load_tagger(lang)
    hit: set[str] = set()
    for case in _cases(lang):
        ctx = [c["text"] if isinstance(c, dict) else c for c in case.get("context", [])]
        for analysis in tagger.analyse([*ctx, case["text"]]):
            hit.update(h.rule.id for h in analysis.hits)
    missing = sorted(r.id for r in load_rules(lang) if r.id not in hit)
    assert missing == []


def test_validation_names_file_line_and_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "org.jsonl"
    bad.write_text(
        "\n".join(
            [
                ORG_RULE,
                "{not json",
                '{"id": "compliment.direct.90", "label": "compliment", "pattern": "super"}',
                '{"id": "nonsense.any.01", "label": "nonsense", "pattern": "x"}',
                '{"id": "goal_question.any.99", "label": "goal_question", "pattern": "x", "colour": 1}',
                '{"id": "compliment.direct.91", "label": "compliment", "subtype": "loud", "pattern": "x"}',
                '{"id": "nope.01", "disable": true}',
            ]
        ),
        encoding="utf-8",
    )
    found = validate_paths([bad], known_ids=["compliment.direct.01"])
    assert [(p.line, p.key) for p in found] == [
        (2, "rules.invalid_json"),
        (3, "rules.duplicate"),
        (4, "rules.unknown_label"),
        (5, "rules.unknown_fields"),
        (6, "rules.unknown_subtype"),
        (7, "rules.disables_unknown"),
    ]
    # in the user's language: Dutch by default, English with SPIEGEL_LANG=en (or `--lang en`)
    problems = [str(p) for p in found]
    assert problems[0].startswith(f"{bad}:2: ongeldige JSON (")
    assert problems[1] == f"{bad}:3: dubbele id 'compliment.direct.90' (eerst in {bad}:1)"
    assert problems[2] == f"{bad}:4: label 'nonsense' staat niet in de taxonomie"
    assert problems[3] == f"{bad}:5: onbekende velden: colour"
    monkeypatch.setenv("SPIEGEL_LANG", "en")
    problems = [str(p) for p in found]
    assert problems[0].startswith(f"{bad}:2: invalid JSON (")
    assert problems[1] == f"{bad}:3: duplicate id 'compliment.direct.90' (first in {bad}:1)"
    assert problems[4] == f"{bad}:6: subtype 'loud' is not a subtype of 'compliment'"
    assert problems[5] == f"{bad}:7: disables unknown rule id 'nope.01'"
    with pytest.raises(UserError, match=r"org\.jsonl:2: invalid JSON"):
        load_rules("nl", [bad])


def test_organisation_rules_add_and_disable(tmp_path: Path) -> None:
    org = tmp_path / "org"
    org.mkdir()
    (org / "extra.jsonl").write_text(
        ORG_RULE + '\n{"id": "progress_question.any.01", "disable": true}\n',
        encoding="utf-8",
    )
    tagger = load_tagger("nl", [org])
    assert tagger.tag_one("prachtklus geklaard", "practitioner").tags[0].rule == "compliment.direct.90"
    assert "progress_question.any.01" not in {t.rule for t in tagger.tag_one("wat gaat er beter").tags}
    assert load_tagger("nl").tag_one("prachtklus geklaard", "practitioner").labels == []


def test_cli_patterns_check(tmp_path: Path, capsys) -> None:
    import argparse

    from tagger.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["patterns", "check"])
    assert args.func(args) == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    args = parser.parse_args(["patterns", "check", str(bad)])
    assert args.func(args) == 1
    assert f"{bad}:1: id 'x' heeft niet de vorm 'label.subtype.01'" in capsys.readouterr().err
    dup = tmp_path / "dup.jsonl"
    dup.write_text(
        '{"id": "compliment.direct.01", "label": "compliment", "pattern": "x"}\n', encoding="utf-8"
    )
    args = parser.parse_args(["patterns", "check", str(dup), str(tmp_path / "missing.jsonl")])
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert f"{dup}:1: dubbele id 'compliment.direct.01' (eerst in de ingebouwde regels)" in err
    assert f"{tmp_path / 'missing.jsonl'}:0: bestand of map bestaat niet" in err


def test_display_names_cover_taxonomy() -> None:
    from core.texts import catalogue

    for lang in ("nl", "en"):
        names = catalogue(lang)
        for key in [*(f"label.{x}" for x in LABEL_SUBTYPES), *(f"orientation.{x}" for x in ORIENTATIONS)]:
            assert names[key], (lang, key)


def test_after_turn_is_validated() -> None:
    from tagger.rules import parse_rule

    rule = parse_rule(
        {
            "id": "coping_question.any.90",
            "label": "coping_question",
            "pattern": "hoe doe je dat",
            "after_turn": "problem",
        }
    )
    assert rule.after_turn == "problem"
    with pytest.raises(ValueError, match="after_turn"):
        parse_rule(
            {"id": "coping_question.any.91", "label": "coping_question", "pattern": "x", "after_turn": "sad"}
        )


@pytest.mark.parametrize(
    ("lang", "hardship", "success", "question"),
    [
        (
            "nl",
            "Ik sta er helemaal alleen voor sinds de scheiding.",
            "Ik heb alles op tijd ingeleverd.",
            "Hoe doe je dat?",
        ),
        (
            "en",
            "Since the divorce I've been raising them on my own.",
            "I handed everything in on time.",
            "How do you do it?",
        ),
    ],
)
def test_after_turn_reads_the_previous_utterance(
    lang: str, hardship: str, success: str, question: str
) -> None:
    tagger = load_tagger(lang)
    after_hardship = tagger.tag_conversation([(hardship, "client"), (question, "practitioner")])[-1]
    after_success = tagger.tag_conversation([(success, "client"), (question, "practitioner")])[-1]
    assert after_hardship.labels == ["coping_question"]
    assert "coping_question" not in after_success.labels


@pytest.mark.shared_data("spec")
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_rule_labels_are_the_labels_of_the_shared_taxonomy(lang: str) -> None:
    taxonomy = (ROOT.parent / "shared" / "spec" / "taxonomy.md").read_text(encoding="utf-8")
    for rule in load_rules(lang):
        if rule.label in LABEL_SUBTYPES:
            assert f"`{rule.label}`" in taxonomy
