"""Real material from outside the project, read where it lies, and the figures we measure on it.

Two sources, neither written by anyone on the project:

* **AnnoMI** (`../shared/eval-public/annomi/AnnoMI-simple.csv`): 133 real motivational-interviewing sessions,
  expert-annotated per turn. Sessions are split once into a development part (used to fit the English
  orientation weights) and a locked test part (never fitted on), by a hash of the session number, so the
  split needs no stored list and can not drift: `annomi_split(transcript_id)`.
* **The Dutch real corpus** (`tests/tagger/data/real_nl/*.jsonl`): utterances collected from public pages,
  hand-labelled with our taxonomy, each with its source URL. Its split lies in each line (`split`), decided
  by a hash of the source URL before any tuning (see that folder's README).

MI's change/sustain talk is about one target behaviour, which is not the same as solution/problem talk:
the AnnoMI figures are evidence about direction, questions and session quality, not a definition.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import balanced_accuracy_score, cohen_kappa_score, precision_recall_fscore_support

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SPIEGEL_SHARED", ROOT.parent / "shared"))
ANNOMI_CSV = SHARED / "eval-public" / "annomi" / "AnnoMI-simple.csv"
REAL_NL_DIR = ROOT / "tests" / "tagger" / "data" / "real_nl"

#: MI client talk type → our orientation (evidence about direction, not a definition).
TALK_TYPE_ORIENTATION = {"change": "solution", "sustain": "problem", "neutral": "neutral"}
ORIENTATIONS = ("solution", "problem", "neutral")
#: Share of AnnoMI sessions in the locked test part.
ANNOMI_TEST_PERCENT = 30


def annomi_split(transcript_id: str) -> str:
    """'test' or 'dev' for one AnnoMI session: fixed by a hash of its number, decided before any fitting."""
    digest = hashlib.sha256(f"annomi:{transcript_id}".encode()).hexdigest()
    return "test" if int(digest[:8], 16) % 100 < ANNOMI_TEST_PERCENT else "dev"


@dataclass(frozen=True)
class Turn:
    speaker: str  # "therapist" | "client"
    text: str
    behaviour: str | None  # therapist main behaviour
    talk_type: str | None  # client talk type


@dataclass(frozen=True)
class MiSession:
    transcript_id: str
    quality: str  # "high" | "low"
    topic: str
    turns: tuple[Turn, ...]

    @property
    def split(self) -> str:
        return annomi_split(self.transcript_id)


def load_annomi(path: Path = ANNOMI_CSV) -> list[MiSession]:
    """All sessions, turns in their annotated order."""
    if not path.is_file():
        raise FileNotFoundError(f"AnnoMI is not there: {path} (the shared folder beside the checkout)")
    rows: dict[str, list[dict[str, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["transcript_id"]].append(row)
    sessions = []
    for tid, items in sorted(rows.items(), key=lambda kv: int(kv[0])):
        items.sort(key=lambda r: int(r["utterance_id"]))
        turns = tuple(
            Turn(
                r["interlocutor"],
                " ".join(r["utterance_text"].split()),
                r["main_therapist_behaviour"] if r["interlocutor"] == "therapist" else None,
                r["client_talk_type"] if r["interlocutor"] == "client" else None,
            )
            for r in items
            if r["utterance_text"].strip()
        )
        sessions.append(MiSession(tid, items[0]["mi_quality"], items[0]["topic"], turns))
    return sessions


def transcript_text(session: MiSession) -> str:
    """The session as a `Naam: tekst` transcript, the way a user would import it."""
    return "".join(f"{t.speaker}: {t.text}\n" for t in session.turns)


def turn_orientation(orientations: list[str]) -> str:
    """One turn's orientation from its sentences: the direction it has, if any. A turn of five neutral
    sentences and one clear 'I want to stop' has a direction; majority voting would call it neutral. Ties
    between solution and problem go to the last directed sentence (where a speaker ends carries the point)."""
    sol = orientations.count("solution")
    prob = orientations.count("problem")
    if sol == prob == 0:
        return "neutral"
    if sol != prob:
        return "solution" if sol > prob else "problem"
    return next(o for o in reversed(orientations) if o != "neutral")


def orientation_figures(gold: list[str], pred: list[str]) -> dict[str, float]:
    """Balanced accuracy (mean recall over the three orientations), Cohen's kappa, and per-class recall."""
    out = {
        "n": len(gold),
        "balanced_accuracy": balanced_accuracy_score(gold, pred),
        "kappa": cohen_kappa_score(gold, pred),
    }
    _, recall, _, _ = precision_recall_fscore_support(gold, pred, labels=list(ORIENTATIONS), zero_division=0)
    for name, value in zip(ORIENTATIONS, recall, strict=True):
        out[f"recall_{name}"] = float(value)
    return out


def binary_figures(gold: list[bool], pred: list[bool]) -> dict[str, float]:
    p, r, f, _ = precision_recall_fscore_support(gold, pred, average="binary", zero_division=0)
    return {"n": len(gold), "precision": float(p), "recall": float(r), "f1": float(f)}


def load_real_nl(part: str, directory: Path = REAL_NL_DIR) -> list[dict]:
    """The labelled lines of one part ("dev" or "test") of the Dutch real corpus, in file order."""
    path = directory / f"{part}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
