"""Context decides, not single words: negation, questions without a question mark, speakers, scale answers."""

import pytest


@pytest.mark.parametrize(
    ("text", "orientation"),
    [
        ("ik ben niet meer boos geworden", "solution"),
        ("het lukt me niet", "problem"),
        ("het gaat echt niet goed met me", "problem"),
        ("ik heb geen ruzie meer gehad", "solution"),
        ("ik kan het niet", "problem"),
        ("het gaat een stuk beter", "solution"),
        ("wat zou er anders zijn als het probleem weg is", "solution"),
        ("goedemorgen", "neutral"),
    ],
)
def test_negation_and_framing(nl, text: str, orientation: str) -> None:
    assert nl.tag_one(text).orientation == orientation


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("heb je dat gemerkt", True),
        ("kun je daar iets meer over vertellen", True),
        ("wat gaat er beter", True),
        ("waaraan zou je merken dat het beter gaat", True),
        ("knap zeg hoe heb je dat gedaan", True),
        ("wat knap dat je dat gedaan hebt", False),
        ("dank je wel", False),
        ("als je wilt mag je gaan zitten", False),
        ("ik weet niet wat ik moet doen", False),
    ],
)
def test_questions_without_question_mark(nl, text: str, question: bool) -> None:
    assert nl.tag_one(text).is_question is question


def test_english_question_without_mark(en) -> None:
    assert en.tag_one("on a scale of 0 to 10 how confident are you").is_question
    assert not en.tag_one("what a great idea").is_question


def test_speaker_filters_labels(nl) -> None:
    text = "wat gaat er beter"
    assert nl.tag_one(text, "practitioner").labels == ["progress_question"]
    assert nl.tag_one(text, "client").labels == []
    assert nl.tag_one(text, None).labels == ["progress_question"]


def test_scale_answer_links_to_question(nl) -> None:
    results = nl.tag_conversation(
        [
            ("Op een schaal van 0 tot 10, hoe gemotiveerd ben je?", "practitioner"),
            ("eh zes en een half denk ik", "client"),
        ]
    )
    question, answer = results
    assert question.tags[0].label == "scale_question"
    assert question.tags[0].subtype == "motivation"
    assert answer.scale_value == 6.5
    tag = answer.tags[0]
    assert (tag.label, tag.subtype, tag.value) == ("scale_answer", "motivation", 6.5)
    assert "eh zes en een half denk ik"[tag.start_char : tag.end_char].startswith("zes")


def test_bare_number_needs_a_scale_question(nl) -> None:
    conv = [("Hoeveel kinderen heb je?", "practitioner"), ("zeven", "client")]
    assert nl.tag_conversation(conv)[-1].labels == []
    # a bare number that opens the transcript has no question to link it to: most likely a score
    assert nl.tag_one("zeven", "client").labels == ["scale_answer"]
    assert nl.tag_one("zeven", "practitioner").labels == []
    assert nl.tag_one("ik zit nu op een zeven", "client").scale_value == 7.0
    assert nl.tag_one("ik ben 6 jaar getrouwd", "client").labels == []


def test_tags_carry_rule_and_span(nl) -> None:
    text = "Knap dat je dat hebt gedaan. Hoe heb je dat voor elkaar gekregen?"
    result = nl.tag_one(text, "practitioner")
    assert {(t.label, t.subtype) for t in result.tags} == {
        ("compliment", "direct"),
        ("compliment", "indirect"),
    }
    for tag in result.tags:
        assert tag.rule.startswith("compliment.")
        assert 0 <= tag.start_char < tag.end_char <= len(text)


def test_empty_and_odd_input(nl) -> None:
    assert nl.tag_one("").orientation == "neutral"
    assert nl.tag_conversation([]) == []
    assert nl.tag_one("ÉÉN Twee", "client").orientation in ("neutral", "solution", "problem")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_negation_scope_is_negated_per_word(lang: str) -> None:
    """The one-pass scope used for polarity words and word features gives what `negated` gives per word."""
    import json
    from pathlib import Path

    from tagger import load_tagger
    from tagger.context import negated, negation_scope

    tagger = load_tagger(lang)
    ctx = tagger.component.context
    data = Path(__file__).parent / "data"
    checked = 0
    for path in (data / f"dev_{lang}.jsonl", data / "real_nl" / "dev.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            words = [t.lower_ for t in tagger.nlp.make_doc(json.loads(line)["text"].lower())]
            assert negation_scope(words, ctx) == [negated(words, i, i + 1, ctx) for i in range(len(words))]
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("lang", "text", "asks"),
    [
        ("en", "Yeah?", False),
        ("en", "It puts you at risk for a number of things, okay?", False),
        ("en", "It sounds like you feel stuck?", False),
        ("en", "It sounds like a lot, what would help?", True),
        ("en", "You drink every day?", True),
        ("en", "Do you want to stop, right?", True),
        ("nl", "Ja?", False),
        ("nl", "Je bent echt moe, hè?", False),
        ("nl", "Het klinkt alsof je vastzit?", False),
        ("nl", "Wil je stoppen?", True),
        ("nl", "Wat zou je willen, toch?", True),
    ],
)
def test_checks_and_backchannels_are_not_questions(lang: str, text: str, asks: bool) -> None:
    """A "?" after a backchannel, a tag or a reflection stem checks rather than asks, unless the sentence
    also has a question's form."""
    from tagger import load_tagger

    assert load_tagger(lang).tag_one(text, "practitioner").is_question is asks


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        # a question word followed by a subject opens a subordinate clause in a statement
        ("when you drink more than what is recommended it creates problems", False),
        ("there is no reason why you should not be able to quit", False),
        ("this medication is well tolerated, which means it has few side effects", False),
        ("what we also find is that people make small changes", False),
        # inversion after a fronted clause asks in English
        ("so if you look at it that way, do you think you could cut down", True),
        # a broken-off word keeps its meaning
        ("um what- what's on your mind today", True),
        ("does she-- have you talked to her about it", True),
        # asking without a question's form
        ("I'm wondering if you have any concerns about that", True),
        ("so tell me a little bit about what you do on Fridays", True),
        ("I wonder whether that can make things worse", False),
        # an echo question asks; checking one's own summary does not
        ("So you do this how often, right?", True),
        ("You were drinking every weekend. Is that right?", False),
    ],
)
def test_english_question_forms(en, text: str, asks: bool) -> None:
    """Forms met in real counselling talk (AnnoMI development sessions): subordinate question words, inversion
    after a comma, stutter dashes, "I wonder if you…", echo questions and summary checks."""
    assert en.tag_one(text, "practitioner").is_question is asks
