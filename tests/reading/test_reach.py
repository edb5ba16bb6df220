"""Ways to reach a contact: the org file's values checked with a reason, found beside a name in a policy,
made into links."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.reading import reach
from bot.reading.contacts import people
from bot.reading.corpus import load_org


@pytest.mark.parametrize("kind, value", [
    ("email", "jo@school.example"), ("email", "jo.o'neil+dsl@mail.school.example"),
    ("phone", "01234 567890"), ("phone", "+44 (0)1234 567890"), ("phone", "(01234) 567 890"),
    ("phone", "01234 567890 ext 204"), ("slack", "U01ABCDEF"), ("slack", "W0123"),
    ("teams", "29:1AbCdEfGhIjKlMnOp"), ("teams", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
    ("telegram", "@jo_smith"), ("telegram", "jo_smith"), ("telegram", "123456789")])
def test_good_values(kind: str, value: str) -> None:
    assert reach.problem(kind, value) is None


@pytest.mark.parametrize("kind, value, says", [
    ("email", "jo@", "not an e-mail address"), ("email", "jo smith@school.example", "not an e-mail address"),
    ("email", "jo@school", "not an e-mail address"), ("email", "jo@x.example?cc=all@evil.example", "e-mail"),
    ("phone", "123", "not a phone number"), ("phone", "ring reception", "not a phone number"),
    ("phone", "0123456789012345678", "7 to 15 digits"), ("slack", "@jo", "not a Slack member id"),
    ("slack", "u01abc", "Slack member id"), ("teams", "jo@school.example", "not a Teams user id"),
    ("telegram", "@jo", "not a Telegram @username")])
def test_bad_values_say_why(kind: str, value: str, says: str) -> None:
    problem = reach.problem(kind, value)
    assert problem is not None and says in problem and repr(value) in problem


def test_links() -> None:
    assert reach.mailto("jo@school.example") == "mailto:jo@school.example"
    assert reach.tel("01234 567 890") == "tel:01234567890"
    assert reach.tel("+44 (0)1234 567890 ext 12") == "tel:+441234567890;ext=12"


def write_org(tmp_path: Path, contacts: str) -> Path:
    folder = tmp_path / "oak"
    folder.mkdir()
    (folder / "org.yaml").write_text(f"name: Oak School\ncontacts:\n{contacts}", "utf-8")
    return folder


def test_the_org_file_carries_every_way_to_reach_a_contact(tmp_path: Path) -> None:
    org = load_org(write_org(tmp_path, "  - {role: Designated Safeguarding Lead, name: Dee Lead, "
                                       "email: dee@oak.example, phone: '01234 567890', slack: U0DEE, "
                                       "teams: '29:1deeLeadTeamsId', telegram: '@dee_lead'}\n"
                                       "  - {role: Headteacher, name: Hal Head}\n"))
    dee, hal = org.people
    assert (dee.email, dee.phone, dee.how) == ("dee@oak.example", "01234 567890", "dee@oak.example")
    assert dee.handles == (("slack", "U0DEE"), ("teams", "29:1deeLeadTeamsId"), ("telegram", "@dee_lead"))
    assert (hal.email, hal.phone, hal.how, hal.handles) == (None, None, None, ())


@pytest.mark.parametrize("entry, says", [
    ("email: dee@", "contacts.0.email: Value error, 'dee@' is not an e-mail address"),
    ("phone: call me", "contacts.0.phone: Value error, 'call me' is not a phone number"),
    ("slack: '@dee'", "contacts.0.slack: Value error, '@dee' is not a Slack member id"),
    ("teams: dee", "contacts.0.teams: Value error, 'dee' is not a Teams user id"),
    ("telegram: '@d'", "contacts.0.telegram: Value error, '@d' is not a Telegram @username"),
    ("fax: '01234 567890'", "contacts.0.fax: Extra inputs are not permitted")])
def test_a_bad_value_in_the_org_file_is_refused_with_the_reason(tmp_path: Path, entry: str, says: str) -> None:
    folder = write_org(tmp_path, f"  - {{role: DSL, name: Dee Lead, {entry}}}\n")
    with pytest.raises(ConfigError) as err:
        load_org(folder)
    assert says in str(err.value) and "oak/org.yaml" in str(err.value)


def test_an_e_mail_or_phone_beside_a_name_in_a_policy_is_kept() -> None:
    found = people(["Designated Safeguarding Lead (DSL): Dave Lee, 01626 123456",
                    "SENCO\tPat McGowan\tpat.mcgowan@oak.example",
                    "Attendance Officer", "Ravi Shah", "Tel: 01234 567890",
                    "Headteacher: Jo King", "Reviewed 01/09/2023 by the governors"])
    got = {p.name: (p.email, p.phone, p.title) for p in found}
    assert got == {"Dave Lee": (None, "01626 123456", None), "Pat McGowan": ("pat.mcgowan@oak.example", None, None),
                   "Ravi Shah": (None, "01234 567890", None), "Jo King": (None, None, None)}


def test_dates_and_years_are_not_phone_numbers() -> None:
    assert reach.found_in("Approved 01/09/2023, next review 2024-2025, clause 12.3.4") == (None, None)
