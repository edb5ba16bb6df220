"""Induction: key points, the walkthrough, acknowledgements per version, re-acknowledgement after an edit,
group sessions, and one organisation's people never seeing another's pack."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.core.chat import Sender
from bot.core.induction import MOVED_ON, OVERDUE_NOTE, overdue_version_date
from bot.core.induction_audience import for_pupils_or_parents, report_recipients
from bot.core.induction_pack import changes, key_points, obligation_strength
from bot.reading.corpus import load_corpus
from bot.reading.documents import Clause
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from tests.conftest import CORPUS, built_runtime, logged_entries, map_platforms

TG = Sender("telegram", "4242", workspace="4242", display_name="Tess Telegram")


def _clause(n: int, text: str, section: str = "1. Rules") -> Clause:
    return Clause(id=f"d#{n}", org="o", source="o/d.txt", document="D", section=section, text=text)


def test_key_points_prefer_prohibitions_spread_over_sections_in_document_order() -> None:
    clauses = [_clause(0, "This policy explains how we use social media in school."),
               _clause(1, "Staff should consider their privacy settings carefully.", "2. Privacy"),
               _clause(2, "Staff must not accept friend requests from pupils on any platform."),
               _clause(3, "Staff must report any contact from pupils to the DSL promptly.", "3. Reporting"),
               _clause(4, "Staff must never share pupils' images on personal accounts."),
               _clause(5, "Staff must not post about colleagues in a way that brings the school into disrepute.")]
    assert obligation_strength(clauses[2].text) == 2 and obligation_strength(clauses[3].text) == 1
    picked = key_points(clauses, limit=3)
    assert [c.id for c in picked] == ["d#2", "d#3", "d#4"]  # the route, then two from "1. Rules" at most, in order
    assert [c.id for c in key_points(clauses, limit=4)] == ["d#2", "d#3", "d#4"]  # d#5: a third from "1. Rules"
    chosen = key_points(clauses, chosen=["PRIVACY settings", "report any contact"])
    assert [c.id for c in chosen] == ["d#1", "d#3"]


# Rules written for pupils or parents, in several phrasings: never a key point of a staff induction.
FOR_PUPILS_OR_PARENTS = [
    ("Learners must not attempt to connect with staff through personal accounts.", "2. Conduct"),
    ("Pupils should never bring mobile phones into lessons.", "2. Conduct"),
    ("All students are expected to follow the acceptable use agreement at all times.", "2. Conduct"),
    ("Parents should not post photographs of other children taken at school events.", "2. Conduct"),
    ("Parents/carers must inform the office by 9am if their child is absent.", "2. Conduct"),
    ("Children are not allowed to bring toys or sweets from home.", "2. Conduct"),
    ("The use of personal devices during the school day is not permitted for pupils.", "2. Conduct"),
    ("We expect parents and carers to follow the same guidance when they post online.", "2. Conduct"),
    ("If parents are unable to collect their child on time, they must telephone the setting.", "2. Conduct"),
    ("Cyberbullying of any kind is strictly prohibited and will result in sanctions.", "5. Learner expectations"),
    ("Mobile phones must be handed in at the start of the day.", "6. Pupils' use of mobile phones"),
    ("Accounts must not be used to harass others.", "7. Personal use of social media by pupils"),
    ("not to meet online friends without a trusted adult present.", "8. E-safety › Pupils will be taught"),
]
# Staff rules that mention pupils or parents without being written for them.
FOR_STAFF = [
    "Any messages from parents received on personal accounts must be reported to the DSL.",
    "Staff must not add pupils or their parents as friends on personal social media.",
    "All members of staff are advised not to communicate with pupils' family members on personal accounts.",
    "Photographs of pupils must not be posted without written parental consent.",
    "Children must never be left unsupervised in the garden.",
    "When a parent raises a concern, staff must pass it to the headteacher the same day.",
]


@pytest.mark.parametrize(("text", "section"), FOR_PUPILS_OR_PARENTS)
def test_rules_for_pupils_or_parents_are_recognised(text: str, section: str) -> None:
    assert for_pupils_or_parents(_clause(0, text, section))


@pytest.mark.parametrize("text", FOR_STAFF)
def test_staff_rules_that_mention_pupils_or_parents_are_not_taken_for_theirs(text: str) -> None:
    assert not for_pupils_or_parents(_clause(0, text, "4. Communicating with learners and their families"))


@pytest.mark.parametrize(("text", "told"), [
    ("Any communication from parents on personal accounts will be reported to the DSL and the headteacher.",
     ("dsl", "headteacher")),
    ("Staff must inform their line manager immediately of any contact from a former pupil.", ("line_manager",)),
    ("If you are worried about a child, speak to the Designated Safeguarding Lead before you go home.", ("dsl",)),
    ("Concerns about a colleague should be raised with the headteacher.", ("headteacher",)),
    ("The designated person is informed of the issue at the earliest opportunity.", ("dsl",)),
    ("Defective equipment will be reported to the health and safety co-ordinator.", ("health_safety",)),
    ("A concern about the headteacher is passed on to the Chair of Governors.", ("chair",)),
    ("Staff must report any concerns promptly.", ()),  # says to report, not to whom
    ("The DSL will respond to concerns in line with the child protection policy.", ()),  # nobody is told
])
def test_reporting_routes_say_whom_to_tell(text: str, told: tuple[str, ...]) -> None:
    assert report_recipients(_clause(0, text)) == told


def test_key_points_include_a_route_and_no_pupil_or_parent_rule() -> None:
    """A made-up policy where the old selection (strongest wording first) picked the pupils' rules and
    skipped both the route and the friends rule, which are softly worded."""
    clauses = [_clause(0, "Pupils must never share their passwords with anyone.", "1. Pupils' responsibilities"),
               _clause(1, "Pupils must not use personal devices in lessons under any circumstances.",
                       "1. Pupils' responsibilities"),
               _clause(2, "Parents should not post images of other children on social media.", "2. Parents"),
               _clause(3, "Parents must not contact staff on their personal accounts.", "2. Parents"),
               _clause(4, "Staff are advised not to add current pupils as friends on personal accounts.", "3. Staff"),
               _clause(5, "A message from a parent on a personal account is passed on to the DSL the same day.",
                       "3. Staff"),
               _clause(6, "Staff should keep their profiles private.", "3. Staff")]
    picked = [c.id for c in key_points(clauses, limit=3)]
    assert picked == ["d#4", "d#5"]  # d#6 is no obligation the wording shows: two points are all there is
    assert "d#5" in [c.id for c in key_points(clauses, limit=1)]  # one point: the route


@pytest.mark.parametrize("org", ["stone-bay-school", "next-steps-ed", "model-trust", "alternative-provision",
                                 "soke-education-trust"])
def test_the_bundled_policies_key_points_tell_whom_to_report_to_and_skip_pupils_rules(org: str) -> None:
    corpus = load_corpus(CORPUS)
    [doc] = [d for d in corpus.documents if d.org == org]
    points = key_points([c for c in corpus.clauses if c.source == doc.source])
    assert any(report_recipients(c) for c in points)
    assert not any(for_pupils_or_parents(c) for c in points)
    assert not any(re.match(r"(?:the use of .* )?(?:learners|pupils|students|parents)\b", c.text, re.I)
                   for c in points)  # read plainly, too: no point starts with pupils or parents


def test_stone_bay_key_points_are_the_reporting_route_and_the_friends_rule_not_the_learners() -> None:
    corpus = load_corpus(CORPUS)
    [doc] = [d for d in corpus.documents if d.org == "stone-bay-school"]
    texts = [c.text for c in key_points([c for c in corpus.clauses if c.source == doc.source])]
    assert any("will be reported to the DSL" in t for t in texts)
    assert any("as 'friends'" in t for t in texts)
    assert not any("not permitted for learners" in t for t in texts)


def test_changes_tell_added_removed_and_reworded() -> None:
    diff = changes(["Staff must not add pupils.", "Report to the DSL.", "Old rule about MySpace."],
                   ["Staff must not add pupils or ex-pupils.", "Report to the DSL.", "New rule about TikTok live."])
    assert diff.reworded == (("Staff must not add pupils.", "Staff must not add pupils or ex-pupils."),)
    assert diff.added == ("New rule about TikTok live.",) and diff.removed == ("Old rule about MySpace.",)
    assert diff.summary == "1 added, 1 removed, 1 reworded"


def _configure(corpus: Path) -> None:
    map_platforms(corpus)
    path = corpus / "stone-bay-school" / "org.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["induction"] = {"max_points": 2, "policies": [{
        "file": "social-media-policy.txt",
        "statements": [{"text": "I may accept a friend request from a current pupil.", "true": False}]}]}
    spec["staff"] = [{"name": "Tess Teacher", "telegram": 4242}, {"name": "Olu Outstanding", "email": "o@x.example"}]
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, _configure) as rt:
        yield rt


def _walk_to_the_end(rt: Runtime, sender: Sender) -> list[str]:
    assert rt.chat is not None
    titles = [rt.chat.handle(sender, "/induction").step.title]  # type: ignore[union-attr]
    for action in ("next", "back", "next", "next", "false", "ack"):
        reply = rt.chat.induction_action(sender, action)
        assert reply.step is not None
        titles.append(reply.step.title + " | " + reply.step.text)
    return titles


def test_the_walkthrough_records_an_acknowledgement_of_this_version(runtime: Runtime) -> None:
    titles = _walk_to_the_end(runtime, TG)
    assert titles[0] == "Social Media Policy — key point 1 of 2"
    assert titles[1].startswith("Social Media Policy — key point 2 of 2")
    assert titles[2].startswith("Social Media Policy — key point 1 of 2")  # Back
    assert titles[4].startswith("Social Media Policy — quick check")
    assert "Right: that statement is false" in titles[5] and "acknowledgement" in titles[5]
    assert titles[6].startswith("Induction complete")
    [ack] = SqlAcknowledgements(runtime.db).for_org("stone-bay-school")
    doc = runtime.service.documents[ack.source]
    assert (ack.person_name, ack.version_hash, ack.channel) == ("Tess Teacher", doc.sha256, "telegram")
    assert runtime.chat is not None
    again = runtime.chat.handle(TG, "/induction")
    assert again.step is not None and "up to date" in again.step.text


def test_a_question_during_induction_is_tagged_and_the_walk_resumes(runtime: Runtime) -> None:
    assert runtime.chat is not None
    runtime.chat.handle(TG, "/induction")
    assert "Type your question" in runtime.chat.induction_action(TG, "ask").text
    reply = runtime.chat.handle(TG, "who is the designated safeguarding lead?")
    assert reply.answer is not None and reply.step is not None and "key point 1" in reply.step.title
    assert logged_entries(runtime.settings.database_url)[-1].context == "induction"
    plain = runtime.chat.handle(TG, "who is the designated safeguarding lead?")
    assert plain.step is None and logged_entries(runtime.settings.database_url)[-1].context is None


def test_a_group_session_tags_everyones_questions_in_the_room(runtime: Runtime) -> None:
    assert runtime.chat is not None
    trainer = Sender("slack", "UTRAINER", workspace="T_STONE")
    started = runtime.chat.handle(trainer, "/induction session")
    assert started.kind == "induction" and "session started" in started.text
    runtime.chat.handle(Sender("slack", "UNEW", workspace="T_STONE"), "can I post photos of pupils?")
    context = logged_entries(runtime.settings.database_url)[-1].context
    assert context is not None and context.startswith("session:")
    runtime.chat.handle(trainer, "/induction end")
    runtime.chat.handle(Sender("slack", "UNEW", workspace="T_STONE"), "can I post photos of pupils?")
    assert logged_entries(runtime.settings.database_url)[-1].context is None


def test_after_a_policy_edit_people_are_asked_to_acknowledge_again(runtime: Runtime) -> None:
    _walk_to_the_end(runtime, TG)
    policy = runtime.settings.corpus_dir / "stone-bay-school" / "social-media-policy.txt"
    text = policy.read_text("utf-8")
    policy.write_text(text.replace("is not permitted", "is never permitted") +
                      "\n\n12. New rules\nStaff must not livestream lessons on TikTok.\n", "utf-8")
    runtime.reindex()
    assert runtime.chat is not None
    reply = runtime.chat.handle(TG, "who is the DSL?")
    assert "Social Media Policy has changed since you acknowledged it" in reply.notice
    assert "added" in reply.notice and "reworded" in reply.notice
    assert "added “Staff must not livestream lessons on TikTok.”" in reply.notice  # what changed, not just how many
    assert runtime.chat.handle(TG, "who is the DSL?").notice == ""  # told once
    restart = runtime.chat.handle(TG, "/induction")
    assert restart.step is not None and "key point 1" in restart.step.title  # the new version to acknowledge


def test_other_organisations_cannot_walk_or_acknowledge_this_ones_policies(runtime: Runtime) -> None:
    assert runtime.chat is not None
    other = Sender("telegram", "5151", workspace="5151")  # Next Steps Ed
    step = runtime.chat.handle(other, "/induction").step
    assert step is not None and step.passage is not None and step.passage.org == "next-steps-ed"
    stranger = Sender("telegram", "999", workspace="999")
    assert runtime.chat.handle(stranger, "/induction").kind == "refused"
    assert runtime.chat.induction_action(stranger, "ack").kind == "refused"
    assert all(a.org != "stone-bay-school" for a in SqlAcknowledgements(runtime.db).for_org("stone-bay-school")
               if a.person_key != TG.key)


def test_the_register_counts_acknowledged_outstanding_and_older_versions(runtime: Runtime) -> None:
    assert runtime.chat is not None
    runtime.chat.handle(Sender("telegram", "777", workspace="777"), "hello")  # not staff, not mapped: refused
    [before] = runtime.register("stone-bay-school")
    assert before.acknowledged == () and set(before.outstanding) == {"Tess Teacher", "Olu Outstanding"}
    _walk_to_the_end(runtime, TG)
    [after] = runtime.register("stone-bay-school")
    assert [a[0] for a in after.acknowledged] == ["Tess Teacher"] and after.outstanding == ("Olu Outstanding",)
    policy = runtime.settings.corpus_dir / "stone-bay-school" / "social-media-policy.txt"
    policy.write_text(policy.read_text("utf-8") + "\n\n12. New\nStaff must not livestream lessons.\n", "utf-8")
    runtime.reindex()
    [edited] = runtime.register("stone-bay-school")
    assert edited.acknowledged == () and [o[0] for o in edited.older] == ["Tess Teacher"]
    assert set(edited.outstanding) == {"Tess Teacher", "Olu Outstanding"}
    assert runtime.register("next-steps-ed")[0].acknowledged == ()  # another school's register is its own


def test_slt_can_remind_outstanding_people_at_their_next_message(runtime: Runtime) -> None:
    assert runtime.chat is not None
    runtime.chat.handle(TG, "who is the DSL?")  # Tess has been seen, has not done induction
    assert runtime.remind_outstanding("stone-bay-school") == 1
    reminded = runtime.chat.handle(TG, "who is the DSL?")
    assert "complete your induction" in reminded.notice
    assert runtime.chat.handle(TG, "who is the DSL?").notice == ""  # once


def test_an_overdue_policy_is_flagged_before_it_is_acknowledged_and_the_register_says_so(runtime: Runtime) -> None:
    """Stone Bay's policy says its next review was October 2024; the test runtime's today is later."""
    titles = _walk_to_the_end(runtime, TG)
    ack_step = titles[5]
    assert "This policy was due for review on October 2024; tell Jane Hatwell (Headteacher)" in ack_step
    assert all("due for review" not in t for t in titles[:5])  # the key points themselves are not cluttered
    [row] = SqlAcknowledgements(runtime.db).for_org("stone-bay-school")
    assert row.version_date is not None and OVERDUE_NOTE in row.version_date and "October 2024" in row.version_date
    assert len(row.version_date) <= 100


@pytest.fixture
def current_runtime(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, _configure, today=date(2024, 9, 1)) as rt:  # before the review date
        yield rt


def test_a_policy_still_current_is_acknowledged_without_a_warning(current_runtime: Runtime) -> None:
    titles = _walk_to_the_end(current_runtime, TG)
    assert "acknowledgement" in titles[5] and "due for review" not in titles[5]
    [row] = SqlAcknowledgements(current_runtime.db).for_org("stone-bay-school")
    assert row.version_date is not None and OVERDUE_NOTE not in row.version_date


def test_the_overdue_note_fits_the_registers_column_and_keeps_the_date_first() -> None:
    assert overdue_version_date("September 2023", "October 2024") == \
        f"September 2023; {OVERDUE_NOTE} (due October 2024)"
    long = overdue_version_date("x" * 300, "October 2024")
    assert len(long) == 100 and long.endswith(f"{OVERDUE_NOTE} (due October 2024)")
    assert overdue_version_date(None, "31 October 2024") == f"{OVERDUE_NOTE} (due 31 October 2024)"


def test_a_press_with_an_older_steps_token_changes_nothing(runtime: Runtime) -> None:
    assert runtime.chat is not None
    first = runtime.chat.handle(TG, "/induction").step
    assert first is not None and first.token
    second = runtime.chat.induction_action(TG, "next", first.token).step
    assert second is not None and "key point 2 of 2" in second.title and second.token != first.token
    stale = runtime.chat.induction_action(TG, "next", first.token)  # the first card's Next, pressed again
    assert stale.step == MOVED_ON and "moved on" in stale.text
    assert runtime.chat.induction_action(TG, "ack", first.token).step == MOVED_ON
    check = runtime.chat.induction_action(TG, "next", second.token).step  # still at point 2: on to the check
    assert check is not None and "quick check" in check.title
    assert SqlAcknowledgements(runtime.db).for_org("stone-bay-school") == []
    untokened = runtime.chat.induction_action(TG, "back")  # platforms without tokens: applied where it is
    assert untokened.step is not None and "key point 2 of 2" in untokened.step.title
