"""The fast matcher finds what spaCy's `Matcher` finds: for every rule and every development utterance, the
same earliest, longest match (the choice the component makes)."""

import pytest
import spacy
from spacy.matcher import Matcher

from tagger.api import _normalise, build_pipeline
from tagger.evaluate import dev_file, heldout2_file, heldout3_file, load_gold
from tagger.fastmatch import Compiler, Unsupported, match


def _reference(nlp_lemma, matcher: Matcher, text: str) -> dict[str, tuple[int, int]]:
    best: dict[str, tuple[int, int]] = {}
    doc = nlp_lemma(text)
    for key, start, end in matcher(doc):
        rid = nlp_lemma.vocab.strings[key]
        prev = best.get(rid)
        if prev is None or start < prev[0] or (start == prev[0] and end > prev[1]):
            best[rid] = (start, end)
    return best


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_fast_matcher_agrees_with_spacy_matcher(lang: str) -> None:
    nlp = build_pipeline(lang)
    comp = nlp.get_pipe("spiegel_tagger")
    ref_nlp = spacy.blank(lang)
    ref_nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ref_nlp.initialize()
    matcher = Matcher(ref_nlp.vocab)
    lemma_rules = set()
    for rid, rule in comp.rules.items():
        matcher.add(rid, [list(p) for p in comp.matcher.expanded[rid]])
        if any("LEMMA" in tok for p in rule.patterns for tok in p):
            lemma_rules.add(rid)
    rows = load_gold(dev_file(lang), "all") + load_gold(heldout2_file(lang), "all")
    if heldout3_file(lang).exists():
        rows += load_gold(heldout3_file(lang), "all")
    texts = [r["text"] for r in rows]
    assert not comp.matcher.fallback
    for text in texts:
        text = _normalise(text)
        doc = nlp.make_doc(text)
        fast = comp.matcher.match(doc, [t.lower_ for t in doc])
        ref = _reference(ref_nlp, matcher, text)
        # LEMMA tokens are compiled to the forms the lookup table maps to the lemma, plus the lemma itself
        # (a word the table lacks counts as its own lemma, as the lookup lemmatizer does)
        for rid in lemma_rules:
            fast.pop(rid, None)
            ref.pop(rid, None)
        assert fast == ref, text


def test_words_the_tokenizer_splits_become_token_sequences() -> None:
    nlp = build_pipeline("en")
    comp = nlp.get_pipe("spiegel_tagger")
    patterns = comp.matcher._split_words(({"LOWER": {"IN": ["you", "you've"]}}, {"LOWER": "worked"}))
    assert ({"LOWER": "you"}, {"LOWER": "'ve"}, {"LOWER": "worked"}) in patterns
    assert ({"LOWER": {"IN": ["you"]}}, {"LOWER": "worked"}) in patterns


def test_operators_and_unsupported_attributes() -> None:
    comp = Compiler(lambda lemma: ["lukt", "lukte"], like_num=str.isdigit, is_punct=lambda w: w in ".,?")
    words = ["het", "lukte", "me", "toen", "wel", "3", "keer", "."]
    pat = comp.pattern(
        [{"LEMMA": "lukken"}, {"OP": "{0,3}"}, {"LOWER": "wel"}, {"LIKE_NUM": True, "OP": "?"}]
    )
    assert match(pat, words) == (1, 6)
    assert match(comp.pattern([{"LOWER": "keer"}, {"IS_PUNCT": True, "OP": "+"}]), words) == (6, 8)
    assert match(comp.pattern([{"LOWER": {"REGEX": "^l.k"}}]), words) == (1, 2)
    assert match(comp.pattern([{"LOWER": "niet"}]), words) is None
    with pytest.raises(Unsupported):
        comp.pattern([{"POS": "VERB"}])
    with pytest.raises(Unsupported):
        comp.pattern([{"LOWER": "a", "LENGTH": 1}])


def test_rule_outside_the_fast_subset_falls_back_to_spacy_matcher() -> None:
    from tagger.rules import parse_rule

    nlp = build_pipeline("nl")
    comp = nlp.get_pipe("spiegel_tagger")
    comp.add_rules(
        [parse_rule({"id": "cue.problem.test.01", "label": "cue.problem", "pattern": [{"LENGTH": 10}]})]
    )
    assert "cue.problem.test.01" in comp.matcher.fallback
    doc = nlp("dat is verdrietig")
    assert any(s.id_ == "cue.problem.test.01" for s in doc.spans["spiegel"])
