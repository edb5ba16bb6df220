"""The trained safeguarding detector: its pieces as pure functions with known answers, the shipped model
kept in step with its examples, the rules deciding alone where the model does not apply, and (slow) the
real model on messages of the kinds the rules used to miss or flag wrongly."""

from __future__ import annotations

import numpy as np
import pytest

from bot.core import concern_model as cm
from bot.core.safeguarding import check_concern


def test_character_ngrams_are_taken_per_word_with_a_space_either_side() -> None:
    assert cm.char_ngrams("Hi  yo") == [" hi", "hi ", " hi ", " yo", "yo ", " yo "]
    grams = cm.char_ngrams("cut")
    assert grams == [" cu", "cut", "ut ", " cut", "cut ", " cut "]


def test_character_ngrams_match_scikit_learns_char_wb_analyser() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyse = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    for text in ("she said her STEPDAD hits her", "y9 lad w/ 2 phones & new trainers!!", "a", "ok  then\tbye"):
        assert cm.char_ngrams(text) == analyse(text)


def test_text_features_are_sublinear_tfidf_normalised_like_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    corpus = ["he hit her", "she hit the ball hit hit", "lost her coat"]
    vec = TfidfVectorizer(analyzer=cm.char_ngrams, sublinear_tf=True).fit(corpus)
    features = cm.TextFeatures({str(g): int(j) for g, j in vec.vocabulary_.items()}, vec.idf_)
    for text in ("she hit hit the coat", "unknown words only zzz"):
        expected = vec.transform([text]).toarray()[0]
        cols, vals = features.vector(text)
        got = np.zeros_like(expected)
        got[cols] = vals
        assert np.allclose(got, expected)


def test_word_ngrams_match_scikit_learns_word_analyser() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyse = TfidfVectorizer(ngram_range=(1, 2)).build_analyzer()
    for text in ("She said: her STEPDAD hits her!", "y9 lad w/ 2 phones", "a b c", "don't tell anyone"):
        assert cm.word_ngrams(text) == analyse(text)


def test_the_kernel_part_scores_as_scikit_learns_svm_and_a_saved_model_scores_the_same(tmp_path) -> None:
    from bot.core import concern_training

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    y = (vectors[:, 0] + 0.3 * vectors[:, 1] > 0).astype(np.int64)
    texts = [("she hit him" if label else "lost his coat") + f" {i}" for i, label in enumerate(y)]
    from sklearn.svm import SVC

    svm = SVC(C=3.0, gamma="scale", class_weight="balanced").fit(vectors, y)
    kernel = concern_training.fit_part(concern_training.Recipe("kernel", 1.0, 3.0), texts, vectors, y)
    assert np.allclose([kernel.raw("", v) for v in vectors], svm.decision_function(vectors), atol=1e-5)
    examples = [cm.Example(t, bool(label), "child" if label and i % 3 else ("staff" if label else "none"), "x")
                for i, (t, label) in enumerate(zip(texts, y))]
    model = concern_training.train(examples, vectors, "m", "sha")
    model.save(tmp_path / "model.npz")
    again = cm.ConcernModel.load(tmp_path / "model.npz")
    for t, v in zip(texts, vectors):
        assert np.isclose(model.concern_score(v, t), again.concern_score(v, t))
        assert np.isclose(model.about_adult(v, t), again.about_adult(v, t))
    assert (again.concern_threshold, again.net_threshold, again.adult_threshold) == (
        model.concern_threshold, model.net_threshold, model.adult_threshold)


def test_the_threshold_keeps_the_asked_recall() -> None:
    scores = np.array([0.9, 0.8, 0.4, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 1, 1, 0, 0])
    assert cm.threshold_for_recall(scores, y, 1.0) == 0.3
    assert cm.threshold_for_recall(scores, y, 0.75) == 0.4
    assert cm.threshold_for_recall(scores, y, 0.5) == 0.8


def test_the_shipped_model_was_trained_on_the_examples_as_they_are_and_on_the_bundled_model() -> None:
    from bot.retrieval.embeddings import SentenceTransformerEmbedder

    model = cm.bundled()
    assert model is not None, "bot/core/concern_model.npz is missing: python -m bot.core.concern_training"
    assert model.examples_sha == cm.examples_sha(), "examples changed: run python -m bot.core.concern_training"
    assert model.model_id == SentenceTransformerEmbedder().model_id
    assert model.net_threshold <= model.concern_threshold


def test_examples_cover_every_category_and_are_labelled_consistently() -> None:
    examples = cm.load_examples()
    assert len(examples) >= 600 and len({e.text for e in examples}) == len(examples)
    concerns = [e for e in examples if e.concern]
    assert 0.35 < len(concerns) / len(examples) < 0.65
    assert all(e.about in {"child", "staff", "head"} for e in concerns)
    assert all(e.about == "none" for e in examples if not e.concern)
    assert sum(e.about == "head" for e in concerns) >= 10
    assert {e.category for e in concerns} >= {"fgm", "forced_marriage", "upskirting", "sextortion",
                                              "cce_county_lines", "radicalisation", "private_fostering",
                                              "young_carer", "allegation_adult", "low_level_concern"}


def tiny_model(concern_bias: float, net: float) -> cm.ConcernModel:
    """A model whose score is its bias alone (all weights zero): the thresholds decide."""
    def constant(bias: float) -> cm.Ensemble:
        return cm.Ensemble((cm.Part(cm.Meaning(np.zeros(3), bias), 1.0, 1.0),), 0.0)

    return cm.ConcernModel(constant(concern_bias), net, constant(-1.0), "m", "sha")


def test_the_model_decides_and_the_rules_catch_what_it_is_unsure_of() -> None:
    vector = np.zeros(3)
    told = "a pupil told me her stepdad hits her"  # the rules flag this
    plain = "can i wear trainers on the trip"
    assert check_concern(told).flagged and not check_concern(plain).flagged
    sure = tiny_model(1.0, -0.5)
    assert cm.detect(plain, vector, "m", sure).flagged  # above the threshold: flagged, rules or not
    unsure = tiny_model(-0.2, -0.5)  # below the threshold, above the safety net's
    assert cm.detect(told, vector, "m", unsure).flagged and not cm.detect(plain, vector, "m", unsure).flagged
    assert cm.detect(told, vector, "m", unsure).about == "child"
    confident_no = tiny_model(-1.0, -0.5)  # below both: not flagged even though a rule fired
    assert not cm.detect(told, vector, "m", confident_no).flagged


def test_what_a_message_tells_is_read_apart_from_the_question_it_ends_with() -> None:
    assert cm.told_part("kid in my class says her stepdad hits her, what do I do") == \
        "kid in my class says her stepdad hits her"
    assert cm.told_part("two y6s sent nudes to each other. do i take their phones?") == \
        "two y6s sent nudes to each other"
    assert cm.told_part("what do i do") is None  # nothing told
    assert cm.told_part("can i wear trainers on the trip") is None
    seen: list[str] = []

    def encode(text: str) -> np.ndarray:
        seen.append(text)
        return np.zeros(3)

    model = tiny_model(-0.2, -0.5)  # unsure: the model alone flags nothing, the rules' net catches
    told = cm.detect_told("my pupil said her stepdad hits her, what do I do", np.zeros(3), "m", encode, model)
    assert told.flagged and seen == []  # flagged whole: the telling part is not read again
    confident_no = tiny_model(-1.0, -0.5)
    assert not cm.detect_told("a girl said her stepdad hits her, what do I do", np.zeros(3), "m", encode,
                              confident_no).flagged
    assert seen == ["a girl said her stepdad hits her"]  # read apart once, and still not flagged by this model


def test_without_a_matching_model_the_rules_decide_alone() -> None:
    model = tiny_model(1.0, -0.5)
    assert not cm.detect("can i wear trainers on the trip", np.zeros(3), "another-model", model).flagged
    found = cm.detect("a pupil told me her stepdad hits her", None, "m", model)
    assert found.flagged and found.score is None and found.about == "child"


@pytest.mark.parametrize("text, about", [
    ("the headteacher keeps a y6 girl in his office at lunch with the blinds down", "head"),
    ("our head grabbed a boy by the arm and left bruises", "head"),
    ("a TA keeps messaging a y10 girl on snapchat late at night", "staff"),
    ("she hit her head on the radiator and her dad laughed and said next time it'll be worse", "child"),
])
def test_routing_tells_the_headteacher_from_a_head_injury(text: str, about: str) -> None:
    adult = about != "child"
    assert cm._whom(text, adult) == about


CONCERNS = [  # the kinds of message the rule detector missed
    "he wrote in his english book that he wants to kill himself",
    "an older guy on snapchat keeps asking her for pics",
    "she's going abroad in the summer to be married and she doesn't want to",
    "her aunt is taking her for a special procedure to become a woman",
    "some boys have been filming up girls' skirts on the stairs",
    "a gang is threatening his family unless he carries stuff for them",
    "arrived with a black eye and said 'dad was angry'",
    "a TA has been giving a pupil lifts home and buying him presents",
]
ORDINARY = [  # and the kinds it flagged wrongly
    "can i give an upset pupil a hug",
    "can i show the class a photo of my puppy",
    "my grandad is in hospital can i leave early",
    "one of my year 9s won his boxing match at the weekend",
    "i failed my driving test again",
    "a pupil forgot his lunch what do i do",
]


TOLD_THEN_ASKED = [  # a disclosure, then a question that reads like a procedural one
    "a girl in my class says her stepdad hits her, what do I do",
    "two of my y6s have been sending nudes to each other on snapchat. do i take their phones?",
    "one of my pupils has gone really withdrawn, i think she might be self harming. do i go to the senco or the dsl?",
    "a little girl said something really worrying about home. should i ask her more questions?",
]
ASKED = [  # ordinary messages that end the same way
    "a child fell over at break and grazed her knee, what do i do",
    "caught a yr8 on his phone in maths, he was texting his mum about pick up. do i confiscate it?",
    "laptop wont connect to the projector in room 14 again, who do i log it with",
    "his mum had a baby girl last night! he wants to bring in a photo for show and tell, is that ok",
    "a parent messaged me on my personal facebook about her son's homework, what do i do with it",
    "A current pupil messaged my personal Instagram. What do I do?",
]


@pytest.mark.slow
def test_a_disclosure_that_ends_by_asking_what_to_do_is_still_flagged(real_embedder: object) -> None:
    model = cm.bundled()
    assert model is not None

    def encode(text: str) -> np.ndarray:
        return real_embedder.encode(cm.embed_texts([text]))[0]  # type: ignore[attr-defined]

    found = {t: cm.detect_told(t, encode(t), model.model_id, encode, model) for t in TOLD_THEN_ASKED + ASKED}
    assert [t for t in TOLD_THEN_ASKED if not found[t].flagged] == []
    assert [t for t in ASKED if found[t].flagged] == []
    assert found[TOLD_THEN_ASKED[0]].about == "child"


@pytest.mark.slow
def test_the_real_model_flags_concerns_phrased_without_the_rules_words(real_embedder: object) -> None:
    model = cm.bundled()
    assert model is not None
    vectors = real_embedder.encode(cm.embed_texts(CONCERNS + ORDINARY))  # type: ignore[attr-defined]
    found = [cm.detect(t, v, model.model_id, model) for t, v in zip(CONCERNS + ORDINARY, vectors)]
    assert [t for t, f in zip(CONCERNS, found) if not f.flagged] == []
    assert [t for t, f in zip(ORDINARY, found[len(CONCERNS):]) if f.flagged] == []
    assert found[CONCERNS.index("a TA has been giving a pupil lifts home and buying him presents")].about == "staff"
