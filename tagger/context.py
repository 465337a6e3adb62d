"""Context of a match within its utterance: negation scope, question form, clause split, sentence breaks.

The word lists come from `tagger/patterns/<lang>/context.json`; this module holds only the logic.
"""

from __future__ import annotations

from typing import Any

#: Punctuation that ends a sentence.
SENTENCE_ENDS = frozenset({".", "?", "!"})
#: Punctuation after which a new clause (and possibly a question) starts.
_CLAUSE_STARTS = frozenset({".", "!", ";", ":", ","})
_SENTENCE_STARTS = frozenset({".", "!", ";"})
_STATEMENT_ENDS = frozenset({".", "!"})


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
        self.adverb_fillers = s("adverb_fillers")
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
        #: Words that turn a statement into a check ("..., okay?", "..., hè?") and openers of a reflection.
        self.question_tags = s("question_tags")
        self.reflection_openers = tuple(data.get("reflection_openers", []))
        #: The openers as " <opener> ", for one `str.startswith` on the space-joined sentence.
        self.opener_prefixes = tuple(f" {o} " for o in self.reflection_openers)
        #: English inverts after a fronted clause ("if it rains, do you stay in?"); Dutch does so in a plain
        #: statement ("als het regent, blijf ik thuis"), so there verb-subject after a comma is no question.
        self.inversion_after_comma = bool(data.get("inversion_after_comma", False))
        #: Words that, right after a question word, make it subordinate ("when you drink", "what we know").
        self.subordinators = s("subordinate_after_question_word")
        #: Question words that open a relative clause after a comma in a statement (", which means").
        self.relatives = s("relative_after_comma")
        #: Phrases that ask without a question's form ("I wonder if", "tell me"), anywhere in the sentence.
        self.ask_phrases = _phrases(data.get("ask_phrases", []))
        #: "ik zie hoeveel moeite je doet": a question word right after a speaker's verb of seeing or knowing
        #: opens an embedded clause, not a question (pairs of subject and verb, e.g. "ik zie").
        self.embedding = frozenset(tuple(p.split()) for p in data.get("embedding_openers", []))
        #: Whole "?" sentences that check one's own summary rather than ask ("is that right?").
        self.check_questions = frozenset(tuple(p.split()) for p in data.get("check_questions", []))
        #: Question words that end an echo question ("you do this how often?", "like what?").
        self.final_qwords = _phrases(data.get("question_words_final", []))
        #: Their last words: a sentence can end in one of them only if it ends in one of these.
        self.final_qword_ends = frozenset(p[-1] for ps in self.final_qwords.values() for p in ps)


def _phrases(items: list[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Phrases indexed by their first word, for a one-pass scan."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for item in items:
        words = tuple(item.split())
        out.setdefault(words[0], []).append(words)
    return {k: tuple(v) for k, v in out.items()}


def _has_phrase(words: list[str], phrases: dict[str, tuple[tuple[str, ...], ...]]) -> bool:
    for i, w in enumerate(words):
        for phrase in phrases.get(w, ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                return True
    return False


def _unstutter(words: list[str]) -> list[str]:
    """Transcripts mark a broken-off word with a dash ("what- what's", "she-- have you"): drop the dash,
    so the word is seen for what it is."""
    if "-" not in "".join(words) or not any(len(w) > 1 and w[-1] == "-" for w in words):
        return words
    return [w.rstrip("-") if len(w) > 1 and w.rstrip("-") else w for w in words]


def is_question(words: list[str], ctx: Context) -> bool:
    """A question, with or without "?": a question word or verb-subject inversion at the start of a clause.

    ASR output often has no punctuation, so "heb je gemerkt" and "wat is er beter" count; exclamations
    ("wat knap!", "what a great idea") and subordinate uses ("als je", "dank je") do not.
    """
    words = _unstutter(words)
    if "?" in words:
        return any(_asks(sentence, ctx) for sentence in _question_sentences(words))
    return _interrogative_form(words, ctx, statement=True) or (
        bool(ctx.ask_phrases) and _has_phrase(words, ctx.ask_phrases)
    )


def _question_sentences(words: list[str]) -> list[list[str]]:
    """The sentences that end in "?", without their "?"."""
    out, current = [], []
    for w in words:
        if w in SENTENCE_ENDS:
            if w == "?":
                out.append(current)
            current = []
        else:
            current.append(w)
    return out


def _asks(sentence: list[str], ctx: Context) -> bool:
    """Does a sentence said with "?" ask something? A bare backchannel ("yeah?", "ja?"), a statement with a
    tag ("it puts you at risk, okay?", "je bent moe, hè?") and a reflection opened as one ("so you feel
    stuck?", "dus je wilt stoppen?") check or mirror rather than ask: they count as questions only when
    they also have a question's form (a question word, or verb-subject inversion)."""
    if ctx.check_questions:
        start = 0
        while start < len(sentence) and sentence[start] in ctx.fillers:
            start += 1
        if tuple(sentence[start:]) in ctx.check_questions:
            return False
    body = list(sentence)
    tagged = False
    while body and (body[-1] in ctx.question_tags or body[-1] in (",", ";")):
        tagged = tagged or body[-1] in ctx.question_tags
        body.pop()
    if all(w in ctx.fillers or w in ctx.question_tags or not w[:1].isalnum() for w in body):
        return False
    joined = " " + " ".join(body) + " "
    opener = joined.startswith(ctx.opener_prefixes)
    if not (tagged or opener):
        return True
    if body[-1] in ctx.final_qword_ends and any(
        tuple(body[-len(p) :]) == p for ps in ctx.final_qwords.values() for p in ps
    ):
        return True
    return _interrogative_form(body, ctx) or (bool(ctx.ask_phrases) and _has_phrase(body, ctx.ask_phrases))


def _interrogative_form(words: list[str], ctx: Context, statement: bool = False) -> bool:
    """Question form without relying on "?": a question word or verb-subject inversion at a clause start.

    `statement`: the sentence has no "?" at all; then a question word after a comma that opens a relative
    clause (", which means") is no question. A text with no "?" that ends in "." or "!" was punctuated (by
    a writer or by Whisper, which writes "?" for questions) and says it is a statement: then only a sentence's
    start counts, since inversion after a fronted clause is plain word order in a statement ("als het
    regent, blijf ik thuis", "juist doordat je moe bent, kun je ...")."""
    n = len(words)
    punctuated = statement and n > 0 and words[-1] in _STATEMENT_ENDS
    clause = _SENTENCE_STARTS if punctuated else _CLAUSE_STARTS
    starts = [0] + [i + 1 for i, w in enumerate(words) if w in clause]
    for s in starts:
        i = s
        while i < n and words[i] in ctx.fillers:
            i += 1
        # in a punctuated statement "dan", "zo", "maar" open the sentence as words, and inversion after them
        # is a statement's word order ("Dan kun je ...", "Maar doe het ..."); a question word after them still
        # asks ("En hoe gaat het nu.")
        adverb_opened = punctuated and not ctx.adverb_fillers.isdisjoint(words[s:i])
        if i >= n:
            continue
        w = words[i]
        nxt = words[i + 1] if i + 1 < n else ""
        nxt2 = words[i + 2] if i + 2 < n else ""
        if w in ctx.qwords:
            if (w, nxt) in ctx.qword_excl or (w, nxt, nxt2) in ctx.qword_excl or nxt in ctx.subordinators:
                continue
            if statement and s > 0 and w in ctx.relatives:
                continue
            return True
        if adverb_opened:
            continue
        if w in ctx.prompts and s == 0:
            return True
        if nxt in ctx.second and w.isalpha() and w not in ctx.inv_excl:
            return True
        after_comma = s > 0 and words[s - 1] == "," and not ctx.inversion_after_comma
        if w in ctx.qverbs and (nxt in ctx.second or (nxt in ctx.inv_subj and not after_comma)):
            if nxt in ctx.neg_clitics and nxt2 not in ctx.inv_subj:
                continue
            return True
    # a question word later in the utterance, followed by a finite verb and its subject ("knap zeg hoe heb
    # je dat gedaan", "on a scale of 0 to 10 how confident are you"): main-clause word order, so a question
    if punctuated or ctx.qwords.isdisjoint(words):
        return False
    for i, w in enumerate(words):
        if w not in ctx.qwords or i == 0 or (i + 1 < n and words[i + 1] in ctx.subordinators):
            continue
        if i >= 2 and (words[i - 2], words[i - 1]) in ctx.embedding:
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


def negation_scope(words: list[str], ctx: Context) -> list[bool]:
    """Per token, in one pass each way: is this single word in the scope of a negation cue? The same test as
    `negated(words, i, i + 1, ctx)` for every i (a cue up to `pre` words before it in the same clause, or a
    post-cue up to `post` words after it), at the cost of one look at each word instead of a window each."""
    n = len(words)
    out = [False] * n
    last_cue = None  # index of the latest negation cue in the current clause
    for i, w in enumerate(words):
        if last_cue is not None and i - last_cue <= ctx.pre:
            out[i] = True
        if w in ctx.boundary:
            last_cue = None
        elif w in ctx.negation and (i + 1 >= n or (w, words[i + 1]) not in ctx.pseudo):
            last_cue = i
    next_post = None  # index of the nearest post-cue after i in the current clause
    for i in range(n - 1, -1, -1):
        w = words[i]
        if next_post is not None and next_post - i <= ctx.post:
            out[i] = True
        if w in ctx.boundary:
            next_post = None
        elif (
            w in ctx.negation_post
            and (i + 1 >= n or (w, words[i + 1]) not in ctx.pseudo)
            and not (i > 0 and (words[i - 1], w) in ctx.pseudo)
        ):
            next_post = i
    return out
