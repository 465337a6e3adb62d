"""The orientation's cues in words (tagger/cue_names.py): every feature the fitted models can name has words in
Dutch and English, word cues show their word, labels their display name, unknown names are left out."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from core.texts import LANGS, label_name, text
from tagger import load_tagger
from tagger.cue_names import LABEL_FAMILIES, WORD_FAMILIES, cue_phrase, cue_phrases, orientation_why
from tagger.orientation_model import technique_labels


def model_features(lang: str) -> set[str]:
    data = json.loads(files("tagger.data").joinpath(f"orientation_{lang}.json").read_text(encoding="utf-8"))
    return {name for weights in data["weights"].values() for name in weights}


@pytest.mark.parametrize("model", ["nl", "en"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_feature_of_the_fitted_models_has_words(model, lang):
    missing = sorted(name for name in model_features(model) if not cue_phrase(name, lang))
    assert missing == []
    # and a technique that settles the direction (`label:<name>`, tagger/orientation_model.py)
    for label in sorted(set().union(*technique_labels().values())):
        assert label_name(label, lang) in cue_phrase(f"label:{label}", lang)


def test_word_and_label_cues_show_their_word():
    assert cue_phrase("l:helpen", "nl") == "het woord ‘helpen’"
    assert cue_phrase("l!gek", "nl") == "het ontkende woord ‘gek’"
    assert cue_phrase("p:gevo", "en") == "words starting with ‘gevo…’"
    assert cue_phrase("label.scale_answer", "nl") == "het label ‘schaalscore’"
    assert cue_phrase("lex.pos", "en") == "positive words"
    assert {prefix for prefix, _ in WORD_FAMILIES} == {"l:", "l!", "p:", "p!"}
    assert all(text(key, "en") != key for _, key in (*WORD_FAMILIES, *LABEL_FAMILIES))


def test_unknown_names_are_left_out_and_nothing_is_said_without_words():
    assert cue_phrase("some.new.feature", "nl") is None
    assert cue_phrase("l:", "nl") is None
    assert cue_phrases(["lex.pos", "nope", "lex.pos"], "nl") == ["positieve woorden"]
    assert orientation_why("solution", ["nope"], "nl") == ""
    assert orientation_why("solution", None, "nl") == ""
    assert orientation_why("solution", float("nan"), "nl") == ""  # a NULL read through pandas


def test_the_real_taggers_cues_read_as_a_sentence():
    result = load_tagger("nl").tag_conversation(
        [("Wandelen helpt me echt, dan voel ik me rustiger.", "client")]
    )[0]
    assert result.orientation_cues
    why = orientation_why(str(result.orientation), result.orientation_cues, "nl")
    assert why.startswith(f"Richting: {text(f'orientation.{result.orientation}', 'nl')} — vooral door: ")
    for name in result.orientation_cues:  # every cue in words, none as its raw name
        assert cue_phrase(name, "nl") in why and f" {name}" not in why
