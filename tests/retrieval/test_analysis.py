from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.retrieval.analysis import Speller, concept_tokens, informal_to_formal, terms


def test_vocabulary_joins_informal_and_policy_wording() -> None:
    assert "~former" in concept_tokens("an ex-pupil") and "~former" in concept_tokens("pupils past or present")
    assert "~friend" in concept_tokens("I added him on Facebook")
    assert "~private" in concept_tokens("can I DM a learner") and "~private" in concept_tokens("one-to-one")
    assert "~dsl" in terms("report it to the Designated Safeguarding Lead")
    assert informal_to_formal("can i dm an ex pupil on insta") == (
        "can i direct message an former pupil on Instagram")


def test_speller_corrects_to_the_corpus_words_only() -> None:
    sp = Speller(["safeguarding", "whatsapp", "privacy"])
    assert sp.correct("safegaurding") == "safeguarding" or sp.correct("safguarding") == "safeguarding"
    assert sp.correct("privacy") == "privacy" and sp.correct("cat") == "cat"
    assert sp.correct_text("Is WhatsAp ok") == "Is whatsapp ok"


def test_speller_is_the_same_in_every_process() -> None:
    code = ("from bot.retrieval.analysis import Speller; "
            "print(Speller(['basis','raise','later','blame']).correct('baise'))")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(4)}
    assert len(outs) == 1


def test_everyday_staff_matters_are_recognised_in_questions_and_in_policies() -> None:
    from bot.retrieval.analysis import staff_matters_asked, staff_matters_covered

    assert staff_matters_asked("when's payday this month?") == ("pay",)
    assert staff_matters_asked("can i park outside the hall") == ("parking",)
    assert staff_matters_asked("whats the wifi password") == ("wifi",)
    assert staff_matters_asked("how many days holiday do i get a year") == ("leave",)
    # the same words about something a policy does answer are not staff matters
    assert staff_matters_asked("we've lost a child at the park on our outing") == ()
    assert staff_matters_asked("can parents take holidays in term time") == ()
    assert staff_matters_asked("who pays for school trips") == ()
    assert staff_matters_covered(["Salaries are paid on the 20th of each month.", "Staff park cars at the rear."]) \
        == {"pay", "parking"}
    assert staff_matters_covered(["Pupils may not bring phones."]) == frozenset()


@pytest.mark.parametrize(("question", "matter"), [
    ("how do i claim back mileage for the cluster meeting", "expenses"),
    ("does the school pay into a pension for support staff", "pension"),
    ("is there a cycle to work scheme", "benefits"),
    ("who do i ask to book the minibus for a trip", "transport"),
    ("how much is a school dinner for staff", "meals"),
    ("whats the code for the key safe", "codes"),
    ("whose turn is it to buy the milk", "rota"),
    ("fire alarm goes off - where's our meeting point?", "fire"),
    ("how many days paternity leave do i get?", "leave"),
    ("has anyone booked the christmas meal yet?", "social"),
])
def test_more_everyday_staff_matters(question: str, matter: str) -> None:
    from bot.retrieval.analysis import staff_matters_asked, staff_matters_covered

    assert matter in staff_matters_asked(question)
    assert staff_matters_asked("who do i tell about a pupil's dinner money going missing") == ()
    assert staff_matters_covered(["Mileage is reimbursed at the county rate."]) == {"expenses"}
    assert staff_matters_covered(["On hearing the alarm, leave by the nearest fire exit."]) == {"fire"}


def test_content_words_leave_out_contractions_typed_either_way() -> None:
    from bot.retrieval.analysis import content_words

    assert content_words("he doesn't know, isnt it? we've i've where's") == []
    assert content_words("dad's car, mum's phone") == ["dad", "car", "mum", "phone"]
    assert content_words("an ill child") == ["ill", "child"]  # "ill" is a word, not "I'll"
