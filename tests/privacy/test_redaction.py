"""redact(): personal data out of staff questions, policy vocabulary left alone."""

from __future__ import annotations

import random
import time

import pytest

from bot.privacy import names
from bot.privacy.redaction import _redaction_spans, redact
from tests.privacy.labelled import LABELLED, parse, score

ROLE_HOLDERS = ["Martyn Nash", "Jane Hatwell", "Stone Bay School"]

# (question, what the log should store)
REDACTED = [
    # pupils, parents and staff by full name, first name, title
    ("A pupil called Jayden Okafor in 8B told me his stepdad hits him, what do I do?",
     "A pupil called [name] in 8B told me his stepdad hits him, what do I do?"),
    ("Can I accept a friend request from Chloe Baker who left in July?",
     "Can I accept a friend request from [name] who left in July?"),
    ("Olivia's mum emailed me at sarah.jones@gmail.com", "[name]'s mum emailed me at [email]"),
    ("Mrs Kowalski rang me from 07700 900123", "[name] rang me from [phone]"),
    ("He lives at 14 Elm Road, Leeds LS6 2AB", "He lives at [address], Leeds [postcode]"),
    ("Can I tell Olivia's mum?", "Can I tell [name]'s mum?"),
    ("Is it OK to message Mrs Patel's son on Teams?", "Is it OK to message [name]'s son on Teams?"),
    ("mrs patel wants a meeting about the trip", "[name] wants a meeting about the trip"),
    ("Miss Hughes and Mr. O'Connor both saw it", "[name] and [name] both saw it"),
    ("Dr Evans from CAMHS phoned about a pupil", "[name] from CAMHS phoned about a pupil"),
    ("Our cover supervisor Jamie Smith posts about pupils on TikTok",
     "Our cover supervisor [name] posts about pupils on TikTok"),
    ("Parent Sarah Jones wants my personal number", "Parent [name] wants my personal number"),
    # names after pupil/child/called/named, lower case in context
    ("a pupil called jayden told me about his stepdad", "a pupil called [name] told me about his stepdad"),
    ("the boy named will said he was scared to go home", "the boy named [name] said he was scared to go home"),
    ("A girl called Grace Baker in 9C is being bullied", "A girl called [name] in 9C is being bullied"),
    ("what do i do if chloe's mum messages me on facebook", "what do i do if [name]'s mum messages me on facebook"),
    ("My student Amelia-Rose Smith-Jones posted a video", "My student [name] posted a video"),
    ("A boy named Chidi keeps asking for my Snapchat", "A boy named [name] keeps asking for my Snapchat"),
    # possessives and words that are names only in context
    ("Tom's dad keeps turning up at the gate", "[name]'s dad keeps turning up at the gate"),
    ("Mark's mum wants me to mark homework", "[name]'s mum wants me to mark homework"),
    ("I hope Will's parents know", "I hope [name]'s parents know"),
    ("Will told me he has been self-harming", "[name] told me he has been self-harming"),
    ("April's mum asked about the April trip", "[name]'s mum asked about the April trip"),
    ("Is Grace in 8B allowed to use TikTok?", "Is [name] in 8B allowed to use TikTok?"),
    ("Tell Grace's dad to ring the office", "Tell [name]'s dad to ring the office"),
    ("Siobhan O'Neill's brother messaged me on Instagram", "[name]'s brother messaged me on Instagram"),
    ("James' mum wants his password", "[name]' mum wants his password"),
    ("Summer in my form met someone from Roblox", "[name] in my form met someone from Roblox"),
    # lists of names, initials, unlisted names in context
    ("Can I give Tom and Jack a lift home?", "Can I give [name] and [name] a lift home?"),
    ("Jayden, Olivia and Kacper were on the bus", "[name], [name] and [name] were on the bus"),
    ("If Poppy and Isla post pictures of Ms Carter on TikTok", "If [name] and [name] post pictures of [name] on TikTok"),
    ("Jamie S in 10B posted a video", "[name] in 10B posted a video"),
    ("Mohammed in Year 8 asked to follow me", "[name] in Year 8 asked to follow me"),
    ("Chidi told me someone is messaging him", "[name] told me someone is messaging him"),
    ("Who should I tell about Maisie's posts about self-harm?", "Who should I tell about [name]'s posts about self-harm?"),
    ("Esme's dad Rhys Morgan keeps emailing me at weekends", "[name]'s dad [name] keeps emailing me at weekends"),
    ("Can I add the Okafor family on Facebook?", "Can I add the [name] family on Facebook?"),
    ("Hi Sarah, can I post this?", "Hi [name], can I post this?"),
    ("Zoë and José were in the photo", "[name] and [name] were in the photo"),
    ("OLIVIA SMITH rang me about the trip", "[name] rang me about the trip"),
    ("Amy - year 9 - told me something", "[name] - year 9 - told me something"),
    ('"Tom hit me" she said', '"[name] hit me" she said'),
    # social-media accounts name their owner
    ("She follows @jamie_smith99 on insta", "She follows [name] on insta"),
    ("See https://www.instagram.com/olivia.smith/ for the post", "See https://www.instagram.com/[name]/ for the post"),
    # phones, e-mails, addresses, postcodes
    ("Call me on 07700900123 please", "Call me on [phone] please"),
    ("Ring 07700 900 123 after 5", "Ring [phone] after 5"),
    ("Her dad's number is +44 (0)7700 900123", "Her dad's number is [phone]"),
    ("Numbers: +44 7700 900123, 01632 960 001 and (020) 7946 0018",
     "Numbers: [phone], [phone] and [phone]"),
    ("He gave me +1 202 555 0147 on the trip", "He gave me [phone] on the trip"),
    ("Email jamie.smith99@hotmail.co.uk about it", "Email [email] about it"),
    ("She lives at 7 mill lane with her nan", "She lives at [address] with her nan"),
    ("Flat 3, 45 High Street, b33 8th - is that in catchment?", "[address], [postcode] - is that in catchment?"),
    ("Flat 2b, 10-12 Station Road, Leeds", "[address], Leeds"),
    ("The address is 12 Acacia Avenue, M1 1AE", "The address is [address], [postcode]"),
    ("Postcodes SW1A 1AA and sw1a1aa", "Postcodes [postcode] and [postcode]"),
]

UNCHANGED = [
    "Can I use WhatsApp with Year 11 parents?",
    "Who is the Designated Safeguarding Lead?",
    "What does section 4.2 say about Facebook?",
    "May I post photos of the sports day on 12 June 2024?",
    "Will the Head of Year see my messages on Teams?",
    "Can I mark homework on my personal laptop?",
    "Should the SENCO be copied in to emails about EHCPs?",
    "What does KCSIE say about online safety in September?",
    "Is April half term covered by the social media policy?",
    "Can I sue the school if a parent defames me on Instagram?",
    "Do we have a frank and open culture about reporting?",
    "I hope the DSL reads this before Monday",
    "Grace period for coursework: can I extend it?",
    "Is there a Grace Period for returning laptops before Easter?",
    "Does the Early Help team need consent?",
    "Christian pupils and Muslim pupils during Ramadan",
    "What is Ofsted's view on KCSIE?",
    "Kent County Council says we must report it",
    "What about Rose Hill Primary School?",
    "Ofsted came on Monday, can I post about it on Snapchat?",
    "Can the SLT see my TikTok?",
    "Year 9 trip on 12/06/2024 at 09:30",
    "Section 4.2 of policy 07-2023 says pupils aged 11 to 16",
    "In 2023-2024 there were 1200 pupils on roll",
    "Can I bring 2 pupils on a walk to the park?",
    "Is England covered, or the whole UK?",
    "Can Year 12s use Discord for revision with staff in March?",
    "Does the policy say anything about Mark Schemes being posted online?",
    "Is it ok for staff to follow pupils on Instagram after they leave in June?",
    "What should I do if I receive a friend request from a former pupil?",
    "Is the Childline number 0800 1111 ok to share?",
    "Bill payers: can I add parents on LinkedIn?",
    "Can I use MS Teams or Google Classroom with Year 7?",
    "Parents evening is on 14 March at 6pm in the Main Hall",
    "St Mary's Academy uses ClassDojo",
    "I've got a question about the Summer Term trip, what's the policy?",
    "Can the organisation's staff use personal phones on trips?",
]


@pytest.fixture(scope="module", autouse=True)
def _lexicon() -> None:
    names.load()


@pytest.mark.parametrize(("question", "stored"), REDACTED)
def test_personal_data_becomes_placeholders(question: str, stored: str) -> None:
    assert redact(question) == stored


@pytest.mark.parametrize("question", UNCHANGED)
def test_policy_questions_without_personal_data_are_unchanged(question: str) -> None:
    assert redact(question) == question


@pytest.mark.parametrize(("question", "stored"), [
    ("Should I tell Martyn Nash or Mr Nash?", "Should I tell Martyn Nash or Mr Nash?"),
    ("should i tell MARTYN NASH about Jamie?", "should i tell MARTYN NASH about [name]?"),
    ("Jane Hatwell said Olivia Smith can't go", "Jane Hatwell said [name] can't go"),
    ("Staff at Stone Bay School and Kerry Cassidy", "Staff at Stone Bay School and [name]"),
    ("Martyn Nashville is not Martyn Nash", "[name] is not Martyn Nash"),
])
def test_kept_names_stay_as_whole_words_in_any_case(question: str, stored: str) -> None:
    assert redact(question, keep=ROLE_HOLDERS) == stored


def test_keep_accepts_any_iterable_and_ignores_blanks() -> None:
    assert redact("Ask Martyn Nash", keep=iter(["  ", "Martyn Nash"])) == "Ask Martyn Nash"
    assert redact("Ask Martyn Nash", keep=[""]) == "Ask [name]"


def _samples() -> list[str]:
    rng = random.Random(7)
    parts = [q for q, _ in REDACTED] + UNCHANGED + [parse(m).text for m in LABELLED]
    return parts + [rng.choice((" ", "\n")).join(rng.sample(parts, 3)) for _ in range(150)]


def test_redaction_is_idempotent() -> None:
    for text in _samples():
        once = redact(text, keep=ROLE_HOLDERS)
        assert redact(once, keep=ROLE_HOLDERS) == once, text


def test_text_without_personal_data_is_never_lengthened() -> None:
    rng = random.Random(11)
    for _ in range(200):
        text = "\n".join(rng.sample(UNCHANGED, 2))
        assert redact(text) == text and len(redact(text)) <= len(text)


def test_names_in_the_labelled_questions_are_caught_and_few_words_are_taken_for_names() -> None:
    found = {m: [(a, b) for a, b, p in _redaction_spans(parse(m).text) if p == "[name]"] for m in LABELLED}
    result = score(found)
    assert result.names >= 90
    assert result.caught / result.names >= 0.93, result.missed_examples
    assert result.over <= 3, result.over_examples


def test_a_question_takes_well_under_two_milliseconds() -> None:
    questions = [parse(m).text for m in LABELLED] * 11
    redact(questions[0])
    start = time.perf_counter()
    for q in questions:
        redact(q)
    # The measured mean is ~0.1 ms; the bound only catches a pathological regex or lookup.
    assert (time.perf_counter() - start) / len(questions) < 0.002


@pytest.mark.parametrize("typed, expected", [
    ("Amelia's DOB 03/04/2012, what do I do", "[dob]"),
    ("his d.o.b. is 3 April 2012", "his d.o.b. is [dob]"),
    ("her date of birth: 3rd march 2013", "her date of birth: [dob]"),
    ("born on 2012-04-03", "born on [dob]"),
    ("UPN A123456789012 is in my class", "UPN [upn] is in my class"),
    ("the pupil K123456789012 again", "the pupil [upn] again"),
    ("ULN: 1234567890 please", "ULN: [upn] please"),
])
def test_dates_of_birth_and_pupil_numbers_are_redacted(typed: str, expected: str) -> None:
    out = redact(typed)
    assert expected in out and redact(out) == out


def test_ordinary_dates_and_numbers_are_left_alone() -> None:
    for text in ("the trip on 12/03/2025 at 10:30", "section 4.2 of the policy", "year 9 from 2019-2024"):
        assert redact(text) == text
