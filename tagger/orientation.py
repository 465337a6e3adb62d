"""Orientation: solution, problem or neutral talk, from the evidence of one analysed utterance.

The interface is one function, `(OrientationInput) -> OrientationResult`, registered under a versioned name
(`spiegel.orientation.v1`, `spiegel.orientation.v2`; the `spiegel_tagger` factory's `orientation` setting picks
one). The input is everything known about the utterance: its rule hits with their negation flags, question
form and clause split (all in `Analysis`), its output labels, the speaker, the previous turn's orientation
and the scale value. The result is the orientation with the cues that decided it, strongest first.

`cue_balance` weighs the `cue.solution` / `cue.problem` hits; the component uses it for the rules'
`polarity` condition and stores it in the analysis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.util import registry

from tagger.analysis import Analysis, Hit
from tagger.taxonomy import SOLUTION_LABELS

#: A negated cue counts for the other side, a little less ("niet meer boos": solution talk).
NEGATED_CUE_FACTOR = 0.8
#: A cue after a contrast word ("maar", "toch", "but") counts more.
CONTRAST_CUE_FACTOR = 1.5
#: Labels with their own weight; other solution-focused labels weigh `SOLUTION_LABEL_WEIGHT`.
LABEL_WEIGHTS = {"problem_question": -3.0, "scale_answer": 0.5, "exception_report": 2.0}
SOLUTION_LABEL_WEIGHT = 3.0
#: An unlabelled practitioner question ("heb je er zin in?") is mostly logistics: its cues count less.
UNLABELLED_QUESTION_FACTOR = 0.3
#: A balance above this is solution talk, below minus this problem talk, else neutral.
THRESHOLD = 0.25
#: v2: after a clause-level contrast the clause after it counts this much, the one before it a third.
AFTER_PIVOT_FACTOR = 1.5
BEFORE_PIVOT_DIVISOR = 3


@dataclass(frozen=True, slots=True)
class OrientationInput:
    """The evidence for one utterance's orientation."""

    analysis: Analysis
    labels: Sequence[str]
    speaker: str | None = None
    prev_orientation: str | None = None
    scale_value: float | None = None
    #: The client's previous scale value in this conversation: a rise or a fall is direction.
    prev_scale_value: float | None = None


@dataclass(frozen=True, slots=True)
class OrientationResult:
    """`orientation` ("solution", "problem", "neutral"), the balance it came from, and its cues: (rule id or
    "label:<name>", signed contribution) pairs, strongest first."""

    orientation: str
    score: float
    cues: tuple[tuple[str, float], ...] = ()


OrientationFn = Callable[[OrientationInput], OrientationResult]


def _cue_sign(hit: Hit) -> float | None:
    """+1 for a solution cue, -1 for a problem cue (flipped and weakened when negated); None for others."""
    label = hit.rule.label
    if label == "cue.solution":
        sign = 1.0
    elif label == "cue.problem":
        sign = -1.0
    else:
        return None
    return -sign * NEGATED_CUE_FACTOR if hit.negated else sign


def cue_balance(
    hits: Sequence[Hit], contrast_at: int | None, pivot: int | None
) -> tuple[float, float | None, float | None]:
    """(balance of all cues, balance after the pivot, balance before it); the last two None without a pivot."""
    score = after = before = 0.0
    for hit in hits:
        sign = _cue_sign(hit)
        if sign is None:
            continue
        weight = hit.rule.weight * (
            CONTRAST_CUE_FACTOR if contrast_at is not None and hit.start > contrast_at else 1.0
        )
        score += sign * weight
        if pivot is not None:
            if hit.start >= pivot:
                after += sign * hit.rule.weight
            else:
                before += sign * weight
    if pivot is None:
        return score, None, None
    return score, after, before


def _decide(score: float) -> str:
    if score > THRESHOLD:
        return "solution"
    if score < -THRESHOLD:
        return "problem"
    return "neutral"


def _cues(
    analysis: Analysis, labels: Sequence[str], factor: float, by_pivot: bool
) -> tuple[tuple[str, float], ...]:
    """The contributions behind a balance, strongest first (ties by name)."""
    out: list[tuple[str, float]] = []
    for hit in analysis.hits:
        sign = _cue_sign(hit)
        if sign is None:
            continue
        if by_pivot and analysis.pivot is not None:
            after = hit.start >= analysis.pivot
            weight = hit.rule.weight * (AFTER_PIVOT_FACTOR if after else 1 / BEFORE_PIVOT_DIVISOR)
            if not after and analysis.contrast_at is not None and hit.start > analysis.contrast_at:
                weight *= CONTRAST_CUE_FACTOR
        else:
            weight = hit.rule.weight
            if analysis.contrast_at is not None and hit.start > analysis.contrast_at:
                weight *= CONTRAST_CUE_FACTOR
        out.append((hit.rule.id, sign * weight * factor))
    for label in labels:
        weight = LABEL_WEIGHTS.get(label, SOLUTION_LABEL_WEIGHT if label in SOLUTION_LABELS else 0.0)
        if weight:
            out.append((f"label:{label}", weight))
    return tuple(sorted(out, key=lambda c: (-abs(c[1]), c[0])))


def _labelled_balance(score: float, evidence: OrientationInput) -> tuple[float, float]:
    """The cue balance with the labels' weights added, and the factor applied to the cues."""
    factor = 1.0
    if evidence.speaker == "practitioner" and evidence.analysis.is_question and not evidence.labels:
        factor = UNLABELLED_QUESTION_FACTOR
        score *= factor
    for label in evidence.labels:
        if label in LABEL_WEIGHTS:
            score += LABEL_WEIGHTS[label]
        elif label in SOLUTION_LABELS:
            score += SOLUTION_LABEL_WEIGHT
    return score, factor


@registry.misc("spiegel.orientation.v1")
def make_orientation_v1() -> OrientationFn:
    """Orientation v1: labels first (a solution-focused technique is solution talk, a problem-analysis
    question problem talk), then the balance of solution and problem cues after negation; neutral when
    nothing points either way."""

    def orientation(evidence: OrientationInput) -> OrientationResult:
        score, factor = _labelled_balance(evidence.analysis.cue_score, evidence)
        return OrientationResult(
            _decide(score), score, _cues(evidence.analysis, evidence.labels, factor, False)
        )

    return orientation


@registry.misc("spiegel.orientation.v2")
def make_orientation_v2() -> OrientationFn:
    """Orientation v2: as v1, but after a clause-level contrast ("het lukte vroeger wel, maar nu niet meer";
    "it was hard, but this week went better") the clause after the contrast decides, the one before it
    counts for a third."""

    def orientation(evidence: OrientationInput) -> OrientationResult:
        analysis = evidence.analysis
        by_pivot = bool(analysis.pivot_score)
        cue_score = analysis.cue_score
        if by_pivot:
            before = analysis.before_pivot_score or 0.0
            cue_score = analysis.pivot_score * AFTER_PIVOT_FACTOR + before / BEFORE_PIVOT_DIVISOR
        score, factor = _labelled_balance(cue_score, evidence)
        return OrientationResult(_decide(score), score, _cues(analysis, evidence.labels, factor, by_pivot))

    return orientation
