"""Everything the tagger says about the development texts, one JSON line per utterance, to prove that a change
to the tagger's code (a speed-up) leaves its output as it was.

    .venv/bin/python tools/tag_fingerprint.py --out /tmp/before.jsonl
    .venv/bin/python tools/tag_fingerprint.py --out /tmp/after.jsonl --compare /tmp/before.jsonl

Why a file and not a stored hash: rule files change on main all the time, and a stored hash would conflict
with every legitimate rule change. Run it on the old code and on the new code with the same rule files and
compare. Tagged: `tests/tagger/data/dev_nl.jsonl`, `dev_en.jsonl`, `tests/tagger/data/real_nl/dev.jsonl` (each
file as one conversation, with its speakers) and the AnnoMI development sessions (each session split into
sentences as the importer does, therapist as practitioner). Locked test parts are never read. Per utterance:
labels, subtypes, rule ids and spans, scale value, question form, orientation, its score and weighed cues,
and the analysis the orientation model reads (hits with negation, polarity sums, marks, terms, numbers).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from pipeline.text import split_sentences  # noqa: E402
from tagger.api import load_tagger  # noqa: E402

DATA = ROOT / "tests" / "tagger" / "data"
ROLE = {"therapist": "practitioner", "client": "client"}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def conversations() -> Iterator[tuple[str, str, list[tuple[str, str | None]]]]:
    """(name, language, (text, role) items) of every development conversation."""
    for name, path, lang in (
        ("dev_nl", DATA / "dev_nl.jsonl", "nl"),
        ("dev_en", DATA / "dev_en.jsonl", "en"),
        ("real_nl_dev", DATA / "real_nl" / "dev.jsonl", "nl"),
    ):
        yield name, lang, [(r["text"], r.get("speaker")) for r in _lines(path)]
    try:
        from realdata import load_annomi
    except ImportError:  # pragma: no cover - the bench folder is part of the checkout
        return
    try:
        sessions = load_annomi()
    except FileNotFoundError:
        print("AnnoMI not found: skipped", file=sys.stderr)
        return
    for s in sessions:
        if s.split != "dev":
            continue
        items = [(sentence, ROLE.get(t.speaker)) for t in s.turns for sentence in split_sentences(t.text)]
        yield f"annomi_{s.transcript_id}", "en", items


def records(name: str, lang: str, items: list[tuple[str, str | None]]) -> Iterator[dict[str, Any]]:
    """One record per utterance of a conversation."""
    tagger = load_tagger(lang)
    tagger._evidence_only, tagger._evidence = True, []
    try:
        results = tagger.tag_conversation(items)
        evidence = tagger._evidence
    finally:
        tagger._evidence_only, tagger._evidence = False, []
    for i, (result, ev) in enumerate(zip(results, evidence, strict=True)):
        decided = tagger.component.orientation(ev)
        a = ev.analysis
        yield {
            "at": f"{name}:{i}",
            "orientation": decided.orientation,
            "score": decided.score,
            "cues": [list(c) for c in decided.cues],
            "tags": [[t.label, t.subtype, t.value, t.start_char, t.end_char, t.rule] for t in result.tags],
            "question": result.is_question,
            "scale_value": result.scale_value,
            "hits": [[h.rule.id, h.start, h.end, h.start_char, h.end_char, h.negated] for h in a.hits],
            "analysis": [
                a.cue_score,
                a.pivot_score,
                a.before_pivot_score,
                a.contrast_at,
                a.pivot,
                a.scale_position,
                a.scale_context,
                a.first_person,
                a.n_words,
                list(a.sentence_breaks),
                a.polarity,
                list(a.marks),
                list(a.terms),
                [[n.start, n.end, n.value, s, e] for n, s, e in a.numbers],
            ],
        }


def _close(x: Any, y: Any) -> bool:
    """Equal, floats to 1e-9."""
    if isinstance(x, float) or isinstance(y, float):
        return isinstance(x, int | float) and isinstance(y, int | float) and math.isclose(x, y, abs_tol=1e-9)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_close(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_close(x[k], y[k]) for k in x)
    return x == y


def compare(new: Path, old: Path) -> int:
    """0 when both files say the same (floats to 1e-9); else print the first differences and return 1."""
    a, b = _lines(new), _lines(old)
    if len(a) != len(b):
        print(f"{len(a)} utterances vs {len(b)}")
        return 1
    bad = [(x, y) for x, y in zip(a, b, strict=True) if not _close(x, y)]
    for x, y in bad[:5]:
        print(f"differs at {x['at']}:\n  new {x}\n  old {y}")
    print(f"{len(a)} utterances, {len(bad)} differ")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--compare", type=Path, help="an earlier output to compare with")
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as handle:
        for name, lang, items in conversations():
            for rec in records(name, lang, items):
                handle.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    return compare(args.out, args.compare) if args.compare else 0


if __name__ == "__main__":
    raise SystemExit(main())
