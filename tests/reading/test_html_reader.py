"""The HTML reader: a web page's policy content as blocks, its furniture left out."""

from __future__ import annotations

import pytest

from bot.errors import DocumentError
from bot.reading.blocks import Block, row
from bot.reading.readers.html import fragment_blocks, read

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Safeguarding Policy | Fernhill Primary</title>
  <meta name="description" content="How Fernhill Primary keeps pupils safe.">
  <meta name="dcterms.modified" content="2024-10-01T09:30:00Z">
  <meta name="DC.date.issued" content="2024-09-02">
  <style>body { font-family: sans-serif; }</style>
  <script>window.dataLayer = [];</script>
</head>
<body>
  <a class="skip-link" href="#content">Skip to content</a>
  <div id="cookie-banner"><p>We use cookies.</p><button>Accept</button></div>
  <header class="site-header"><h1>Fernhill Primary</h1><p>Learning together</p></header>
  <nav aria-label="Main"><ul><li><a href="/">Home</a></li><li><a href="/policies">Policies</a></li></ul></nav>
  <main id="content">
    <ol class="breadcrumbs"><li><a href="/">Home</a></li><li>Safeguarding</li></ol>
    <article>
      <header><h1>Safeguarding&nbsp;Policy</h1></header>
      <p>Every adult at Fernhill
         keeps pupils <em>safe</em>. Read it with the <a href="/behaviour">Behaviour Policy</a>.</p>
      <div class="intro">Concerns are recorded the same day.<p>Records are kept securely.</p>Then reviewed.</div>
      <p>Adopted: 2 September 2024<br>Review date: September 2025<br/>Signed by: Ada Lovell</p>
      <p>A line wrapped<br>by hand stays one paragraph.</p>
      <h2>Key people</h2>
      <table>
        <thead><tr><th>Role</th><th>Name</th><th>Contact</th></tr></thead>
        <tbody>
          <tr><td>Designated Safeguarding Lead</td><td>Priya Shah</td><td><a href="mailto:p.shah@fernhill.example">p.shah@fernhill.example</a></td></tr>
          <tr><td>Deputy DSL</td><td colspan="2">Tom Birch (via the office)</td></tr>
        </tbody>
      </table>
      <h3>What staff do</h3>
      <ul>
        <li>Listen to the child
          <ul><li>stay calm;</li><li>do not promise secrecy.</li></ul>
        </li>
        <li>Record what was said.</li>
      </ul>
      <ol start="3"><li>Tell the DSL.</li><li>Follow up.</li></ol>
      <dl>
        <dt>Early help</dt><dd>Support as soon as a problem emerges.</dd>
        <dt>LADO:</dt><dd>The Local Authority Designated Officer.</dd>
      </dl>
      <div class="share-buttons"><a href="#">Share on Facebook</a></div>
      <img src="lock.png" alt="A padlock">
      <!-- reviewed by the DSL -->
    </article>
    <aside><h2>Related policies</h2><p>Behaviour</p></aside>
  </main>
  <footer><p>&copy; Fernhill Primary 2024</p></footer>
</body>
</html>
"""


def test_only_the_main_content_is_read_in_blocks() -> None:
    assert read("safeguarding.html", PAGE.encode()).blocks == (
        Block("heading", "Safeguarding Policy", level=1),
        Block("paragraph", "Every adult at Fernhill keeps pupils safe. Read it with the Behaviour Policy."),
        Block("paragraph", "Concerns are recorded the same day."),
        Block("paragraph", "Records are kept securely."),
        Block("paragraph", "Then reviewed."),
        Block("paragraph", "Adopted: 2 September 2024"),
        Block("paragraph", "Review date: September 2025"),
        Block("paragraph", "Signed by: Ada Lovell"),
        Block("paragraph", "A line wrapped by hand stays one paragraph."),
        Block("heading", "Key people", level=2),
        row(["Role", "Name", "Contact"], header=True),
        row(["Designated Safeguarding Lead", "Priya Shah", "p.shah@fernhill.example"]),
        row(["Deputy DSL", "Tom Birch (via the office)", ""]),
        Block("heading", "What staff do", level=3),
        Block("item", "Listen to the child", marker="•"),
        Block("item", "stay calm;", level=1, marker="•"),
        Block("item", "do not promise secrecy.", level=1, marker="•"),
        Block("item", "Record what was said.", marker="•"),
        Block("item", "Tell the DSL.", marker="3."),
        Block("item", "Follow up.", marker="4."),
        Block("paragraph", "Early help: Support as soon as a problem emerges."),
        Block("paragraph", "LADO: The Local Authority Designated Officer."),
    )


def test_title_description_and_dublin_core_dates_are_properties() -> None:
    assert read("safeguarding.html", PAGE.encode()).properties == {
        "title": "Safeguarding Policy | Fernhill Primary",
        "description": "How Fernhill Primary keeps pupils safe.",
        "modified": "2024-10-01",
        "issued": "2024-09-02",
    }


def test_without_main_the_body_is_read_and_furniture_still_goes() -> None:
    page = """<body>
      <div role="banner">Fernhill Primary</div>
      <div class="mainNav"><a href="/">Home</a></div>
      <div id="sidebar"><p>News</p></div>
      <h1>Uniform</h1><p>Pupils wear the uniform.</p>
      <div role="contentinfo">Contact us</div>
      <footer>Footer text</footer>
    </body>"""
    assert read("uniform.html", page.encode()).blocks == (
        Block("heading", "Uniform", level=1), Block("paragraph", "Pupils wear the uniform."))


def test_two_articles_are_both_read_and_keep_their_headers() -> None:
    page = "<article><header><h2>One</h2></header><p>First.</p></article><article><h2>Two</h2></article>"
    assert read("p.html", page.encode()).blocks == (
        Block("heading", "One", level=2), Block("paragraph", "First."), Block("heading", "Two", level=2))


def test_a_page_inside_one_form_is_still_read() -> None:
    page = "<form id='aspnetForm'><h1>Charging</h1><p>Trips are voluntary.</p></form><form><input> Search</form>"
    assert read("p.html", page.encode()).blocks == (
        Block("heading", "Charging", level=1), Block("paragraph", "Trips are voluntary."))


def test_rowspans_nested_tables_and_ordered_list_types() -> None:
    page = """<table>
      <tr><th>Day</th><th>Who</th></tr>
      <tr><td rowspan="2">Monday</td><td>Ann</td></tr>
      <tr><td>Ben <table><tr><td>cover</td><td>only</td></tr></table></td></tr>
    </table>
    <ol type="a"><li>alpha</li><li>beta</li></ol>"""
    assert read("p.html", page.encode()).blocks == (
        row(["Day", "Who"], header=True),
        row(["Monday", "Ann"]),
        row(["", "Ben cover only"]),
        Block("item", "alpha", marker="a."),
        Block("item", "beta", marker="b."),
    )


def test_charset_from_meta_and_windows_1252_fallback() -> None:
    declared = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><p>Caf\u00e9 \u2013 open</p>'
    assert read("p.html", declared.encode("cp1252")).blocks == (Block("paragraph", "Caf\u00e9 \u2013 open"),)
    undeclared = "<p>Pupils\u2019 work</p>".encode("cp1252")
    assert read("p.html", undeclared).blocks == (Block("paragraph", "Pupils\u2019 work"),)


def test_utf16_with_bom_and_invisible_characters() -> None:
    page = "<h2>Safe\u00adguarding</h2><p>The\u200b\u00a0DSL</p>"
    assert read("p.html", b"\xff\xfe" + page.encode("utf-16-le")).blocks == (
        Block("heading", "Safeguarding", level=2), Block("paragraph", "The DSL"))


def test_xhtml_with_an_xml_declaration_is_read_without_warnings() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hi.</p></body></html>'
    assert read("p.html", page.encode()).blocks == (Block("paragraph", "Hi."),)


def test_fragments_of_pure_markup_give_no_blocks() -> None:
    assert fragment_blocks("<!-- a comment -->") == []
    assert fragment_blocks("<div class='box'>\n") == []
    assert fragment_blocks("<p>Text</p>") == [Block("paragraph", "Text")]


def test_binary_junk_is_an_error() -> None:
    junk = bytes((i * 7919) % 256 for i in range(4000))
    with pytest.raises(DocumentError, match="binary data, not an HTML page"):
        read("junk.html", junk)


def test_a_layout_table_is_read_as_the_page_it_lays_out() -> None:
    page = """<table><tr>
      <td><h1>Charging</h1><p>Trips are voluntary.</p></td>
      <td><h2>Remissions</h2><ul><li>Pupils on free meals pay nothing.</li></ul></td>
    </tr></table>"""
    assert read("p.html", page.encode()).blocks == (
        Block("heading", "Charging", level=1),
        Block("paragraph", "Trips are voluntary."),
        Block("heading", "Remissions", level=2),
        Block("item", "Pupils on free meals pay nothing.", marker="•"),
    )
