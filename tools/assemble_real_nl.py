"""Assemble the Dutch real corpus from the collectors' raw files and split it, once, before any tuning.

    .venv/bin/python tools/assemble_real_nl.py RAW.jsonl [RAW.jsonl ...]

Writes `tests/tagger/data/real_nl/dev.jsonl`, `test.jsonl` and `SOURCES.md` (every source URL).

The split is by source page: a page's items all go to the same part, chosen by a hash of its URL
(`TEST_PERCENT` of pages go to the locked test part), so sentences of one dialogue or one post never sit
on both sides. Exact and near duplicates (same words after normalising, or a word-set overlap of 0.8 or
more) are removed: within a part the later copy goes, across parts the development copy goes, so the
test part has no near-duplicates in the development part. Lines that break the contract (unknown label,
orientation or speaker) are refused with their file and line.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "tests" / "tagger" / "data" / "real_nl"
TEST_PERCENT = 35
#: How many earlier turns of a dialogue an item carries as its context.
CONTEXT_TURNS = 6
#: Collection rounds: A–D collected on 2026-12-01 (the split and the first locked test part were made then,
#: before any tuning); E–F and G–H on 2026-12-02, split by the same URL hash. `batch` lets a report keep the first
#: locked test part comparable across releases.
BATCH = {"A": 1, "B": 1, "C": 1, "D": 1, "E": 2, "F": 2, "G": 3, "H": 3}
LABELS = {
    "compliment", "scale_question", "scale_answer", "exception_question", "exception_report",
    "miracle_question", "coping_question", "goal_question", "progress_question", "more_question",
    "relationship_question", "problem_question",
}  # fmt: skip
ORIENTATIONS = {"solution", "problem", "neutral"}
SPEAKERS = {"practitioner", "client"}
FIELDS = ("text", "lang", "speaker", "orientation", "labels", "subtypes", "scale_value", "source_url",
          "source_kind", "dialogue", "turn", "note")  # fmt: skip


def split_of(url: str) -> str:
    digest = hashlib.sha256(url.strip().encode()).hexdigest()
    return "test" if int(digest[:8], 16) % 100 < TEST_PERCENT else "dev"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def near(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return False
    return len(a & b) / len(a | b) >= 0.8


def load(paths: list[Path]) -> list[dict]:
    items = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            where = f"{path.name}:{number}"
            if row.get("orientation") not in ORIENTATIONS or row.get("speaker") not in SPEAKERS:
                raise SystemExit(f"{where}: orientation or speaker outside the taxonomy")
            if set(row.get("labels") or []) - LABELS or not row.get("source_url", "").startswith("http"):
                raise SystemExit(f"{where}: unknown label or no source URL")
            row["collector"] = path.stem.removeprefix("raw_")
            items.append(row)
    return items


def main() -> None:
    items = load([Path(p) for p in sys.argv[1:]])
    for row in items:
        row["split"] = split_of(row["source_url"])
    kept: list[dict] = []
    seen_exact: dict[str, dict] = {}
    dropped = Counter()
    # test items first, so across parts the development copy is the one removed
    for row in sorted(items, key=lambda r: r["split"] != "test"):
        key = " ".join(_words(row["text"]))
        if not key:
            dropped["empty"] += 1
            continue
        if key in seen_exact:
            dropped["duplicate"] += 1
            continue
        words = set(key.split())
        if len(words) >= 4 and any(
            near(words, other["_words"]) for other in kept if len(other["_words"]) >= 4
        ):
            dropped["near-duplicate"] += 1
            continue
        row["_words"] = words
        seen_exact[key] = row
        kept.append(row)
    order = {id(r): i for i, r in enumerate(items)}
    kept.sort(key=lambda r: order[id(r)])
    # the turns before a dialogue item, as `spiegel eval` reads them (`context`): real context, in order
    history: dict[tuple[str, str], list[dict]] = {}
    for row in sorted(kept, key=lambda r: (r["source_url"], str(r.get("dialogue")), r.get("turn") or 0)):
        if row.get("dialogue") is None:
            continue
        before = history.setdefault((row["source_url"], str(row["dialogue"])), [])
        row["context"] = [dict(c) for c in before[-CONTEXT_TURNS:]]
        before.append({"text": row["text"], "speaker": row["speaker"]})
    OUT.mkdir(parents=True, exist_ok=True)
    counts = Counter()
    for part in ("dev", "test"):
        rows = [r for r in kept if r["split"] == part]
        with (OUT / f"{part}.jsonl").open("w", encoding="utf-8") as handle:
            for i, row in enumerate(rows, start=1):
                out = {"id": f"realnl-{part}-{i:04d}"} | {k: row.get(k) for k in FIELDS} | {"split": part}
                out["batch"] = BATCH.get(row["collector"], 2)
                out["labels"] = list(out["labels"] or [])
                out["subtypes"] = dict(out["subtypes"] or {})
                if row.get("context"):
                    out["context"] = row["context"]
                handle.write(json.dumps(out, ensure_ascii=False) + "\n")
        counts[part] = len(rows)
    urls = sorted({r["source_url"] for r in kept})
    lines = [
        "# Sources of the Dutch real corpus",
        "",
        "Every page an utterance was taken from, with its part.",
        "",
    ]
    lines += [f"- {split_of(u)}: <{u}>" for u in urls]
    (OUT / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"kept dev {counts['dev']}, test {counts['test']}; pages {len(urls)}; dropped {dict(dropped)}")


if __name__ == "__main__":
    main()
