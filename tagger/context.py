"""Context of a match within its utterance: negation scope, question form, clause split, sentence breaks.

The word lists come from `tagger/patterns/<lang>/context.json`; this module holds only the logic.
"""

from __future__ import annotations

from typing import Any

#: Punctuation that ends a sentence.
SENTENCE_ENDS = frozenset({".", "?", "!"})
#: Punctuation after which a new clause (and possibly a question) starts.
_CLAUSE_STARTS = frozenset({".", "!", ";", ":", ","})


class Context:
    """Cue lists of one language, as sets for fast lookups."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        s = lambda k: frozenset(data.get(k, []))  # noqa: E731
        self.negation = s("negation")
        self.negation_post = s("negation_post")
        self.pseudo = frozenset(tuple(p.split()) for p in data.get("pseudo_negation", []))
        self.pre = int(data.get("negation_window_pre", 3))
        self.post = int(data.get("negation_window_post", 3))
        self.boundary = s("clause_boundary")
        self.contrast = s("contrast")
        self.pivots = self.contrast & self.boundary
        self.fillers = s("fillers")
        self.qwords = s("question_words")
        self.qword_excl = frozenset(tuple(p.split()) for p in data.get("question_word_exclusions", []))
        self.second = s("second_person")
        self.inv_excl = s("inversion_exclusions")
        self.qverbs = s("question_verbs")
        self.inv_subj = s("inversion_subjects")
        #: Negation clitics that may sit between a question verb and its subject ("ca n't you").
        self.neg_clitics = s("negation_clitics")
        self.prompts = s("prompt_starts")
        self.first_person = s("first_person")
        #: Words most utterances contain; a rule is indexed under rarer words where it has any.
        self.frequent = s("frequent_words")
        #: Rule words kept as one token although the tokenizer splits them ("gonna").
        self.unsplit = s("unsplit_words")
        #: Sentence ends, and words ("," "en", "and") that start a second question before a question word.
        self.breaks = SENTENCE_ENDS | s("question_joiners")


def is_question(words: list[str], ctx: Context) -> bool:
    """A question, with or without "?": a question word or verb-subject inversion at the start of a clause.

    ASR output often has no punctuation, so "heb je gemerkt" and "wat is er beter" count; exclamations
    ("wat knap!", "what a great idea") and subordinate uses ("als je", "dank je") do not.
    """
    if "?" in words:
        return True
    n = len(words)
    starts = [0] + [i + 1 for i, w in enumerate(words) if w in _CLAUSE_STARTS]
    for s in starts:
        i = s
        while i < n and words[i] in ctx.fillers:
            i += 1
        if i >= n:
            continue
        w = words[i]
        nxt = words[i + 1] if i + 1 < n else ""
        nxt2 = words[i + 2] if i + 2 < n else ""
        if w in ctx.qwords:
            if (w, nxt) in ctx.qword_excl or (w, nxt, nxt2) in ctx.qword_excl:
                continue
            return True
        if w in ctx.prompts and s == 0:
            return True
        if nxt in ctx.second and w.isalpha() and w not in ctx.inv_excl:
            return True
        after_comma = s > 0 and words[s - 1] == ","
        if w in ctx.qverbs and (nxt in ctx.second or (nxt in ctx.inv_subj and not after_comma)):
            if nxt in ctx.neg_clitics and nxt2 not in ctx.inv_subj:
                continue
            return True
    # a question word later in the utterance, followed by a finite verb and its subject ("knap zeg hoe heb
    # je dat gedaan", "on a scale of 0 to 10 how confident are you"): main-clause word order, so a question
    for i, w in enumerate(words):
        if w not in ctx.qwords or i == 0:
            continue
        for j in range(i + 1, min(i + 4, n - 1)):
            if words[j] in ctx.boundary:
                break
            if (
                words[j] in ctx.qverbs or (j == i + 1 and words[j].isalpha() and words[j] not in ctx.inv_subj)
            ) and (words[j + 1] in ctx.second or (words[j + 1] in ctx.inv_subj and words[j] in ctx.qverbs)):
                return True
    return False


def negated(words: list[str], start: int, end: int, ctx: Context, own: frozenset[str] = frozenset()) -> bool:
    """Is the span [start, end) in the scope of a negation cue: a few words before or after it in the same
    clause, or inside it (a gap of the pattern: "het gaat echt niet goed")? `own` are words the rule
    itself spells out, which do not count."""
    for i in range(start + 1, end - 1):
        if words[i] in ctx.negation and words[i] not in own and (words[i], words[i + 1]) not in ctx.pseudo:
            return True
    i = start - 1
    while i >= 0 and start - i <= ctx.pre and words[i] not in ctx.boundary:
        if words[i] in ctx.negation and (words[i], words[i + 1]) not in ctx.pseudo:
            return True
        i -= 1
    i = end
    n = len(words)
    while i < n and i - end < ctx.post and words[i] not in ctx.boundary:
        w = words[i]
        if (
            w in ctx.negation_post
            and (i + 1 >= n or (w, words[i + 1]) not in ctx.pseudo)
            and not (i > 0 and (words[i - 1], w) in ctx.pseudo)
        ):
            return True
        i += 1
    return False


def sentence_breaks(words: list[str], ctx: Context) -> tuple[int, ...]:
    """Token indexes where one question ends and another may begin: sentence-final punctuation, and a
    comma or "en"/"and" before a question word ("..., en hoe hou je het vol?")."""
    if ctx.breaks.isdisjoint(words):
        return ()
    return tuple(
        i
        for i, w in enumerate(words)
        if w in SENTENCE_ENDS or (w in ctx.breaks and i + 1 < len(words) and words[i + 1] in ctx.qwords)
    )


def clause_split(words: list[str], ctx: Context) -> tuple[int | None, int | None]:
    """(the first contrast word after the first word, the last clause-level contrast), each None without one.

    What follows the last clause-level contrast ("maar", "but") carries the speaker's point."""
    if ctx.contrast.isdisjoint(words):
        return None, None
    contrast_at = next((i for i, w in enumerate(words) if w in ctx.contrast and i > 0), None)
    pivot = next((i for i in range(len(words) - 1, 0, -1) if words[i] in ctx.pivots), None)
    return contrast_at, pivot
