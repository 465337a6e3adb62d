"""Orientation from evidence: a logistic regression over named cues, its weights fitted on real talk.

Why a fitted model and not hand-set weights: on real conversations the hand-set cue weights left most solution
and problem talk `neutral` and could not say how much a rule hit, a polarity word, a negation, a question
form or the previous turn should count against each other. Here each of those is a *named* feature (see
`features`), the weights per language are fitted by `tools/fit_orientation.py` on the development parts
of real, hand-labelled data (Dutch: `tests/tagger/data/real_nl/dev.jsonl`; English: the AnnoMI development
sessions), and stored with a version in `tagger/data/orientation_<lang>.json`. The model stays readable:
the "why" of an orientation is the list of features that pushed it most (`Decision.cues`).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tagger.component import Analysis

CLASSES = ("solution", "problem", "neutral")
#: Scale values at or below this are low (problem side), at or above HIGH high (solution side).
SCALE_LOW = 3.0
SCALE_HIGH = 6.0


@dataclass(frozen=True)
class Decision:
    """An orientation and the named cues that decided it, strongest first (feature, contribution)."""

    orientation: str
    cues: tuple[tuple[str, float], ...]
    probability: float


@dataclass(frozen=True)
class ConversationFacts:
    """What the orientation may know of the conversation before this utterance."""

    prev_orientation: str | None = None
    prev_scale_value: float | None = None


@dataclass(frozen=True)
class OrientationModel:
    """Multinomial logistic regression: score(class) = intercept + sum(weight[class][feature] * value)."""

    version: str
    lang: str
    classes: tuple[str, ...]
    intercept: dict[str, float]
    weights: dict[str, dict[str, float]]  # class -> feature -> weight
    trained_on: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrientationModel:
        return cls(
            version=data["version"],
            lang=data["lang"],
            classes=tuple(data["classes"]),
            intercept={k: float(v) for k, v in data["intercept"].items()},
            weights={c: {f: float(w) for f, w in ws.items()} for c, ws in data["weights"].items()},
            trained_on=data.get("trained_on", ""),
        )

    def decide(self, feats: dict[str, float]) -> Decision:
        scores = {
            c: self.intercept[c] + sum(self.weights[c].get(f, 0.0) * v for f, v in feats.items())
            for c in self.classes
        }
        # ties broken by class order, so the result never depends on dict or hash order
        best = max(self.classes, key=lambda c: (scores[c], -self.classes.index(c)))
        top = max(scores.values())
        total = sum(math.exp(s - top) for s in scores.values())
        others = [c for c in self.classes if c != best]
        contributions = []
        for name, value in feats.items():
            if not value:
                continue
            mine = self.weights[best].get(name, 0.0) * value
            rival = max(self.weights[c].get(name, 0.0) * value for c in others)
            contributions.append((name, round(mine - rival, 3)))
        contributions.sort(key=lambda kv: (-kv[1], kv[0]))
        cues = tuple(kv for kv in contributions if kv[1] > 0)[:4]
        return Decision(best, cues, round(math.exp(scores[best] - top) / total, 3))


@functools.cache
def load_model(lang: str) -> OrientationModel | None:
    """The fitted model of a language, or None where none has been fitted (the caller falls back)."""
    resource = files("tagger.data").joinpath(f"orientation_{lang}.json")
    if not resource.is_file():
        return None
    return OrientationModel.from_json(json.loads(resource.read_text(encoding="utf-8")))


def features(
    analysis: Analysis,
    labels: list[str],
    role: str | None,
    facts: ConversationFacts,
    scale_value: float | None,
) -> dict[str, float]:
    """The named cues of one utterance. Every name here is a column of the fitted model; a new name needs a
    refit (the fit script lists the names it saw)."""
    f: dict[str, float] = {}
    if role in ("practitioner", "client"):
        f[f"role.{role}"] = 1.0
    if analysis.is_question:
        f["question"] = 1.0
        if role == "practitioner":
            f["question.practitioner"] = 1.0
            if not labels:
                f["question.practitioner.unlabelled"] = 1.0
    for label in labels:
        f[f"label.{label}"] = 1.0
    if scale_value is not None:
        band = "low" if scale_value <= SCALE_LOW else "high" if scale_value >= SCALE_HIGH else "mid"
        f[f"scale.{band}"] = 1.0
        if facts.prev_scale_value is not None and scale_value != facts.prev_scale_value:
            f["scale.rise" if scale_value > facts.prev_scale_value else "scale.fall"] = 1.0
    for hit in analysis.hits:
        label = hit.rule.label
        if label in ("cue.solution", "cue.problem"):
            name = label + (".negated" if hit.negated else "")
            f[name] = f.get(name, 0.0) + hit.rule.weight
    if analysis.pivot_score is not None:
        f["contrast.after"] = analysis.pivot_score
        f["contrast.before"] = analysis.before_pivot_score or 0.0
    for name, value in getattr(analysis, "polarity", {}).items():
        f[f"lex.{name}"] = value
    for name in getattr(analysis, "marks", ()):
        f[f"mark.{name}"] = 1.0
    f["words.log"] = math.log1p(analysis.n_words)
    if analysis.n_words <= 3:
        f["words.short"] = 1.0
    if analysis.first_person:
        f["first_person"] = 1.0
    if facts.prev_orientation in ("solution", "problem"):
        f[f"prev.{facts.prev_orientation}"] = 1.0
    return f
