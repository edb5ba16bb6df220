"""The Markdown reader: blocks with levels, depths and markers, and front matter as properties."""

from __future__ import annotations

import pytest

from bot.errors import DocumentError
from bot.reading.blocks import Block, row
from bot.reading.readers.markdown import read

POLICY = """\
---
title: Online Safety Policy
adopted: 2024-09-02
Review date: 2025-09-01
signed-by: Ada Lovell (Chair of Governors)
---
# Online Safety Policy #

Statement of intent
===================

This policy sets out how Fernhill Primary keeps pupils safe online and builds a
_culture of safety_ in which **every** adult knows what to do. Concerns go to
[Tom Birch](/staff/tom-birch.html), our online safety lead.

## Responsibilities

* Staff must report concerns on the day
  they arise, using `MyConcern`.
* Staff must not:
    * befriend pupils on social media;
    * use personal devices to photograph pupils.
- The headteacher reviews the log each term.

1. Filtering is checked weekly.
2. Monitoring alerts go to the DSL.

| Role | Name | Contact |
|------|------|---------|
| Online safety lead | Tom Birch | t.birch@fernhill.example |
| DSL | [Priya Shah](mailto:p.shah@fernhill.example) | Ext. 214 |

> Report any concern, however small.
> Nobody is too busy to listen.

![Fernhill logo](logo.png)

<div class="note"><p>Printed copies are uncontrolled.</p></div>

<!-- last edited by the office -->

Contact: Tom Birch\\
Phone: 01632 960 123

A sentence broken by a hard break  
goes on as one paragraph.
"""


def test_a_policy_reads_as_blocks_with_levels_depths_markers_and_rows() -> None:
    assert read("online-safety.md", POLICY.encode()).blocks == (
        Block("heading", "Online Safety Policy", level=1),
        Block("heading", "Statement of intent", level=1),
        Block("paragraph", "This policy sets out how Fernhill Primary keeps pupils safe online and builds a culture"
                           " of safety in which every adult knows what to do. Concerns go to Tom Birch, our online"
                           " safety lead."),
        Block("heading", "Responsibilities", level=2),
        Block("item", "Staff must report concerns on the day they arise, using MyConcern.", marker="*"),
        Block("item", "Staff must not:", marker="*"),
        Block("item", "befriend pupils on social media;", level=1, marker="*"),
        Block("item", "use personal devices to photograph pupils.", level=1, marker="*"),
        Block("item", "The headteacher reviews the log each term.", marker="-"),
        Block("item", "Filtering is checked weekly.", marker="1."),
        Block("item", "Monitoring alerts go to the DSL.", marker="2."),
        row(["Role", "Name", "Contact"], header=True),
        row(["Online safety lead", "Tom Birch", "t.birch@fernhill.example"]),
        row(["DSL", "Priya Shah", "Ext. 214"]),
        Block("paragraph", "Report any concern, however small. Nobody is too busy to listen."),
        Block("paragraph", "Printed copies are uncontrolled."),
        Block("paragraph", "Contact: Tom Birch"),
        Block("paragraph", "Phone: 01632 960 123"),
        Block("paragraph", "A sentence broken by a hard break goes on as one paragraph."),
    )


def test_front_matter_becomes_properties_with_normalised_keys_and_iso_dates() -> None:
    assert read("online-safety.md", POLICY.encode()).properties == {
        "title": "Online Safety Policy",
        "adopted": "2024-09-02",
        "review_date": "2025-09-01",
        "signed_by": "Ada Lovell (Chair of Governors)",
    }


def test_label_lines_without_front_matter_are_separate_paragraphs_and_no_properties() -> None:
    text = "# Visitors\n\nAdopted: 2013-08-13\nReview date: 2014-08-13\nSigned by: A. Person\n"
    document = read("visitors.md", text.encode())
    assert document.blocks == (
        Block("heading", "Visitors", level=1),
        Block("paragraph", "Adopted: 2013-08-13"),
        Block("paragraph", "Review date: 2014-08-13"),
        Block("paragraph", "Signed by: A. Person"),
    )
    assert document.properties == {}


def test_typo_keys_are_kept_as_written_and_other_values_become_strings() -> None:
    text = "---\nAdpoted Date: 2023-05-04\nsigned-by-name: Jo Hale\nversion: 3\ntags: [safety, online]\n---\nText.\n"
    assert read("p.md", text.encode()).properties == {
        "adpoted_date": "2023-05-04", "signed_by_name": "Jo Hale", "version": "3", "tags": "safety, online",
    }


@pytest.mark.parametrize(("front", "as_text"), [
    ("title: Policy: Safeguarding\nadopted: 2024-01-01\n",  # a second colon: not YAML
     ["title: Policy: Safeguarding", "adopted: 2024-01-01"]),
    ("adopted: 2024-02-30\n", ["adopted: 2024-02-30"]),  # an impossible date
    ("- just\n- a list\n", ["- just - a list"]),  # YAML, but not a mapping
])
def test_malformed_front_matter_is_read_as_text(front: str, as_text: list[str]) -> None:
    document = read("p.md", f"---\n{front}---\n# Policy\n\nBody text.\n".encode())
    assert document.properties == {}
    assert document.blocks == (*(Block("paragraph", text) for text in as_text),
                               Block("heading", "Policy", level=1), Block("paragraph", "Body text."))


def test_unclosed_front_matter_is_ordinary_markdown() -> None:
    document = read("p.md", b"---\ntitle: Policy\n\nBody text.\n")
    assert document.properties == {}
    assert document.blocks == (Block("paragraph", "title: Policy"), Block("paragraph", "Body text."))


def test_invisible_characters_go_and_nbsp_is_a_space() -> None:
    text = "\ufeff# Safe\u00adguarding\n\nCall\u00a0the\u200b DSL.\n"
    assert read("p.md", text.encode()).blocks == (
        Block("heading", "Safeguarding", level=1), Block("paragraph", "Call the DSL."))


def test_windows_1252_files_are_read() -> None:
    assert read("p.md", "Pupils\u2019 safety \u2013 always.".encode("cp1252")).blocks == (
        Block("paragraph", "Pupils\u2019 safety \u2013 always."),)


def test_an_item_with_a_second_paragraph_keeps_it_and_a_link_with_spaces_keeps_its_text() -> None:
    text = "* First line.\n\n  Still the first item.\n* See [the code](https://example.org/a b.pdf).\n"
    assert read("p.md", text.encode()).blocks == (
        Block("item", "First line. Still the first item.", marker="*"),
        Block("item", "See the code.", marker="*"),
    )


def test_binary_data_is_an_error() -> None:
    with pytest.raises(DocumentError, match="binary data"):
        read("p.md", bytes(range(256)) * 8)
