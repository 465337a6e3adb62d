"""Assemble the Dutch real corpus from the collectors' raw files and split it, once, before any tuning.

    .venv/bin/python tools/assemble_real_nl.py RAW.jsonl [RAW.jsonl ...]
    .venv/bin/python tools/assemble_real_nl.py --append RAW.jsonl [RAW.jsonl ...]

Writes `tests/tagger/data/real_nl/dev.jsonl`, `test.jsonl` and `SOURCES.md` (every source URL).
`--append` adds a new collection round to the parts as they are (the collectors' raw files of earlier rounds
need not be kept): existing lines keep their ids, part and batch; new lines are split by the same URL hash
and deduplicated against everything already there by the same rules.

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
#: before any tuning); E–F, G–H, I–K, L–N, O–Q and R–T on 2026-12-02, U–W on 2026-12-03, X–Z on 2026-12-04, split by the same URL hash. `batch` lets
#: a report keep the first locked test part comparable across releases.
BATCH = {
    "A": 1,
    "B": 1,
    "C": 1,
    "D": 1,
    "E": 2,
    "F": 2,
    "G": 3,
    "H": 3,
    "I": 4,
    "J": 4,
    "K": 4,
    "L": 5,
    "M": 5,
    "N": 5,
    "O": 6,
    "P": 6,
    "Q": 6,
    "R": 7,
    "S": 7,
    "T": 7,
    "U": 8,
    "V": 8,
    "W": 8,
    "X": 9,
    "Y": 9,
    "Z": 9,
}
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


def _existing() -> list[dict]:
    """The lines already in the parts, as written (with `_words` for the duplicate checks)."""
    rows = []
    for part in ("dev", "test"):
        path = OUT / f"{part}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                row["_words"] = set(_words(row["text"]))
                rows.append(row)
    return rows


def _add_context(rows: list[dict]) -> None:
    """The turns before each dialogue item, as `spiegel eval` reads them (`context`): real context, in order."""
    history: dict[tuple[str, str], list[dict]] = {}
    for row in sorted(rows, key=lambda r: (r["source_url"], str(r.get("dialogue")), r.get("turn") or 0)):
        if row.get("dialogue") is None:
            continue
        before = history.setdefault((row["source_url"], str(row["dialogue"])), [])
        row["context"] = [dict(c) for c in before[-CONTEXT_TURNS:]]
        before.append({"text": row["text"], "speaker": row["speaker"]})


def _write(rows: list[dict]) -> None:
    for part in ("dev", "test"):
        with (OUT / f"{part}.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                if row["split"] == part:
                    row = {k: v for k, v in row.items() if not k.startswith("_")}
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    _write_sources(rows)


def _write_sources(rows: list[dict]) -> None:
    urls = sorted({r["source_url"] for r in rows})
    lines = [
        "# Sources of the Dutch real corpus",
        "",
        "Every page an utterance was taken from, with its part.",
        "",
    ]
    lines += [f"- {split_of(u)}: <{u}>" for u in urls]
    (OUT / "SOURCES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _prune_agreement(removed: set[str]) -> None:
    """A second annotator's label on a line that left the corpus (a removed twin) goes with it."""
    path = OUT / "agreement.jsonl"
    if not removed or not path.is_file():
        return
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [line for line in lines if json.loads(line)["id"] not in removed]
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def append(paths: list[Path]) -> None:
    """Add a collection round: split the new lines by URL hash, drop duplicates, keep what is there."""
    old = _existing()
    known_urls = {r["source_url"] for r in old}
    new = load(paths)
    dropped = Counter()
    exact = {" ".join(_words(r["text"])): r for r in old}
    kept_new: list[dict] = []
    removed_dev: set[str] = set()
    for row in new:
        row["split"] = split_of(row["source_url"])
        key = " ".join(_words(row["text"]))
        words = set(key.split())
        if not key:
            dropped["empty"] += 1
            continue
        if row["source_url"] in known_urls:
            dropped["page already in the corpus"] += 1
            continue
        twins = [exact[key]] if key in exact else []
        if len(words) >= 4:
            twins += [o for o in (*old, *kept_new) if len(o["_words"]) >= 4 and near(words, o["_words"])]
        # across parts the development copy goes; within a part (or new vs new) the later copy goes
        if any(t["split"] == row["split"] or row["split"] == "dev" or t.get("id") is None for t in twins):
            dropped["duplicate"] += 1
            continue
        removed_dev |= {t["id"] for t in twins}
        row["_words"] = words
        exact[key] = row
        kept_new.append(row)
    _add_context(kept_new)
    rows = [r for r in old if r["id"] not in removed_dev]
    counts = Counter()
    for part in ("dev", "test"):
        last = max((int(r["id"].rsplit("-", 1)[1]) for r in old if r["split"] == part), default=0)
        for row in kept_new:
            if row["split"] != part:
                continue
            last += 1
            counts[part] += 1
            out = {"id": f"realnl-{part}-{last:04d}"} | {k: row.get(k) for k in FIELDS} | {"split": part}
            out["batch"] = BATCH.get(row["collector"], max(BATCH.values()))
            out["labels"] = list(out["labels"] or [])
            out["subtypes"] = dict(out["subtypes"] or {})
            if row.get("context"):
                out["context"] = row["context"]
            rows.append(out)
    _write(rows)
    _prune_agreement(removed_dev)
    print(
        f"added dev {counts['dev']}, test {counts['test']} from {len({r['source_url'] for r in kept_new})} pages; "
        f"removed {len(removed_dev)} development twins of new test lines; dropped {dict(dropped)}"
    )


def main() -> None:
    if sys.argv[1:2] == ["--append"]:
        append([Path(p) for p in sys.argv[2:]])
        return
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
    _add_context(kept)
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
    _write_sources(kept)
    pages = len({r["source_url"] for r in kept})
    print(f"kept dev {counts['dev']}, test {counts['test']}; pages {pages}; dropped {dict(dropped)}")


if __name__ == "__main__":
    main()
