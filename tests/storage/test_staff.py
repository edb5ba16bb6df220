"""The staff directory: CSV imports (header variants, clear errors by line), upserts by e-mail that never lose
stored rows, people marked left (pruned only when asked), the org file's list, and identities matched."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.reading.documents import StaffMember
from bot.storage.database import make_engine, sessions, upgrade
from bot.storage.staff import SqlStaff, StaffImportError, parse_csv

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def staff(database_url: str) -> SqlStaff:
    engine = make_engine(database_url)
    upgrade(engine)
    yield SqlStaff(sessions(engine), clock=Clock())
    engine.dispose()


def test_a_plain_export_is_read() -> None:
    rows = parse_csv("name,email,role\nAda Lovelace,Ada@Oak.sch.uk,Teacher\n\nBob Hope, bob@oak.sch.uk ,\n")
    assert [(r.name, r.email, r.role, r.line) for r in rows] == [
        ("Ada Lovelace", "ada@oak.sch.uk", "Teacher", 2), ("Bob Hope", "bob@oak.sch.uk", None, 4)]


def test_mis_header_variants_and_semicolons_are_read() -> None:
    text = "\ufeffForename;Surname;Email Address;Job Title\nAda;Lovelace;ada@oak.sch.uk;Head of Maths\n"
    (row,) = parse_csv(text)
    assert (row.name, row.email, row.role) == ("Ada Lovelace", "ada@oak.sch.uk", "Head of Maths")


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("name,phone\nAda,0123\n", "line 1: the header must name an e-mail column"),
    ("name,email\nAda,ada@oak.sch.uk\nBob,not-an-address\n", "line 3: 'not-an-address' is not an e-mail"),
    ("name,email\n,ada@oak.sch.uk\n", "line 2: no name"),
    ("name,email\nAda,\n", "line 2: no e-mail address for Ada"),
    ("name,email\nAda,ada@oak.sch.uk\nAda L,ADA@oak.sch.uk\n", "line 3: ada@oak.sch.uk is already on line 2"),
    ("name,email\nAda,ada@oak.sch.uk,extra\n", "line 2: 3 values but the header has 2 columns"),
])
def test_a_bad_file_is_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(StaffImportError, match=message.replace("(", r"\(")):
        parse_csv(text)


def test_imports_upsert_by_email_and_mark_the_missing_as_left(staff: SqlStaff) -> None:
    first = staff.import_rows("oak", parse_csv("name,email,role\nAda,ada@oak.sch.uk,Teacher\nBob,bob@oak.sch.uk,TA\n"))
    assert (first.added, first.updated, first.marked_left) == (2, 0, 0)
    staff.clock.now = T0 + timedelta(days=30)  # type: ignore[attr-defined]
    second = staff.import_rows("oak", parse_csv("name,email,role\nAda Lovelace,ADA@oak.sch.uk,Head\n"
                                                "Cy,cy@oak.sch.uk,\n"))
    assert (second.added, second.updated, second.unchanged, second.marked_left, second.pruned) == (1, 1, 0, 1, 0)
    got = {m.email: (m.name, m.role, m.left_at is not None) for m in staff.members("oak")}
    assert got == {"ada@oak.sch.uk": ("Ada Lovelace", "Head", False), "bob@oak.sch.uk": ("Bob", "TA", True),
                   "cy@oak.sch.uk": ("Cy", None, False)}
    assert [m.name for m in staff.members("oak", include_left=False)] == ["Ada Lovelace", "Cy"]
    back = staff.import_rows("oak", parse_csv("name,email\nAda Lovelace,ada@oak.sch.uk\nBob,bob@oak.sch.uk\n"
                                              "Cy,cy@oak.sch.uk\n"))
    assert (back.updated, back.unchanged) == (1, 2)  # Bob is back; Ada's role is kept when the file has none
    assert all(m.left_at is None for m in staff.members("oak"))
    assert staff.members("elm") == []  # one organisation's import never touches another's


def test_prune_deletes_only_people_who_left(staff: SqlStaff) -> None:
    staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\nBob,bob@oak.sch.uk\n"))
    result = staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\n"), prune=True)
    assert result.pruned == 1 and [m.name for m in staff.members("oak")] == ["Ada"]


def test_the_org_file_list_is_kept_beside_imports(staff: SqlStaff) -> None:
    staff.sync_org_file("oak", [StaffMember("Dee Smith", "dee@oak.sch.uk", (("slack", "U9"),)),
                                StaffMember("Eve NoMail")])
    staff.import_rows("oak", parse_csv("name,email,role\nAda,ada@oak.sch.uk,Teacher\nDee Smith,dee@oak.sch.uk,DSL\n"))
    staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\n"))  # an import does not remove org-file people
    assert {m.name: m.left_at is None for m in staff.members("oak")} == {"Ada": True, "Dee Smith": True,
                                                                           "Eve NoMail": True}
    staff.sync_org_file("oak", [StaffMember("Dee Smith", "dee@oak.sch.uk")])  # Eve taken off the org file
    assert {m.name: m.left_at is None for m in staff.members("oak")}["Eve NoMail"] is False
    assert len(staff.members("oak")) == 3


def test_identities_match_by_platform_email_and_by_later_imports(staff: SqlStaff) -> None:
    staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\n"))
    assert staff.record_lookup("oak", "slack:T1:U1", "slack", "Ada@Oak.sch.uk").name == "Ada"
    assert staff.record_lookup("oak", "teams:tid:aad-2", "teams", "bob@oak.sch.uk") is None
    assert staff.checked_at("oak", "teams:tid:aad-2") == T0
    staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\nBob,bob@oak.sch.uk\n"))
    assert staff.who("oak", "teams:tid:aad-2").name == "Bob"  # matched without asking Teams again
    assert staff.names_by_key("oak") == {"slack:T1:U1": "Ada", "teams:tid:aad-2": "Bob"}
    (ada,) = [m for m in staff.members("oak") if m.name == "Ada"]
    assert ada.keys == ("slack:T1:U1",) and ada.platforms == ("slack",)


def test_an_org_file_handle_matches_without_an_email(staff: SqlStaff) -> None:
    eve = StaffMember("Eve NoMail", None, (("telegram", "42"),))
    staff.sync_org_file("oak", [eve])
    assert staff.record_lookup("oak", "telegram::42", "telegram", None, named=eve).name == "Eve NoMail"


def test_a_one_time_code_links_only_the_account_that_asked(staff: SqlStaff) -> None:
    staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\n"))
    assert staff.issue_code("oak", "telegram::42", "nobody@oak.sch.uk") is None
    code, member = staff.issue_code("oak", "telegram::42", "ADA@oak.sch.uk")
    assert member.name == "Ada" and len(code) == 8
    assert staff.confirm_code("oak", "telegram::99", "telegram", code) is None  # someone else typing it
    assert staff.confirm_code("elm", "telegram::42", "telegram", code) is None
    assert staff.confirm_code("oak", "telegram::42", "telegram", code.lower()).name == "Ada"
    assert staff.confirm_code("oak", "telegram::42", "telegram", code) is None  # once only
    assert staff.who("oak", "telegram::42").name == "Ada"
    # a later e-mail lookup (none on Telegram) does not undo a confirmed link
    assert staff.record_lookup("oak", "telegram::42", "telegram", None).name == "Ada"


def test_an_expired_code_links_nobody(staff: SqlStaff) -> None:
    staff.import_rows("oak", parse_csv("name,email\nAda,ada@oak.sch.uk\n"))
    code, _ = staff.issue_code("oak", "telegram::42", "ada@oak.sch.uk")
    staff.clock.now = T0 + timedelta(days=2)  # type: ignore[attr-defined]
    assert staff.confirm_code("oak", "telegram::42", "telegram", code) is None


def test_migration_0010_goes_down_and_up_again(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from bot.storage.database import _alembic_config

    engine = make_engine(database_url)
    upgrade(engine)
    command.downgrade(_alembic_config(engine), "0009")
    assert "staff_members" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert {"staff_members", "staff_identities", "staff_link_codes"} <= set(inspect(engine).get_table_names())
    engine.dispose()
