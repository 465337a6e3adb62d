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
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from spacy.util import registry

from tagger.orientation import OrientationFn, OrientationInput, OrientationResult, make_orientation_v2

if TYPE_CHECKING:
    pass

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
        if sorted(data["classes"]) != sorted(CLASSES):
            raise ValueError(f"an orientation model has the classes {CLASSES}, not {data['classes']}")
        return cls(
            version=data["version"],
            lang=data["lang"],
            classes=tuple(data["classes"]),
            intercept={k: float(v) for k, v in data["intercept"].items()},
            weights={c: {f: float(w) for f, w in ws.items()} for c, ws in data["weights"].items()},
            trained_on=data.get("trained_on", ""),
        )

    @functools.cached_property
    def _table(self) -> dict[str, tuple[float, ...]]:
        """feature -> its weight in each class (class order), for one lookup per feature."""
        names = sorted({f for ws in self.weights.values() for f in ws})
        return {f: tuple(self.weights[c].get(f, 0.0) for c in self.classes) for f in names}

    @functools.cached_property
    def _intercepts(self) -> tuple[float, float, float]:
        s0, s1, s2 = (self.intercept[c] for c in self.classes)
        return s0, s1, s2

    def decide(self, feats: dict[str, float]) -> Decision:
        """The class with the highest score; its cues are the features that gave it most over its strongest
        rival. The sums are written out for the three orientations (`from_json` refuses any other count):
        this is a quarter of a conversation pass."""
        classes = self.classes
        seen: list[tuple[str, float, tuple[float, ...]]] = []
        table = self._table
        s0, s1, s2 = self._intercepts
        for name, value in feats.items():
            row = table.get(name)
            if row is None or not value:
                continue
            seen.append((name, value, row))
            s0 += row[0] * value
            s1 += row[1] * value
            s2 += row[2] * value
        scores = (s0, s1, s2)
        # ties broken by class order, so the result never depends on dict or hash order
        best = max(range(3), key=lambda k: (scores[k], -k))
        top = scores[best]
        total = sum(math.exp(x - top) for x in scores)
        o1, o2 = (k for k in range(3) if k != best)
        contributions = []
        for name, value, row in seen:
            mine, r1, r2 = row[best] * value, row[o1] * value, row[o2] * value
            rival = r1 if r1 >= r2 else r2
            if mine > rival:
                contributions.append((name, mine - rival))
        contributions.sort(key=lambda kv: (-kv[1], kv[0]))
        cues = tuple((name, round(v, 3)) for name, v in contributions[:4])
        return Decision(classes[best], cues, round(1.0 / total, 3))


@functools.cache
def load_model(lang: str) -> OrientationModel | None:
    """The fitted model of a language, or None where none has been fitted (the caller falls back)."""
    resource = files("tagger.data").joinpath(f"orientation_{lang}.json")
    if not resource.is_file():
        return None
    return OrientationModel.from_json(json.loads(resource.read_text(encoding="utf-8")))


def features(evidence: OrientationInput) -> dict[str, float]:
    """The named cues of one utterance. Every name here is a column of the fitted model; a new name needs a
    refit (the fit script lists the names it saw)."""
    analysis, labels, role = evidence.analysis, evidence.labels, evidence.speaker
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
    value, before = evidence.scale_value, evidence.prev_scale_value
    if value is not None:
        band = "low" if value <= SCALE_LOW else "high" if value >= SCALE_HIGH else "mid"
        f[f"scale.{band}"] = 1.0
        if before is not None and value != before:
            f["scale.rise" if value > before else "scale.fall"] = 1.0
    for hit in analysis.hits:
        label = hit.rule.label
        if label in ("cue.solution", "cue.problem"):
            name = label + (".negated" if hit.negated else "")
            f[name] = f.get(name, 0.0) + hit.rule.weight
    if analysis.pivot_score is not None:
        f["contrast.after"] = analysis.pivot_score
        f["contrast.before"] = analysis.before_pivot_score or 0.0
    for name, amount in analysis.polarity.items():
        f[f"lex.{name}"] = amount
    for name in analysis.marks:
        f[f"mark.{name}"] = 1.0
    for name in analysis.terms:
        f[name] = 1.0
    f["words.log"] = math.log1p(analysis.n_words)
    if analysis.n_words <= 3:
        f["words.short"] = 1.0
    if analysis.first_person:
        f["first_person"] = 1.0
    if evidence.prev_orientation in ("solution", "problem"):
        f[f"prev.{evidence.prev_orientation}"] = 1.0
    return f


@functools.cache
def technique_labels() -> dict[str, frozenset[str]]:
    """side -> the technique labels that settle it (`tagger/data/technique_orientation.json`)."""
    data = json.loads(files("tagger.data").joinpath("technique_orientation.json").read_text(encoding="utf-8"))
    return {side: frozenset(data[side]) for side in ("solution", "problem")}


def technique_side(labels: Sequence[str]) -> str | None:
    """The side an utterance's technique labels settle, when they all point one way; else None."""
    sides = {side for side, names in technique_labels().items() if not names.isdisjoint(labels)}
    return sides.pop() if len(sides) == 1 else None


@registry.misc("spiegel.orientation.v3")
def make_orientation_v3() -> OrientationFn:
    """Orientation v3: the fitted model of the utterance's language (`tagger/data/orientation_<lang>.json`)
    over the named cues of `features`; its cues are the features that pushed hardest. A language without a
    fitted model falls back to v2."""
    fallback = make_orientation_v2()

    def orientation(evidence: OrientationInput) -> OrientationResult:
        model = load_model(evidence.analysis.lang)
        if model is None:
            return fallback(evidence)
        decision = model.decide(features(evidence))
        settled = technique_side(evidence.labels)
        if settled is not None and settled != decision.orientation:
            cue = next(f"label:{label}" for label in evidence.labels if label in technique_labels()[settled])
            return OrientationResult(settled, decision.probability, ((cue, 1.0), *decision.cues))
        return OrientationResult(decision.orientation, decision.probability, decision.cues)

    return orientation
