"""What the `spiegel_tagger` component finds in one utterance: its rule hits and their context.

These are the data the other tagger modules share: `tagger.matching` finds the hits, `tagger.context` adds
negation, question form and clause split, `tagger.orientation` weighs them, and `tagger.conversation` links
them to the turns before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tagger.numbers import NumberHit
from tagger.rules import Rule


@dataclass(slots=True)
class Hit:
    """One rule match that passed its conditions. `negated`: in the scope of a negation cue; None where the
    rule does not depend on it (only cue rules and rules with a `negated` condition are checked)."""

    rule: Rule
    start: int
    end: int
    start_char: int
    end_char: int
    negated: bool | None


@dataclass
class Analysis:
    """What the component found in one utterance, before speaker and conversation context are applied.

    `hits` are ordered by start, longest first, then by rule rank (`priority`, then definition order), so the
    same input always gives the same order."""

    is_question: bool
    hits: list[Hit] = field(default_factory=list)
    cue_score: float = 0.0
    numbers: list[tuple[NumberHit, int, int]] = field(default_factory=list)
    scale_position: bool = False
    scale_context: bool = False
    first_person: bool = False
    n_words: int = 0
    #: Clause split: the token index of the first contrast word ("maar", "toch", "but"; not the first word) and
    #: of the last clause-level contrast ("maar", "but"); None without one.
    contrast_at: int | None = None
    pivot: int | None = None
    #: Cue balance after the last clause-level contrast and before it; None without one.
    pivot_score: float | None = None
    before_pivot_score: float | None = None
    #: Token indexes where one question ends and another may begin: sentence-final punctuation, and a comma or
    #: "en" before a question word.
    sentence_breaks: tuple[int, ...] = ()
    #: The pipeline's language; the orientation model is per language.
    lang: str = ""
    #: Polarity-word sums ("pos", "neg", "pos.negated", "neg.negated") and orientation marks present
    #: ("want", "past", ...), see `tagger.polarity`: evidence for the fitted orientation model.
    polarity: dict[str, float] = field(default_factory=dict)
    marks: tuple[str, ...] = ()
    #: The words as named features (lemmas, stems; negated ones marked), see `tagger.polarity.terms`.
    terms: tuple[str, ...] = ()

    def labelled(self) -> list[Hit]:
        """Hits of taxonomy labels (not internal cues)."""
        return [h for h in self.hits if not h.rule.label.startswith("cue.")]
