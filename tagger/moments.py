"""Moments for positive supervision, found in one tagged session: what went well, and what to look at again.

A supervisor who works solution-focused starts with what went well, in concrete moments, before anything
else. This module turns a session's tags into such moments; it is pure (tagged utterances in, moments out),
so the dashboard page and the report show the same moments and tests can check them on hand-made sessions.

What went well:
- `compliment_landed`: a practitioner's compliment after which the client's next utterance is solution talk;
- `scale_followed`: a scale question, the client's scale answer, and a practitioner follow-up question;
- `exception_amplified`: a client's exception report followed up within the next practitioner turns, the way
  `exception_followup_rate` counts it (metrics.md: compliment, more question, or a solution question);
- `progress_words`: the client's own words of progress (solution talk with a progress word of the data file).

To look at again:
- `exception_missed`: an exception report that was not followed up;
- `problem_question_run`: several practitioner problem questions in a row, no solution question between;
- `problem_stretch`: a long stretch of problem talk with no solution talk in it.

Every window and threshold lives in `tagger/data/moments.json`, so a training institute can set its own.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from core.records import Orientation, Role, TaggedUtterance

WENT_WELL = ("compliment_landed", "scale_followed", "exception_amplified", "progress_words")
LOOK_AGAIN = ("exception_missed", "problem_question_run", "problem_stretch")
KINDS = WENT_WELL + LOOK_AGAIN


@dataclass(frozen=True)
class Moment:
    """One moment: its kind, the utterances it spans (by `idx`), their times, and the utterances to quote.

    `key` names the moment stably for a supervisor's note (`kind:first_idx`): the same session gives the same
    keys in every run. `value` is the scale value (`scale_followed`) or the run's length in questions or
    utterances (`problem_question_run`, `problem_stretch`).
    """

    kind: str
    first_idx: int
    last_idx: int
    start_s: float | None
    end_s: float | None
    quote_idx: tuple[int, ...]
    value: float | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.first_idx}"

    @property
    def went_well(self) -> bool:
        return self.kind in WENT_WELL


@functools.cache
def thresholds() -> dict[str, Any]:
    """The bundled thresholds (`tagger/data/moments.json`)."""
    path = resources.files("tagger").joinpath("data/moments.json")
    return json.loads(path.read_text(encoding="utf-8"))


class _View:
    """Positional access to a session's utterances, with turns (a run of one speaker's utterances)."""

    def __init__(self, tagged: Sequence[TaggedUtterance]) -> None:
        self.items = list(tagged)
        self.turn: list[int] = []
        for i, item in enumerate(self.items):
            same = i > 0 and self.items[i - 1].utterance.speaker == item.utterance.speaker
            self.turn.append(self.turn[-1] if same else (self.turn[-1] + 1 if self.turn else 0))

    def role(self, i: int) -> Role:
        return self.items[i].utterance.role

    def labels(self, i: int) -> set[str]:
        return {tag.label for tag in self.items[i].result.tags}

    def solution(self, i: int) -> bool:
        return self.items[i].result.orientation == Orientation.SOLUTION

    def problem(self, i: int) -> bool:
        return self.items[i].result.orientation == Orientation.PROBLEM

    def practitioner_question(self, i: int) -> bool:
        return self.role(i) == Role.PRACTITIONER and self.items[i].result.is_question

    def practitioner_turns_after(self, i: int, count: int) -> list[int]:
        """Positions of the utterances in the next `count` practitioner turns after position `i`."""
        found: list[int] = []
        turns: set[int] = set()
        for j in range(i + 1, len(self.items)):
            if self.role(j) != Role.PRACTITIONER:
                continue
            if self.turn[j] not in turns:
                if len(turns) == count:
                    break
                turns.add(self.turn[j])
            found.append(j)
        return found

    def moment(
        self, kind: str, first: int, last: int, quote: Sequence[int], value: float | None = None
    ) -> Moment:
        u_first, u_last = self.items[first].utterance, self.items[last].utterance
        end = u_last.end_s if u_last.end_s is not None else u_last.start_s
        return Moment(
            kind,
            u_first.idx,
            u_last.idx,
            u_first.start_s,
            end,
            tuple(self.items[q].utterance.idx for q in dict.fromkeys(quote)),
            value,
        )


def _is_followup(view: _View, j: int, labels: frozenset[str]) -> bool:
    """A practitioner utterance that amplifies what the client just said (metrics.md's follow-up)."""
    return bool(view.labels(j) & labels) or (view.practitioner_question(j) and view.solution(j))


def _compliments(view: _View, cfg: Mapping[str, Any]) -> list[Moment]:
    found: list[Moment] = []
    landed_on: set[int] = set()
    for i in range(len(view.items)):
        if view.role(i) != Role.PRACTITIONER or "compliment" not in view.labels(i):
            continue
        window = range(i + 1, min(len(view.items), i + 1 + int(cfg["compliment_client_window"])))
        client = next((j for j in window if view.role(j) == Role.CLIENT), None)
        if client is not None and view.solution(client) and client not in landed_on:
            landed_on.add(client)
            found.append(view.moment("compliment_landed", i, client, (i, client)))
    return found


def _scales(view: _View, cfg: Mapping[str, Any], labels: frozenset[str]) -> list[Moment]:
    found: list[Moment] = []
    used: set[int] = set()
    for i in range(len(view.items)):
        if view.role(i) != Role.PRACTITIONER or "scale_question" not in view.labels(i):
            continue
        window = range(i + 1, min(len(view.items), i + 1 + int(cfg["scale_answer_window"])))
        answer = next(
            (
                j
                for j in window
                if view.role(j) == Role.CLIENT and view.items[j].result.scale_value is not None
            ),
            None,
        )
        if answer is None or answer in used:
            continue
        after = view.practitioner_turns_after(answer, int(cfg["followup_practitioner_turns"]))
        follow = next(
            (j for j in after if view.practitioner_question(j) and _is_followup(view, j, labels)), None
        )
        if follow is not None:
            used.add(answer)
            value = view.items[answer].result.scale_value
            found.append(view.moment("scale_followed", i, follow, (i, answer, follow), value))
    return found


def _exceptions(view: _View, cfg: Mapping[str, Any], labels: frozenset[str]) -> list[Moment]:
    found: list[Moment] = []
    for i in range(len(view.items)):
        if view.role(i) != Role.CLIENT or "exception_report" not in view.labels(i):
            continue
        after = view.practitioner_turns_after(i, int(cfg["followup_practitioner_turns"]))
        follow = next((j for j in after if _is_followup(view, j, labels)), None)
        if follow is not None:
            found.append(view.moment("exception_amplified", i, follow, (i, follow)))
        else:
            last = after[-1] if after else i
            found.append(view.moment("exception_missed", i, last, (i, *after[:1])))
    return found


def _progress_words(view: _View, words: Sequence[str]) -> list[Moment]:
    if not words:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return [
        view.moment("progress_words", i, i, (i,))
        for i, item in enumerate(view.items)
        if view.role(i) == Role.CLIENT
        and view.solution(i)
        and not view.labels(i) & {"exception_report", "scale_answer"}  # their own moments quote them
        and pattern.search(item.utterance.text)
    ]


def _problem_question_runs(view: _View, cfg: Mapping[str, Any]) -> list[Moment]:
    found: list[Moment] = []
    run: list[int] = []

    def close() -> None:
        if len(run) >= int(cfg["problem_question_run"]):
            found.append(
                view.moment("problem_question_run", run[0], run[-1], (run[0], run[-1]), float(len(run)))
            )
        run.clear()

    for i in range(len(view.items)):
        if not view.practitioner_question(i):
            continue
        if "problem_question" in view.labels(i):
            run.append(i)
        else:
            close()
    close()
    return found


def _problem_stretches(view: _View, cfg: Mapping[str, Any], has_times: bool) -> list[Moment]:
    """Runs from one problem utterance to the last before any solution talk (neutral talk inside counts)."""
    found: list[Moment] = []
    first: int | None = None
    last: int | None = None
    problems = 0

    def close() -> None:
        if first is None or last is None:
            return
        start, end = view.items[first].utterance.start_s, view.items[last].utterance.end_s
        long_enough = (
            start is not None and end is not None and end - start >= float(cfg["problem_stretch_s"])
            if has_times
            else problems >= int(cfg["problem_stretch_utterances"])
        )
        if long_enough:
            found.append(view.moment("problem_stretch", first, last, (first,), float(last - first + 1)))

    for i in range(len(view.items)):
        if view.solution(i):
            close()
            first, last, problems = None, None, 0
        elif view.problem(i):
            first = i if first is None else first
            last = i
            problems += 1
    close()
    return found


def find_moments(
    tagged: Sequence[TaggedUtterance], language: str = "nl", config: Mapping[str, Any] | None = None
) -> list[Moment]:
    """The session's moments: what went well first, then what to look at again; each group in time order."""
    cfg = {**thresholds(), **(config or {})}
    view = _View(tagged)
    labels = frozenset(cfg["followup_labels"])
    words = cfg["progress_words"].get(language) or cfg["progress_words"].get("nl", [])
    has_times = any(t.utterance.start_s is not None for t in tagged)
    moments = [
        *_compliments(view, cfg),
        *_scales(view, cfg, labels),
        *_exceptions(view, cfg, labels),
        *_progress_words(view, words),
        *_problem_question_runs(view, cfg),
        *_problem_stretches(view, cfg, has_times),
    ]
    return sorted(moments, key=lambda m: (not m.went_well, m.first_idx, KINDS.index(m.kind)))
