from __future__ import annotations

from datetime import date

from bot.reading.dates import parse_date
from bot.reading.cleanup import clean
from bot.reading.metadata import Metadata
from bot.reading.metadata import extract as extract_blocks
from bot.reading.readers import text as text_reader
from tests.conftest import seed_text


def extract(text: str) -> Metadata:
    return extract_blocks(clean(text_reader.read("policy.txt", text.encode()).blocks))


def people(slug: str) -> dict[str, str]:
    return {p.role: p.name or "" for p in extract(seed_text(slug)).people}


def test_next_steps_contacts_review_and_approver() -> None:
    m = extract(seed_text("next-steps-ed"))
    assert m.next_review == date(2025, 12, 10)
    assert m.approver == "Mica Smith - Director"
    assert m.review_cycle == "annually"
    assert m.owner_role == "slt"
    assert people("next-steps-ed") == {"Designated Safeguarding Lead": "Mica Smith", "Deputy DSL": "Olivia Campbell",
                                       "IT Coordinator": "Olivia Campbell", "Director": "Mica Smith"}


def test_model_trust_is_to_be_replaced() -> None:
    m = extract(seed_text("model-trust"))
    assert m.replaced_on == date(2025, 9, 30)
    assert m.replaced_by and "Digi360 Model policy" in m.replaced_by
    assert m.review_cycle == "on a yearly basis"
    assert m.owner_role == "hr"
    assert m.people == ()


def test_stone_bay_table_rows_and_markdown_links() -> None:
    m = extract(seed_text("stone-bay-school"))
    assert m.approved == "September 2023" and m.approver == "Governing Board"
    assert m.review_cycle == "Annual"
    assert m.next_review == date(2024, 10, 31)  # the later of the two stated review dates
    assert m.owner_role == "headteacher"  # "Lead Staff<TAB>Head Teacher"
    found = {p.role: (p.name, p.title) for p in m.people}
    assert found["Designated Safeguarding Lead"] == ("Martyn Nash", "Head of Care")
    assert found["Headteacher"] == ("Jane Hatwell", None)
    assert found["Chair of Governing Board"] == ("Alex Krutnik", None)
    assert "Lead Staff" not in found and "Status" not in found


def test_damaged_pdf_cover_line() -> None:
    m = extract(seed_text("alternative-provision"))
    assert m.title == "Alternative Provision Social Media Policy"
    assert m.approver == "Darren Foster and Kerry Cassidy"
    assert m.approved == "June 2025"
    assert m.next_review == date(2026, 6, 30)
    assert m.owner_role == "proprietor"


def test_soke_review_date() -> None:
    m = extract(seed_text("soke-education-trust"))
    assert m.approved == "26 April 2024"
    assert m.next_review == date(2028, 4, 30)
    assert m.owner_role == "headteacher"


def test_dates_as_schools_write_them() -> None:
    assert parse_date("10th December 2025") == date(2025, 12, 10)
    assert parse_date("Sept 2025") == date(2025, 9, 30)
    assert parse_date("10/12/2025") == date(2025, 12, 10)
    assert parse_date("2025-02-01") == date(2025, 2, 1)
    assert parse_date("31/02/2025") is None
    assert parse_date("next year") is None
