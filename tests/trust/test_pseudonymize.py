"""Pseudonymised sharing: recall and precision on our own annotated session sentences, stable placeholders.

`data/pii_nl.jsonl` (136 sentences, 190 entities) and `data/pii_en.jsonl` (50 sentences, 65 entities) are
sentences written for this test in the style of counselling sessions (names of family members, places, schools,
care providers, dates, ages, phone numbers, e-mail, BSN), each with its entities by hand; `pii_heldout_nl`
(25 sentences, 35 entities) and `pii_heldout_en` (18, 23) were written after the rules and never tuned on.

Recall counts an entity as found when every character of it is inside a replaced span (the text is hidden);
precision counts a replaced span as right when it overlaps an annotated entity. Figures: see THRESHOLDS.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagger.pseudonymize import Pseudonymizer, find_spans

DATA = Path(__file__).resolve().parent / "data"
#: Measured on 2026-12-01 (deduce 3.0.6 for nl, our rules for en); the test fails if a change drops below.
#: nl/en were used to write the supplementary rules (dev); heldout_* were written after and never tuned on.
#: Measured: nl recall 0.974 precision 1.000 · en 1.000 / 1.000 · heldout_nl 0.971 / 1.000 · heldout_en 0.870 / 1.000.
THRESHOLDS = {"nl": (0.95, 0.97), "en": (0.97, 0.97), "heldout_nl": (0.94, 0.95), "heldout_en": (0.85, 0.95)}


def load(name: str) -> list[dict]:
    return [
        json.loads(line) for line in (DATA / f"pii_{name}.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def gold_spans(case: dict) -> list[tuple[int, int]]:
    spans, cursor = [], 0
    for text, _ in case["entities"]:
        start = case["text"].find(text, cursor)
        if start < 0:
            start = case["text"].find(text)
        spans.append((start, start + len(text)))
        cursor = start + len(text)
    return spans


def measure(name: str) -> tuple[float, float, int, int, list[str]]:
    language = name.split("_")[-1]
    found = total = right = predicted = 0
    misses = []
    for case in load(name):
        spans = [(s.start, s.end) for s in find_spans(case["text"], language)]
        covered = {i for start, end in spans for i in range(start, end)}
        for (start, end), (text, _) in zip(gold_spans(case), case["entities"], strict=True):
            total += 1
            if all(i in covered for i in range(start, end) if not case["text"][i].isspace()):
                found += 1
            else:
                misses.append(f"missed {text!r} in {case['text']!r}")
        golds = gold_spans(case)
        for start, end in spans:
            predicted += 1
            if any(start < g_end and g_start < end for g_start, g_end in golds):
                right += 1
            else:
                misses.append(f"extra {case['text'][start:end]!r} in {case['text']!r}")
    return found / total, right / max(predicted, 1), total, predicted, misses


@pytest.mark.parametrize("name", ["nl", "en", "heldout_nl", "heldout_en"])
def test_recall_and_precision_on_annotated_sentences(name):
    recall, precision, total, predicted, misses = measure(name)
    print(f"{name}: recall {recall:.3f} precision {precision:.3f} ({total} entities, {predicted} spans)")
    print("\n".join(misses))
    min_recall, min_precision = THRESHOLDS[name]
    assert recall >= min_recall and precision >= min_precision, (recall, precision)


def test_the_same_person_gets_the_same_placeholder_everywhere():
    p = Pseudonymizer()
    assert p.name("Sanne") == "[PERSOON-1]"
    first = p.text("Sanne vroeg hoe het met Jeroen in Utrecht ging.", "nl")
    second = p.text("Jeroen zei tegen sanne dat Utrecht hem goed doet.", "nl")
    assert first == "[PERSOON-1] vroeg hoe het met [PERSOON-2] in [LOCATIE-1] ging."
    assert second == "[PERSOON-2] zei tegen [PERSOON-1] dat [LOCATIE-1] hem goed doet."
    english = p.text("Jeroen called me from London on 06-12345678.", "en")
    assert "[PERSOON-2]" in english and "London" not in english and "12345678" not in english


def test_export_and_report_pseudonymized_leave_no_identifier(tmp_path):
    import csv
    import subprocess
    import sys

    from tests.conftest import REPO

    db = tmp_path / "s.duckdb"
    first = tmp_path / "gesprek-met-jeroen.txt"
    first.write_text(
        "Sanne: Hoe ging het deze week met Jeroen?\n"
        "Jeroen: Beter. Ik ben met mijn zus Fatima naar Amersfoort geweest.\n"
        "Sanne: Wat heb je anders gedaan? Je mag me bellen op 06-41235987.\n"
        "Jeroen: Ik heb op 14 februari Fatima gemaild op fatima.bakker@gmail.com.\n",
        encoding="utf-8",
    )
    second = tmp_path / "vervolg.txt"
    second.write_text(
        "Sanne: Wat gaat er beter sinds vorige keer, Jeroen?\nJeroen: Fatima komt nu elke week langs.\n",
        encoding="utf-8",
    )

    def spiegel(*args):
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=REPO, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stderr

    stderr = spiegel(
        "import", str(first), str(second), "--db", str(db), "--practitioner", "Sanne", "--client", "K-017"
    )
    session_id = stderr.split("opgeslagen als sessie ")[1].split()[0]
    spiegel("export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "uit"), "--pseudonymize")
    spiegel("report", session_id, "--db", str(db), "--out", str(tmp_path / "verslag.md"), "--pseudonymize")

    secrets = (
        "Sanne",
        "Jeroen",
        "Fatima",
        "Amersfoort",
        "41235987",
        "fatima.bakker",
        "14 februari",
        "K-017",
        "gesprek-met-jeroen",
        session_id,
    )
    shared = [*(tmp_path / "uit").iterdir(), tmp_path / "verslag.md"]
    for path in shared:
        text = path.read_text(encoding="utf-8")
        assert [s for s in secrets if s.casefold() in text.casefold()] == [], path.name

    with (tmp_path / "uit" / "utterances.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    practitioner = {r["speaker"] for r in rows if r["role"] == "practitioner"}
    client = {r["speaker"] for r in rows if r["role"] == "client"}
    assert practitioner == {"[PERSOON-1]"} and len(client) == 1
    (client_label,) = client
    mentions = " ".join(r["text"] for r in rows)
    assert (
        f"met {client_label}?" in mentions and f"keer, {client_label}?" in mentions
    )  # the same person in both
    assert (
        mentions.count("[LOCATIE-1]") == 1
        and "[TELEFOONNUMMER-1]" in mentions
        and "[EMAILADRES-1]" in mentions
    )
    with (tmp_path / "uit" / "sessions.csv").open(encoding="utf-8") as handle:
        sessions = list(csv.DictReader(handle))
    assert {s["practitioner"] for s in sessions} == {"[PERSOON-1]"} and {
        s["client_code"] for s in sessions
    } == {"[CLIENT-1]"}
    assert (tmp_path / "uit" / "voiceprints.csv").read_text(encoding="utf-8").count("\n") <= 1
    with (tmp_path / "uit" / "tags.csv").open(encoding="utf-8") as handle:
        texts = {(r["session_id"], r["idx"]): r["text"] for r in rows}
        for tag in csv.DictReader(handle):
            assert (
                0
                <= int(tag["start_char"])
                <= int(tag["end_char"])
                <= len(texts[(tag["session_id"], tag["utterance_idx"])])
            )
