"""Conversation links: which of an utterance's hits become tags, given the speaker and the turns before.

Practitioner techniques are not tagged on client turns (and client reports not on practitioner turns), a
rule with `after` counts only shortly after that label, a rule with `after_turn` only after a turn of that
orientation, and one reading wins over another (label precedence). The windows and the precedence steps
are data: `tagger/data/conversation.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from tagger.analysis import Analysis, Hit
from tagger.taxonomy import CLIENT_LABELS, PRACTITIONER_LABELS

#: (label, subtype or None): one tag per key; the subtype counts only for `subtype_keyed_labels`.
Key = tuple[str, str | None]


@dataclass(frozen=True)
class Step:
    """One precedence step: drop `loser` where a `winners` key is there (per `scope`), or in a question of
    one of `question_of`'s speakers."""

    loser: str
    winners: tuple[str, ...] = ()
    scope: str = "utterance"
    question_of: tuple[str | None, ...] | None = None


@dataclass(frozen=True)
class Links:
    """The conversation settings (see `tagger/data/conversation.json`)."""

    after_windows: dict[str, int]
    after_default: int
    scale_followup: int
    subtype_keyed: frozenset[str]
    precedence: tuple[Step, ...]

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Links:
        windows = data["windows"]
        steps = []
        for s in data["precedence"]:
            scope = s.get("scope", "utterance")
            if scope not in ("utterance", "question", "overlap"):
                raise ValueError(f"unknown precedence scope {scope!r}")
            qof = s.get("question_of")
            steps.append(
                Step(s["loser"], tuple(s.get("winners", ())), scope, None if qof is None else tuple(qof))
            )
        return cls(
            after_windows=dict(windows["after"]),
            after_default=int(windows["after_default"]),
            scale_followup=int(windows["scale_followup"]),
            subtype_keyed=frozenset(data["subtype_keyed_labels"]),
            precedence=tuple(steps),
        )


def load_links() -> Links:
    text = resources.files("tagger").joinpath("data/conversation.json").read_text(encoding="utf-8")
    return Links.from_data(json.loads(text))


class ConversationState:
    """What the conversation so far says: where each label last occurred and with which subtype."""

    def __init__(self) -> None:
        self.index = 0
        self.last: dict[str, tuple[int, str | None]] = {}
        #: The orientation of the previous utterance (None before the first).
        self.prev_orientation: str | None = None
        #: The last scale value given in the conversation (None before the first).
        self.prev_scale_value: float | None = None

    def seen(self, label: str, subtype: str | None) -> None:
        self.last[label] = (self.index, subtype)

    def recent(self, label: str, window: int) -> tuple[int, str | None] | None:
        found = self.last.get(label)
        if found and 0 < self.index - found[0] <= window:
            return found
        return None


def _keys(spec: str, chosen: dict[Key, Hit]) -> list[Key]:
    """The chosen keys a precedence spec names: 'label.subtype' exactly, 'label' with any subtype."""
    label, _, sub = spec.partition(".")
    return [k for k in chosen if k[0] == label and (not sub or k[1] == sub)]


def separate_sentences(analysis: Analysis, a: Hit, b: Hit) -> bool:
    """Whether a sentence end lies between two hits (two questions in one turn)."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return any(first.end <= i < second.start for i in analysis.sentence_breaks)


def _apply(step: Step, chosen: dict[Key, Hit], analysis: Analysis, role: str | None) -> None:
    losers = _keys(step.loser, chosen)
    if not losers:
        return
    if step.question_of is not None:
        if analysis.is_question and role in step.question_of:
            for k in losers:
                chosen.pop(k)
        return
    winners = [chosen[k] for spec in step.winners for k in _keys(spec, chosen)]
    for k in losers:
        loser = chosen[k]
        if step.scope == "utterance":
            beaten = bool(winners)
        elif step.scope == "question":
            beaten = any(not separate_sentences(analysis, w, loser) for w in winners)
        else:
            beaten = any(w.start < loser.end and loser.start < w.end for w in winners)
        if beaten:
            chosen.pop(k)


def choose(analysis: Analysis, role: str | None, state: ConversationState, links: Links) -> dict[Key, Hit]:
    """The hit behind each tag of an utterance: the first hit per key (hits are in a fixed order) that the
    speaker and the conversation allow, after label precedence."""
    chosen: dict[Key, Hit] = {}
    for hit in analysis.labelled():
        rule = hit.rule
        label = rule.label
        if role == "client" and label in PRACTITIONER_LABELS:
            continue
        if role == "practitioner" and label in CLIENT_LABELS:
            continue
        if rule.person == "first" and not analysis.first_person:
            continue
        if (
            rule.after
            and not (rule.first_turn and state.index == 0)
            and not state.recent(rule.after, links.after_windows.get(rule.after, links.after_default))
        ):
            continue
        if rule.after_turn and rule.after_turn != state.prev_orientation:
            continue
        key = (label, rule.subtype if label in links.subtype_keyed else None)
        if key not in chosen:
            chosen[key] = hit
    for step in links.precedence:
        _apply(step, chosen, analysis, role)
    return chosen


def scale_subtype(analysis: Analysis, hit: Hit, state: ConversationState, links: Links) -> str:
    """A scale question's subtype: its rule's, else the scale topic with the most cue weight (the earliest on a
    tie: "where" and "tevreden" weigh little, "confident", "zonder hulp" much), else the recent scale's."""
    if hit.rule.subtype:
        return hit.rule.subtype
    weights: dict[str, float] = {}
    for other in analysis.hits:
        if other.rule.label == "cue.scale_topic" and other.rule.subtype:
            weights[other.rule.subtype] = weights.get(other.rule.subtype, 0.0) + other.rule.weight
    if weights:
        return max(weights, key=lambda k: weights[k])
    recent = state.recent("scale_question", links.scale_followup)
    if recent and recent[1]:
        return recent[1]
    return "progress"


def pick_number(analysis: Analysis, hit: Hit) -> tuple[float, int, int] | None:
    """The scale number a scale-answer match refers to: inside the match, else the first one after it.

    A range that starts before the match ("zes, [zeven denk ik]") counts as inside.
    """
    inside = [n for n in analysis.numbers if n[1] < hit.end_char and n[2] > hit.start_char]
    after = [n for n in analysis.numbers if n[1] >= hit.start_char]
    pool = inside or after
    if not pool:
        return None
    num, start, end = pool[0]
    return num.value, start, end
