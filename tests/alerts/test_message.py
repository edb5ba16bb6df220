"""The wording of an alert: everything the DSL needs to act, and never the question."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from bot.alerts import Alert, alert_text
from bot.alerts.message import subject_of
from tests.alerts.conftest import ALERT, QUESTION, alert

FIRST = """A safeguarding concern was raised at Stone Bay School.
When: Saturday 21 November 2026 at 10:00 GMT (UK time)
Raised via: Slack
Raised by: Jo Bloggs (slack:T_STONE:U9)
About: a child
Why it was flagged: physical abuse
Open it: https://policybot.stonebay.example/admin/concerns/c-17
The question itself is not included in this message: read it on the dashboard and mark it as seen."""


def test_a_first_alert_says_where_when_how_who_about_whom_why_and_links() -> None:
    assert alert_text(ALERT) == FIRST


def test_a_repeat_starts_by_saying_it_is_a_reminder_because_nobody_marked_it_seen() -> None:
    first_line, rest = alert_text(alert(repeat=2)).split("\n", 1)
    assert first_line == ("REMINDER (3rd alert): this concern has not been marked as seen yet, "
                          "so it is being raised again.")
    assert rest == FIRST
    assert alert_text(alert(repeat=1)).startswith("REMINDER (2nd alert)")
    assert alert_text(alert(repeat=10)).startswith("REMINDER (11th alert)")
    assert subject_of(alert(repeat=1)) == "Reminder: Safeguarding concern raised at Stone Bay School"
    assert subject_of(ALERT) == "Safeguarding concern raised at Stone Bay School"


def test_it_says_whom_the_concern_is_about() -> None:
    assert "About: the headteacher" in alert_text(alert(about="head"))
    assert "About: an adult who works with children" in alert_text(alert(about="staff"))
    assert "About: a child" in alert_text(alert(about="child"))


def test_the_time_is_uk_local_time_in_summer_too() -> None:
    summer = alert(raised_at=datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc))
    assert "When: Thursday 2 July 2026 at 00:30 BST (UK time)" in alert_text(summer)


def test_each_channel_and_a_missing_raiser_or_link_read_plainly() -> None:
    assert "Raised via: Microsoft Teams" in alert_text(alert(channel="teams"))
    assert "Raised via: Telegram" in alert_text(alert(channel="telegram"))
    assert "Raised via: the web chat" in alert_text(alert(channel="web"))
    text = alert_text(alert(raiser="", link=""))
    assert "Raised by: not known" in text
    assert "Open it on the policybot dashboard (Concerns)." in text
    assert "http" not in text


def test_an_org_name_with_line_breaks_still_makes_a_one_line_subject() -> None:
    assert subject_of(alert(org_name="Stone Bay\r\nBcc: x@y.example")) == (
        "Safeguarding concern raised at Stone Bay Bcc: x@y.example")


def test_an_alert_has_no_place_for_the_question_and_never_shows_it() -> None:
    """The question is kept off the alert by design: no field can carry it, so no wording can show it."""
    names = {f.name for f in dataclasses.fields(Alert)}
    assert not names & {"question", "text", "message", "body"}
    for variant in (ALERT, alert(repeat=3), alert(about="head", raiser="", link="")):
        assert QUESTION not in alert_text(variant)
        assert "stepdad" not in alert_text(variant)
