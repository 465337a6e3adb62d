"""The optional Frog component (`tagger/frog.py`): tense, lemmas, alignment, one process, no-frog fallback.

Frog is not part of the default tagger: with its tense, mood and lemma features the orientation model's
grouped cross-validated balanced accuracy on the Dutch real development part was 0.613 against 0.614 without,
at about 1/20 of the throughput (bench/frog-note.md), so setup does not install it. The tests that need the
program run where Debian's `frog` is installed and are skipped, with that reason, where it is not."""

from __future__ import annotations

import logging
import shutil

import pytest
import spacy

import tagger.frog as frog
from tagger.frog import FrogWord, align, cgn_to_ud, expand

needs_frog = pytest.mark.skipif(
    shutil.which("frog") is None,
    reason="frog is not installed (optional, not used by default; Debian packages frog, frogdata)",
)


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("nl")
    nlp.add_pipe("spiegel_frog")
    return nlp


@pytest.fixture(scope="module")
def nlp_parsed():
    nlp = spacy.blank("nl")
    nlp.add_pipe("spiegel_frog", config={"parser": True})
    return nlp


def _finite(doc):
    return [t for t in doc if t.morph.get("VerbForm") == ["Fin"]]


# --- without Frog: the CGN mapping, MWU splitting and alignment ---------------------------------------------


@pytest.mark.parametrize(
    ("tag", "pos", "feats"),
    [
        ("WW(pv,verl,ev)", "VERB", {"VerbForm": "Fin", "Tense": "Past", "Mood": "Ind", "Number": "Sing"}),
        ("WW(pv,tgw,met-t)", "VERB", {"VerbForm": "Fin", "Tense": "Pres", "Number": "Sing"}),
        ("WW(pv,conj,ev)", "VERB", {"Mood": "Sub"}),
        ("WW(vd,vrij,zonder)", "VERB", {"VerbForm": "Part", "Tense": "Past"}),
        ("WW(inf,vrij,zonder)", "VERB", {"VerbForm": "Inf"}),
        ("N(soort,mv,basis)", "NOUN", {"Number": "Plur"}),
        ("N(eigen,ev,basis,zijd,stan)", "PROPN", {"Number": "Sing"}),
        ("ADJ(vrij,comp,zonder)", "ADJ", {"Degree": "Cmp"}),
        ("VNW(vb,pron,stan,vol,3o,ev)", "PRON", {"PronType": "Int"}),
        ("VNW(bez,det,stan,vol,1,ev,prenom,zonder,agr)", "DET", {"Poss": "Yes", "Person": "1"}),
        ("LID(bep,stan,rest)", "DET", {"Definite": "Def", "PronType": "Art"}),
        ("VG(onder)", "SCONJ", {}),
        ("SPEC(deeleigen)", "PROPN", {}),
        ("LET()", "PUNCT", {}),
    ],
)
def test_cgn_to_ud(tag, pos, feats):
    got_pos, got = cgn_to_ud(tag)
    assert got_pos == pos
    assert feats.items() <= got.items()


def test_negation_lemmas_get_polarity():
    assert cgn_to_ud("BW()", "niet")[1]["Polarity"] == "Neg"
    assert "Polarity" not in cgn_to_ud("BW()", "wel")[1]


def test_multiword_unit_is_split_into_its_words():
    answer = [
        {
            "word": "ten_opzichte_van",
            "lemma": "te_opzicht_van",
            "pos": {"tag": "VZ(versm)_N(soort)_VZ(init)"},
        },
        {"word": "New_York", "lemma": "New_York", "pos": {"tag": "SPEC(deeleigen)_SPEC(deeleigen)"}},
        {"word": "foo_bar", "lemma": "foo_bar", "pos": {"tag": "ADJ(vrij,basis,zonder)"}},  # one token with _
    ]
    assert [(w.text, w.lemma, w.tag) for w in expand(answer)] == [
        ("ten", "te", "VZ(versm)"),
        ("opzichte", "opzicht", "N(soort)"),
        ("van", "van", "VZ(init)"),
        ("New", "New", "SPEC(deeleigen)"),
        ("York", "York", "SPEC(deeleigen)"),
        ("foo_bar", "foo_bar", "ADJ(vrij,basis,zonder)"),
    ]


def test_multiword_unit_heads_point_at_first_word():
    answer = [
        {"word": "Hoe", "pos": {"tag": "BW()"}, "parse": {"parse_index": 2, "parse_role": "mod"}},
        {"word": "voor_elkaar", "pos": {"tag": "VZ_VNW"}, "parse": {"parse_index": 0, "parse_role": "ROOT"}},
    ]
    words = expand(answer)
    assert [(w.head, w.dep) for w in words] == [(1, "mod"), (-1, "ROOT"), (1, "mwp")]


def test_alignment_leaves_mismatched_tokens_out():
    words = [FrogWord(t, t, "X()", 1.0, None, "") for t in ["Ik", "zeg", "'s", "avonds", "nee", "."]]
    assert align(["Ik", "zeg", "'s", "avonds", "nee", "."], words) == [0, 1, 2, 3, 4, 5]
    # Frog kept "'s_avonds" whole (text differs from spaCy's two tokens): only those two stay unannotated
    words[2:4] = [FrogWord("'s_avonds", "'s_avond", "X()", 1.0, None, "")]
    assert align(["Ik", "zeg", "'s", "avonds", "nee", "."], words) == [0, 1, None, None, 3, 4]


# --- absent Frog ---------------------------------------------------------------------------------------------


def test_absent_frog_is_a_noop_with_one_warning(caplog):
    frog._WARNED.clear()
    with caplog.at_level(logging.WARNING, logger="tagger.frog"):
        nlp = spacy.blank("nl")
        comp = nlp.add_pipe("spiegel_frog", config={"binary": "/nonexistent/frog"})
        nlp2 = spacy.blank("nl")
        nlp2.add_pipe("spiegel_frog", config={"binary": "/nonexistent/frog"})
        docs = list(nlp.pipe(["Ik liep naar huis.", "Het ging goed."]))
    assert not comp.available
    # the warning is the user's (Dutch by default, tests/architecture/test_messages.py)
    assert len([r for r in caplog.records if "niet gevonden" in r.getMessage()]) == 1
    assert all(t.tag_ == "" and t.pos_ == "" and not t.morph for d in docs for t in d)


def test_a_frog_that_dies_leaves_docs_unannotated_without_crashing(caplog):
    false = shutil.which("false")
    nlp = spacy.blank("nl")
    comp = nlp.add_pipe("spiegel_frog", config={"binary": false})
    with caplog.at_level(logging.WARNING, logger="tagger.frog"):
        docs = [nlp("Ik liep naar huis.") for _ in range(4)]
    assert all(t.tag_ == "" for d in docs for t in d)
    assert not comp.available  # switched off after three failures
    assert any("staat voor de rest van deze run uit" in r.getMessage() for r in caplog.records)
    assert any("Frog faalde op een reeks van 1 documenten" in r.getMessage() for r in caplog.records)


def test_frog_warnings_follow_the_user_language(caplog, monkeypatch):
    monkeypatch.setenv("SPIEGEL_LANG", "en")
    frog._WARNED.clear()
    with caplog.at_level(logging.WARNING, logger="tagger.frog"):
        spacy.blank("nl").add_pipe("spiegel_frog", config={"binary": "/nonexistent/frog"})
        spacy.blank("en").add_pipe("spiegel_frog")
    messages = [r.getMessage() for r in caplog.records]
    assert "'/nonexistent/frog' not found: the spiegel_frog component does nothing" in messages[0]
    assert messages[1] == "en: Frog analyses Dutch only; the spiegel_frog component does nothing here."


def test_frog_errors_are_catalogue_texts(monkeypatch):
    """A dead Frog is a `FrogError` whose sentence is in the user's language (and a `UserError`)."""
    from core.errors import UserError
    from tagger.frog_process import FrogError, FrogProcess

    process = FrogProcess(shutil.which("false"), startup_timeout_s=30)
    with pytest.raises(FrogError) as error:
        process.start()
    assert isinstance(error.value, UserError)
    assert error.value.key in ("error.frog.exit", "error.frog.stopped")  # `false` may end before it is asked
    assert str(error.value).startswith("Frog is gestopt")
    monkeypatch.setenv("SPIEGEL_LANG", "en")
    assert str(error.value).startswith("Frog stopped")
    process.close()


def test_tagger_still_works_with_the_component_absent():
    from tagger.api import build_pipeline

    nlp = build_pipeline("nl")
    text = "wat ging er die dag beter?"
    plain = [h.rule.id for h in nlp(text)._.spiegel.hits]
    assert plain
    nlp.add_pipe("spiegel_frog", before="spiegel_tagger", config={"binary": "/nonexistent/frog"})
    assert [h.rule.id for h in nlp(text)._.spiegel.hits] == plain


# --- with Frog -------------------------------------------------------------------------------------------------


@needs_frog
@pytest.mark.parametrize(
    ("text", "verb", "tense"),
    [
        ("Vorige week ging het helemaal mis.", "ging", "Past"),
        ("Toen voelde ik me echt slecht.", "voelde", "Past"),
        ("Ik wist niet meer wat ik moest doen.", "wist", "Past"),
        ("Nu gaat het een stuk beter.", "gaat", "Pres"),
        ("Ik heb gisteren goed geslapen.", "heb", "Pres"),
    ],
)
def test_tense_of_the_finite_verb(nlp, text, verb, tense):
    doc = nlp(text)
    tok = next(t for t in doc if t.text == verb)
    assert tok.morph.get("Tense") == [tense]
    assert tok.morph.get("VerbForm") == ["Fin"]
    assert tok.tag_.startswith("WW(pv,")


@needs_frog
def test_participle_and_hypothetical(nlp):
    doc = nlp("Ik heb gisteren goed geslapen.")
    assert doc[4].morph.get("VerbForm") == ["Part"] and doc[4].lemma_ == "slapen"
    doc = nlp("Wat zou er anders zijn als het probleem weg is?")
    zou = doc[1]
    assert zou.lemma_ == "zullen" and zou.morph.get("Tense") == ["Past"] and zou.pos_ == "AUX"


@needs_frog
@pytest.mark.parametrize(
    ("text", "word", "lemma"),
    [("Ik liep gisteren naar huis.", "liep", "lopen"), ("Zij hebben het gered.", "gered", "redden")],
)
def test_lemma_of_an_inflected_verb(nlp, text, word, lemma):
    assert next(t for t in nlp(text) if t.text == word).lemma_ == lemma


@needs_frog
def test_tricky_tokenisation_is_aligned(nlp):
    # spaCy's own tokens, whitespace tokens, a multi-word unit and a token Frog would split itself
    doc = nlp("Hoe   heb je dat voor elkaar gekregen,\nten opzichte van 's avonds? :-) e-mail 3,5")
    by_text = {t.text: t for t in doc}
    assert by_text["gekregen"].lemma_ == "krijgen"
    assert by_text["elkaar"].tag_.startswith("VNW")  # split back out of the MWU "voor_elkaar"
    assert by_text["opzichte"].lemma_ == "opzicht"
    for tok in doc:
        if tok.is_space:
            assert tok.tag_ == ""
        else:
            assert tok.tag_, tok.text  # every other token got Frog's annotation
    assert len(doc) == len(spacy.blank("nl")(doc.text))  # the tokens are spaCy's, untouched


@needs_frog
def test_unalignable_token_is_left_without_annotation(nlp, monkeypatch):
    real = frog.FrogProcess.analyse

    def garbled(self, sentences):
        out = real(self, sentences)
        for words in out:
            words[0].text = words[0].text + "X"  # Frog "changed" the first word of each sentence
        return out

    monkeypatch.setattr(frog.FrogProcess, "analyse", garbled)
    doc = nlp("Ik liep naar huis.")
    assert doc[0].tag_ == "" and doc[1].lemma_ == "lopen"


@needs_frog
def test_one_frog_process_for_many_docs(nlp):
    comp = nlp.get_pipe("spiegel_frog")
    nlp("Start.")
    pid, starts = comp.process.pid, frog.FrogProcess.starts
    texts = [f"Ik heb daar {i} keer over nagedacht. Het ging beter." for i in range(300)]
    docs = list(nlp.pipe(texts, batch_size=64))
    nlp("En nog een.")
    other = spacy.blank("nl")
    other.add_pipe("spiegel_frog")  # a second pipeline with the same settings shares the process
    other("Nog een pipeline.")
    assert comp.process.pid == pid and other.get_pipe("spiegel_frog").process is comp.process
    assert frog.FrogProcess.starts == starts
    assert all(d[-2].lemma_ == "beter" or d[-2].text == "beter" for d in docs)
    assert all(d[1].lemma_ == "hebben" for d in docs)
    assert [len(list(d.sents)) for d in docs[:3]] == [2, 2, 2]


@needs_frog
def test_parser_fills_heads_and_relations(nlp_parsed):
    doc = nlp_parsed("Ik heb gisteren goed geslapen.")
    geslapen = doc[4]
    assert geslapen.dep_ == "vc" and geslapen.head.text == "heb"
    assert doc[0].dep_ == "su" and doc[0].head.text == "heb"
    niet = nlp_parsed("Ik kon niet slapen.")[2]
    assert niet.morph.get("Polarity") == ["Neg"] and niet.head.pos_ in ("VERB", "AUX")


@needs_frog
def test_restarts_after_frog_dies(nlp):
    comp = nlp.get_pipe("spiegel_frog")
    nlp("Start.")
    comp.process.proc.kill()
    comp.process.proc.wait()
    doc = nlp("Ik liep naar huis.")  # a dead process is noticed before it is asked: a fresh one starts
    assert doc[1].lemma_ == "lopen"
    assert comp.available
