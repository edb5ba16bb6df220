from __future__ import annotations

import pytest

from bot.reading.clauses import MAX_CLAUSE, Segment
from bot.reading.clauses import segment as segment_blocks
from bot.reading.cleanup import clean
from bot.reading.documents import SEP
from bot.reading.readers import text as text_reader
from bot.reading.sentences import split_long, split_sentences
from bot.reading.titles import choose_title
from tests.conftest import SLUGS, seed_text


def segment(text: str) -> tuple[str, list[Segment]]:
    """A plain-text policy through the whole reading pipeline: reader, cleanup, title, clauses."""
    blocks = clean(text_reader.read("policy.txt", text.encode()).blocks)
    title = choose_title({}, blocks, None, "policy.txt")
    return title, segment_blocks(blocks, title)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_seed_segments_into_short_clean_clauses(slug: str) -> None:
    title, clauses = segment(seed_text(slug))
    assert len(clauses) > 30
    for c in clauses:
        assert 0 < len(c.text) <= MAX_CLAUSE
        assert "Page |" not in c.text and "Page |" not in SEP.join(c.path)
        assert c.text == c.text.strip() and "  " not in c.text


def by_text(slug: str, start: str):  # type: ignore[no-untyped-def]
    _, clauses = segment(seed_text(slug))
    return next(c for c in clauses if c.text.startswith(start))


def test_bullets_keep_their_heading_and_lead_in_as_section_path() -> None:
    c = by_text("soke-education-trust", "Accept 'friend requests' from")
    assert c.kind == "bullet"
    assert c.path == ("Personal Use of Social Media by Staff", "When using social media, staff **must not**")


def test_numbered_paragraph_is_one_clause_under_its_numbered_heading() -> None:
    c = by_text("model-trust", "5.4 Employees should note")
    assert c.kind == "numbered"
    assert c.path == ("5. Acceptable use",)
    assert c.text.endswith("lesson time is not permitted.")


def test_lead_in_is_quoted_with_its_items() -> None:
    c = by_text("next-steps-ed", "All professional social media accounts")
    assert c.kind == "list"
    assert c.text.endswith("must: Be approved by the SLT. Use the official school name and branding. "
                           "Be monitored regularly for inappropriate activity.")


def test_damaged_pdf_text_gets_headings_from_its_contents_and_sentence_clauses() -> None:
    title, clauses = segment(seed_text("alternative-provision"))
    sections = {c.path[0] for c in clauses if c.path}
    assert "3. Personal use of social media by staff" in sections
    assert "6. Training and awareness" in sections
    c = by_text("alternative-provision", "These accounts are currently managed") if any(
        x.text.startswith("These accounts") for x in clauses) else next(
        x for x in clauses if "currently managed by the Proprietor" in x.text)
    assert c.path[0] == "2. Use of official social media"
    assert not any(x.text.startswith("1. Purpose and scope 2") for x in clauses)  # contents list dropped


def test_run_on_text_splits_at_sentences_and_never_rewrites() -> None:
    text = "First rule applies to everyone who works here. Second rule, e.g. this one, is longer than forty chars."
    assert split_sentences(text) == ["First rule applies to everyone who works here.",
                                     "Second rule, e.g. this one, is longer than forty chars."]
    long = " ".join(["Staff must not post images of pupils online"] * 20)
    pieces = split_long(long, 600)
    assert all(len(p) <= 600 for p in pieces)
    assert " ".join(pieces) == long


def test_page_furniture_is_removed_before_segmentation() -> None:
    _, clauses = segment("Policy\n\nPage | 2 Staff must report concerns to the DSL.\n\n3\n\nMore text here.")
    assert [c.text for c in clauses] == ["Staff must report concerns to the DSL.", "More text here."]
