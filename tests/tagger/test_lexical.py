"""The one-pass word evidence (`tagger.lexical.WordTable`) says what the four separate functions of
`tagger.polarity` say, on every development text (the component uses the first; the second is the definition)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tagger import load_tagger
from tagger.context import negation_scope
from tagger.polarity import marks, polarity, terms, topic_polarity

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_word_table_equals_the_separate_functions(lang: str) -> None:
    tagger = load_tagger(lang)
    comp = tagger.component
    checked = negated_texts = 0
    paths = [DATA / f"dev_{lang}.jsonl"] + ([DATA / "real_nl" / "dev.jsonl"] if lang == "nl" else [])
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            words = [t.lower_ for t in tagger.nlp.make_doc(json.loads(line)["text"].lower())]
            flags = negation_scope(words, comp.context)
            expected = (
                polarity(words, comp.lexicon, flags) | topic_polarity(words, comp.topics, comp.lemmas, flags),
                terms(words, comp.lemmas, flags),
                marks(words, comp.mark_lists),
            )
            got = comp.word_table.evidence(words, flags if any(flags) else None)
            assert got == expected, words
            assert list(got[0]) == list(expected[0])  # the same key order, too
            negated_texts += any(flags)
            checked += 1
    assert checked > 200 and negated_texts > 10
