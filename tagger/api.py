"""The tagger as the rest of the project calls it: `load_tagger(lang)` and `Tagger.tag_conversation`.

The spaCy pipeline (`build_pipeline`) analyses each utterance on its own; this module adds what needs the
speaker and the conversation: practitioner techniques are not tagged on client turns (and client reports
not on practitioner turns), a bare number is a scale answer only shortly after a scale question (and takes
that question's subtype), a scale follow-up inherits the subtype of the scale it follows, and the
miracle-question follow-ups count as such only after a miracle question.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.records import Orientation, Tag, TagResult
from tagger.taxonomy import CLIENT_LABELS, PRACTITIONER_LABELS

if TYPE_CHECKING:
    from spacy.language import Language

    from tagger.component import Analysis, Hit

#: How many utterances back a scale question still makes a number a scale answer.
SCALE_ANSWER_WINDOW = 4
#: How many utterances back a scale question still lends its subtype to a follow-up scale question.
SCALE_FOLLOWUP_WINDOW = 12
#: How many utterances back a miracle question still makes "waaraan zou je merken" a follow-up.
MIRACLE_WINDOW = 20
#: Labels that are answered by other context rules ("after") and the window each uses.
AFTER_WINDOWS = {"scale_question": SCALE_ANSWER_WINDOW, "miracle_question": MIRACLE_WINDOW}
#: Practitioner question labels that make a `problem_question` match redundant.
_SOLUTION_QUESTIONS = frozenset(PRACTITIONER_LABELS - {"problem_question", "compliment"})
ROLES = ("practitioner", "client", "other")
#: (winner, loser): within one question the first reading wins; the utterance carries both only where a second
#: question (after a sentence end, or ", en hoe...") does the other. "Hoe lukt het je om ondanks alles door te
#: gaan?" is a coping question, not an indirect compliment; "wat heb je nodig om het vol te houden?" coping, not
#: a goal question; "wat ging er die dag goed?" asks about an exception, not about progress.
_ONE_QUESTION_PRECEDENCE = (
    (("coping_question", None), ("compliment", "indirect")),
    (("coping_question", None), ("goal_question", None)),
    (("exception_question", None), ("progress_question", None)),
)


def _normalise(text: str) -> str:
    """Lower-case and straighten apostrophes, keeping every character offset unchanged."""
    t = text.replace("’", "'").replace("‘", "'")
    low = t.lower()
    return low if len(low) == len(t) else t


def build_pipeline(lang: str, extra_patterns: Sequence[Path] = ()) -> Language:
    """A blank spaCy pipeline with the `spiegel_tagger` component, rules loaded.

    No lemmatizer runs: `LEMMA` tokens of the rules are compiled into the word forms the lookup table maps to
    them (see `tagger.fastmatch`)."""
    import spacy

    import tagger.component  # noqa: F401  (registers the factory and spiegel.orientation.v1)
    from tagger.rules import load_rules, read_context

    rules = load_rules(lang, extra_patterns)
    nlp = spacy.blank(lang)
    comp = nlp.add_pipe("spiegel_tagger")
    nlp.initialize()
    comp.set_context(read_context(lang))
    comp.add_rules(rules)
    return nlp


class Tagger:
    """Tags utterances of one language; load it with `load_tagger` (cached)."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.lang = nlp.lang
        self.component = nlp.get_pipe("spiegel_tagger")

    def tag_one(self, text: str, role: str | None = None) -> TagResult:
        """Tag one utterance without conversation context."""
        return self.tag_conversation([(text, role)])[0]

    def analyse(self, texts: Sequence[str]) -> list[Analysis]:
        """The per-utterance analyses of the spaCy pipeline (no speaker, no context)."""
        return [doc._.spiegel for doc in self.nlp.pipe(_normalise(t or "") for t in texts)]

    def tag_conversation(self, items: Sequence[tuple[str, str | None]]) -> list[TagResult]:
        """Tag (text, role) pairs in conversation order; role 'practitioner', 'client', 'other' or None."""
        analyses = self.analyse([text for text, _ in items])
        state = _ConversationState()
        results = []
        for (_, role), analysis in zip(items, analyses, strict=True):
            results.append(self._tag(analysis, role if role in ROLES else None, state))
            state.index += 1
        return results

    def _tag(self, analysis: Analysis, role: str | None, state: _ConversationState) -> TagResult:
        chosen: dict[tuple[str, str | None], Hit] = {}
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
                and not state.recent(rule.after, AFTER_WINDOWS.get(rule.after, SCALE_ANSWER_WINDOW))
            ):
                continue
            if rule.after_turn and rule.after_turn != state.prev_orientation:
                continue
            key = (label, rule.subtype if label in ("compliment", "miracle_question") else None)
            if key not in chosen:
                chosen[key] = hit
        labels = {k[0] for k in chosen}
        if labels & _SOLUTION_QUESTIONS:
            chosen.pop(("problem_question", None), None)
        if ("miracle_question", "main") in chosen:
            chosen.pop(("miracle_question", "follow_up"), None)
        if (
            ("miracle_question", "follow_up") in chosen
            or ("miracle_question", "main") in chosen
            or (
                "scale_question",
                None,
            )
            in chosen
        ):
            chosen.pop(("goal_question", None), None)
        if analysis.is_question and role != "client":
            chosen.pop(("exception_report", None), None)
        for winner, loser in _ONE_QUESTION_PRECEDENCE:
            if (
                winner in chosen
                and loser in chosen
                and not _separate_sentences(analysis, chosen[winner], chosen[loser])
            ):
                chosen.pop(loser)
        direct = chosen.get(("compliment", "direct"))
        if direct and any(
            (q := chosen.get(("compliment", sub))) and q.start < direct.end and direct.start < q.end
            for sub in ("indirect", "self")
        ):
            # "waar mag je jezelf een compliment voor geven?": praise words inside a compliment question
            chosen.pop(("compliment", "direct"))

        tags: list[Tag] = []
        scale_value = None
        for (label, _), hit in sorted(chosen.items(), key=lambda kv: (kv[1].start_char, kv[0][0])):
            subtype = hit.rule.subtype
            value = None
            start_char, end_char = hit.start_char, hit.end_char
            if label == "scale_question":
                subtype = self._scale_subtype(analysis, hit, state)
            elif label == "scale_answer":
                number = _pick_number(analysis, hit)
                if number is None:
                    continue
                value, start_char, end_char = number
                recent = state.recent("scale_question", SCALE_FOLLOWUP_WINDOW)
                subtype = recent[1] if recent else None
                scale_value = value
            tags.append(Tag(label, subtype, value, start_char, end_char, hit.rule.id))
        labels_out = list(dict.fromkeys(t.label for t in tags))
        orientation = self.component.orientation(analysis, labels_out, role)
        for tag in tags:
            state.seen(tag.label, tag.subtype)
        state.prev_orientation = orientation
        return TagResult(
            orientation=Orientation(orientation),
            tags=tuple(tags),
            is_question=analysis.is_question,
            scale_value=scale_value,
        )

    @staticmethod
    def _scale_subtype(analysis: Analysis, hit: Hit, state: _ConversationState) -> str:
        if hit.rule.subtype:
            return hit.rule.subtype
        # the topic with the most cue weight; the earliest on a tie ("where" and "tevreden" weigh little,
        # "confident", "zonder hulp" much)
        weights: dict[str, float] = {}
        for other in analysis.hits:
            if other.rule.label == "cue.scale_topic" and other.rule.subtype:
                weights[other.rule.subtype] = weights.get(other.rule.subtype, 0.0) + other.rule.weight
        if weights:
            return max(weights, key=lambda k: weights[k])
        recent = state.recent("scale_question", SCALE_FOLLOWUP_WINDOW)
        if recent and recent[1]:
            return recent[1]
        return "progress"


def _separate_sentences(analysis: Analysis, a: Hit, b: Hit) -> bool:
    """Whether a sentence end lies between two hits (two questions in one turn)."""
    first, second = (a, b) if a.start <= b.start else (b, a)
    return any(first.end <= i < second.start for i in analysis.sentence_breaks)


def _pick_number(analysis: Analysis, hit: Hit) -> tuple[float, int, int] | None:
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


class _ConversationState:
    """What the conversation so far says: where each label last occurred and with which subtype."""

    def __init__(self) -> None:
        self.index = 0
        self.last: dict[str, tuple[int, str | None]] = {}
        #: The orientation of the previous utterance (None before the first).
        self.prev_orientation: str | None = None

    def seen(self, label: str, subtype: str | None) -> None:
        self.last[label] = (self.index, subtype)

    def recent(self, label: str, window: int) -> tuple[int, str | None] | None:
        found = self.last.get(label)
        if found and 0 < self.index - found[0] <= window:
            return found
        return None


@functools.lru_cache(maxsize=8)
def _load(lang: str, extra: tuple[str, ...]) -> Tagger:
    return Tagger(build_pipeline(lang, [Path(p) for p in extra]))


def load_tagger(lang: str, extra_patterns: Sequence[Path] = ()) -> Tagger:
    """The tagger for `lang` ("nl" or "en") with optional organisation rule files; cached per arguments."""
    from core.errors import UserError

    if lang not in ("nl", "en"):
        raise UserError(f"Unsupported language {lang!r}; use 'nl' or 'en'.")
    return _load(lang, tuple(str(Path(p).resolve()) for p in extra_patterns))
