"""Measure the tagger on labelled utterances: per-label precision/recall/F1, macro-F1, orientation accuracy,
subtype accuracy and exact scale values.

    python -m tagger.evaluate [--lang nl|en] [--split heldout|heldout2|heldout3|heldout_all|tune|all] [--file F.jsonl]

Without `--file` it reads the project's development set (`tests/tagger/data/dev_<lang>.jsonl`), by default the
held-out part. `heldout2` is a second, later held-out set (`tests/tagger/data/heldout2_<lang>.jsonl`, written
after the rules, never tuned on); `heldout3` is a third one (`tests/tagger/data/heldout3_<lang>.jsonl`, Dutch
only so far, written blind before a later round of rule work); `heldout_all` is all held-out sets together. Gold lines: `text`, `lang`, `speaker`, `orientation`, `labels`, `subtypes`
({label: subtype}) or `subtype`, `scale_value`, optional `context` (preceding utterances) and `split`.
Each line is tagged on its own
(with its `context`, if any), so the order of the file does not matter.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UserError
from core.texts import user_text
from tagger.jsonl import parse_lines
from tagger.taxonomy import LABEL_SUBTYPES

DEV_DIR = Path(__file__).resolve().parents[1] / "tests" / "tagger" / "data"


@dataclass
class LabelScore:
    """Counts and scores of one label."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """The figures of one evaluation run."""

    n: int
    labels: dict[str, LabelScore]
    macro_f1: float
    orientation_accuracy: float | None
    orientation_n: int
    #: Mean recall over solution/problem/neutral: a tagger that calls everything neutral scores 1/3.
    orientation_balanced: float | None
    scale_exact: float | None
    scale_n: int
    subtype_accuracy: float | None
    subtype_n: int
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "macro_f1": self.macro_f1,
            "orientation_accuracy": self.orientation_accuracy,
            "orientation_balanced": self.orientation_balanced,
            "scale_exact": self.scale_exact,
            "subtype_accuracy": self.subtype_accuracy,
            "labels": {
                k: {"precision": v.precision, "recall": v.recall, "f1": v.f1, "support": v.tp + v.fn}
                for k, v in self.labels.items()
            },
        }


def load_gold(path: Path, split: str = "all") -> list[dict[str, Any]]:
    """Read gold lines from a JSONL file, keeping one split ("tune", "heldout" or "all")."""
    rows = []
    with Path(path).open(encoding="utf-8") as fh:
        for _lineno, obj in parse_lines(fh, path):
            if split == "all" or obj.get("split", "heldout") == split:
                rows.append(obj)
    return rows


def _gold_subtypes(obj: dict[str, Any]) -> dict[str, str]:
    if isinstance(obj.get("subtypes"), dict):
        return {k: v for k, v in obj["subtypes"].items() if v}
    sub = obj.get("subtype")
    if sub:
        for label in obj.get("labels") or []:
            if sub in LABEL_SUBTYPES.get(label, ()):
                return {label: sub}
    return {}


def _context(obj: dict[str, Any]) -> list[tuple[str, str | None]]:
    ctx = obj.get("context") or []
    if isinstance(ctx, str):
        ctx = [ctx]
    return [(c["text"], c.get("speaker")) if isinstance(c, dict) else (c, "practitioner") for c in ctx]


def evaluate(
    rows: Sequence[dict[str, Any]], lang: str | None = None, extra_patterns: Sequence[Path] = ()
) -> Report:
    """Tag each gold row (with its context) and score the result."""
    from tagger.api import load_tagger

    scores: dict[str, LabelScore] = {}
    gold_labels_seen: set[str] = set()
    orient_ok = orient_n = scale_ok = scale_n = sub_ok = sub_n = 0
    orient_by_class: dict[str, list[int]] = {}
    errors = []
    for obj in rows:
        tagger = load_tagger(obj.get("lang") or lang or "nl", extra_patterns)
        res = tagger.tag_conversation([*_context(obj), (obj["text"], obj.get("speaker"))])[-1]
        gold = set(obj.get("labels") or [])
        pred = set(res.labels)
        gold_labels_seen |= gold
        for label in gold | pred:
            s = scores.setdefault(label, LabelScore())
            if label in gold and label in pred:
                s.tp += 1
            elif label in pred:
                s.fp += 1
            else:
                s.fn += 1
        gsub = _gold_subtypes(obj)
        psub = {t.label: t.subtype for t in res.tags}
        for label, sub in gsub.items():
            if label in pred:
                sub_n += 1
                sub_ok += psub.get(label) == sub
        wrong = gold != pred
        if obj.get("orientation"):
            orient_n += 1
            per_class = orient_by_class.setdefault(obj["orientation"], [0, 0])
            per_class[1] += 1
            if str(res.orientation) == obj["orientation"]:
                orient_ok += 1
                per_class[0] += 1
            else:
                wrong = True
        if obj.get("scale_value") is not None:
            scale_n += 1
            if res.scale_value is not None and abs(res.scale_value - float(obj["scale_value"])) < 1e-6:
                scale_ok += 1
            else:
                wrong = True
        if wrong:
            errors.append(
                {
                    "id": obj.get("id"),
                    "text": obj["text"],
                    "gold": sorted(gold),
                    "pred": sorted(pred),
                    "gold_orientation": obj.get("orientation"),
                    "pred_orientation": str(res.orientation),
                    "gold_scale": obj.get("scale_value"),
                    "pred_scale": res.scale_value,
                    "rules": [t.rule for t in res.tags],
                }
            )
    macro_labels = [label for label in scores if label in gold_labels_seen]
    macro = sum(scores[label].f1 for label in macro_labels) / len(macro_labels) if macro_labels else 0.0
    order = [label for label in LABEL_SUBTYPES if label in scores]
    return Report(
        n=len(rows),
        labels={label: scores[label] for label in order},
        macro_f1=macro,
        orientation_accuracy=orient_ok / orient_n if orient_n else None,
        orientation_n=orient_n,
        orientation_balanced=(
            sum(ok / n for ok, n in orient_by_class.values()) / len(orient_by_class)
            if orient_by_class
            else None
        ),
        scale_exact=scale_ok / scale_n if scale_n else None,
        scale_n=scale_n,
        subtype_accuracy=sub_ok / sub_n if sub_n else None,
        subtype_n=sub_n,
        errors=errors,
    )


def format_report(report: Report, title: str = "") -> str:
    """A plain-text table of the figures, its words in the user's language (`eval.*` in the catalogue)."""
    lines = [title] if title else []
    head = [user_text(f"eval.{c}") for c in ("label", "precision", "recall", "f1", "support")]
    lines.append(f"{head[0]:24} {head[1]:>6} {head[2]:>6} {head[3]:>6} {head[4]:>8}")
    for label, s in report.labels.items():
        lines.append(f"{label:24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp + s.fn:8d}")
    fmt = lambda v: user_text("eval.none") if v is None else f"{v:.3f}"  # noqa: E731
    lines.append(user_text("eval.utterances", n=report.n))
    lines.append(user_text("eval.macro_f1", value=f"{report.macro_f1:.3f}"))
    lines.append(
        user_text("eval.orientation", value=fmt(report.orientation_accuracy), n=report.orientation_n)
    )
    lines.append(user_text("eval.orientation_balanced", value=fmt(report.orientation_balanced)))
    lines.append(user_text("eval.scale", value=fmt(report.scale_exact), n=report.scale_n))
    lines.append(user_text("eval.subtype", value=fmt(report.subtype_accuracy), n=report.subtype_n))
    return "\n".join(lines)


def dev_file(lang: str) -> Path:
    """The development set of one language."""
    return DEV_DIR / f"dev_{lang}.jsonl"


def heldout2_file(lang: str) -> Path:
    """The second held-out set of one language."""
    return DEV_DIR / f"heldout2_{lang}.jsonl"


def heldout3_file(lang: str) -> Path:
    """The third held-out set of one language (may not exist for every language)."""
    return DEV_DIR / f"heldout3_{lang}.jsonl"


SPLITS = ("heldout", "heldout2", "heldout3", "heldout_all", "tune", "all", "real_dev", "real_test")
#: The Dutch real corpus (real talk from public pages; its test part is locked): the measure that counts.
REAL_DIR = DEV_DIR / "real_nl"


def dev_rows(lang: str, split: str = "heldout") -> list[dict[str, Any]]:
    """Gold rows of the project's data for one language and split (see the module docstring)."""
    if split in ("real_dev", "real_test"):
        path = REAL_DIR / f"{split.removeprefix('real_')}.jsonl"
        if lang != "nl" or not path.exists():
            raise UserError("error.eval.dutch_only", name=path.name)
        return load_gold(path, "all")
    if split == "heldout2":
        return load_gold(heldout2_file(lang), "all")
    if split == "heldout3":
        path = heldout3_file(lang)
        if not path.exists():
            raise UserError("error.eval.no_heldout3", lang=lang, name=path.name)
        return load_gold(path, "all")
    if split == "heldout_all":
        rows = load_gold(dev_file(lang), "heldout") + load_gold(heldout2_file(lang), "all")
        if heldout3_file(lang).exists():
            rows += load_gold(heldout3_file(lang), "all")
        return rows
    return load_gold(dev_file(lang), split)


def run(lang: str | None, split: str | None, file: Path | None, show_errors: bool = False) -> list[Report]:
    """Evaluate and print; returns the reports. `split` defaults to "heldout" for the dev set and "all" for a
    `file`; without a split the Dutch real corpus (development and locked test part) is reported too."""
    reports = []
    with_real = split is None
    split = split or ("all" if file else "heldout")
    langs = [lang] if lang else ["nl", "en"]
    if split == "heldout3" and not lang:
        langs = [lg for lg in langs if heldout3_file(lg).exists()]
    if split.startswith("real_"):
        langs = ["nl"]
    targets = [(file, lang, split)] if file else [(dev_file(lg), lg, split) for lg in langs]
    if with_real and not file and "nl" in langs:
        targets += [(REAL_DIR / "dev.jsonl", "nl", "real_dev"), (REAL_DIR / "test.jsonl", "nl", "real_test")]
    for path, lg, part in targets:
        if not Path(path).exists():
            raise UserError("error.eval.missing", path=path)
        rows = load_gold(Path(path), part) if file else dev_rows(lg, part)
        report = evaluate(rows, lang=lg)
        where = {"path": path} if file else {"lang": lg}
        kind = "file" if file else "real" if part.startswith("real_") else "dev"
        title = user_text(f"eval.title.{kind}", split=part, **where)
        sys.stdout.write(format_report(report, title) + "\n")
        locked = part == "real_test" or Path(path).resolve() == (REAL_DIR / "test.jsonl").resolve()
        if show_errors and locked:
            sys.stderr.write(user_text("cli.eval.locked") + "\n")
        elif show_errors:
            for e in report.errors:
                sys.stdout.write(json.dumps(e, ensure_ascii=False) + "\n")
        reports.append(report)
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tagger.evaluate", description=__doc__.split("\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_args(args)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=["nl", "en"], help="language (default: both dev sets)")
    parser.add_argument("--split", choices=list(SPLITS), help="default: heldout (all with --file)")
    parser.add_argument(
        "--file", type=Path, help="a JSONL file of gold lines instead of the dev set (all lines)"
    )
    parser.add_argument("--errors", action="store_true", help="also print every wrongly tagged line")


def run_args(args: argparse.Namespace) -> int:
    try:
        run(args.lang, args.split, args.file, args.errors)
    except UserError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
