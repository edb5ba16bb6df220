"""The register for inspection: named people from the staff directory, when and where they acknowledged,
who of the directory is outstanding (never cookies or unmatched platform ids), reminders by platform, the
CSV and a printable PDF looked at as pages."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from PIL import Image

from bot.admin import register_pdf
from bot.admin.register import write_csv
from bot.core.chat import Sender
from bot.runtime import Runtime
from bot.storage.acknowledgements import SqlAcknowledgements
from bot.storage.staff import parse_csv
from tests.admin.conftest import Server, csrf_of, sign_in
from tests.conftest import built_runtime, map_platforms

ORG = "stone-bay-school"
TESS = Sender("telegram", "4242", workspace="4242")  # mapped by the org file's telegram_users
ADA = Sender("slack", "UADA", workspace="T_STONE")
STAFF_CSV = ("Forename,Surname,Email Address,Job Title\nAda,Slack,ada@stonebay.example,Teacher\n"
             "Bo,Web,bo@stonebay.example,Teaching Assistant\nCy,Never,cy@stonebay.example,Cook\n")


def _configure(corpus: Path) -> None:
    map_platforms(corpus)
    path = corpus / ORG / "org.yaml"
    spec = yaml.safe_load(path.read_text())
    spec["induction"] = {"max_points": 2, "policies": [{
        "file": "social-media-policy.txt",
        "statements": [{"text": "I may accept a friend request from a current pupil.", "true": False}]}]}
    spec["staff"] = [{"name": "Tess Teacher", "telegram": 4242}]
    path.write_text(yaml.safe_dump(spec, sort_keys=False))


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, _configure) as rt:
        assert rt.staff is not None
        rt.staff.import_rows(ORG, parse_csv(STAFF_CSV))
        yield rt


def _acknowledge(rt: Runtime, sender: Sender) -> None:
    assert rt.chat is not None
    rt.chat.handle(sender, "/induction")
    for action in ("next", "next", "false", "ack"):
        rt.chat.induction_action(sender, action)


def _cookie_ack(rt: Runtime) -> None:
    """An acknowledgement from before the directory: an anonymous web chat cookie."""
    [reg] = rt.register(ORG)
    SqlAcknowledgements(rt.db).record(ORG, "web::_NhDVnhDbfHW", "web::_NhDVnhDbfHW", reg.source, reg.title,
                                      reg.version_hash, reg.version_date, [], "web")


def test_the_register_names_directory_people_and_only_they_are_outstanding(runtime: Runtime) -> None:
    assert runtime.chat is not None and runtime.chat.identities is not None
    [before] = runtime.register(ORG)
    assert set(before.outstanding) == {"Ada Slack", "Bo Web", "Cy Never", "Tess Teacher"}
    assert runtime.chat.identities.record(ADA, "ADA@stonebay.example").name == "Ada Slack"  # a users.info result
    _acknowledge(runtime, ADA)
    _acknowledge(runtime, TESS)  # matched by the org file's handle
    _cookie_ack(runtime)
    runtime.chat.handle(Sender("slack", "USTRANGER", workspace="T_STONE"), "hello")  # seen, not in the directory
    [reg] = runtime.register(ORG)
    assert {(name, channel) for name, _, channel in reg.acknowledged} == {("Ada Slack", "slack"),
                                                                          ("Tess Teacher", "telegram")}
    assert set(reg.outstanding) == {"Bo Web", "Cy Never"}
    assert [name for name, _, _ in reg.unlisted] == ["unnamed web chat account"]
    everything = repr(reg)
    assert "_NhDV" not in everything and "USTRANGER" not in everything
    assert reg.unreachable == 2 and reg.reach == ()  # neither Bo nor Cy has a chat account linked yet


def test_reminders_go_by_platform_to_outstanding_directory_people(runtime: Runtime) -> None:
    assert runtime.chat is not None and runtime.chat.identities is not None
    runtime.chat.identities.record(ADA, "ada@stonebay.example")
    runtime.chat.handle(TESS, "who is the DSL?")
    [reg] = runtime.register(ORG)
    assert reg.reach == (("slack", 1), ("telegram", 1)) and reg.unreachable == 2
    assert runtime.remind_outstanding(ORG, "telegram") == 1
    assert "complete your induction" in runtime.chat.handle(TESS, "who is the DSL?").notice
    assert runtime.chat.handle(ADA, "who is the DSL?").notice == ""  # Slack was not reminded
    assert runtime.remind_outstanding(ORG, "slack") == 1
    assert "complete your induction" in runtime.chat.handle(ADA, "who is the DSL?").notice
    _acknowledge(runtime, ADA)
    assert runtime.remind_outstanding(ORG) == 1  # only Tess is still outstanding and reachable


def test_someone_who_left_is_no_longer_outstanding_but_their_acknowledgement_stays(runtime: Runtime) -> None:
    assert runtime.chat is not None and runtime.chat.identities is not None and runtime.staff is not None
    runtime.chat.identities.record(ADA, "ada@stonebay.example")
    _acknowledge(runtime, ADA)
    runtime.staff.import_rows(ORG, parse_csv("name,email\nBo Web,bo@stonebay.example\nCy Never,cy@stonebay.example\n"))
    [reg] = runtime.register(ORG)
    assert [name for name, _, _ in reg.acknowledged] == ["Ada Slack (left)"]
    assert set(reg.outstanding) == {"Bo Web", "Cy Never", "Tess Teacher"}


def test_the_csv_lists_people_by_name(runtime: Runtime) -> None:
    assert runtime.chat is not None and runtime.chat.identities is not None
    runtime.chat.identities.record(ADA, "ada@stonebay.example")
    _acknowledge(runtime, ADA)
    out = io.StringIO()
    write_csv(runtime.register(ORG), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "policy,version,person,status,acknowledged_at,channel"
    assert any(",Ada Slack,acknowledged," in line and line.endswith(",slack") for line in lines)
    assert sum(",outstanding,," in line for line in lines) == 3


@pytest.mark.skipif(shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
                    reason="poppler-utils (pdftoppm, pdftotext) not installed: make browser installs it")
def test_the_pdf_prints_as_pages_naming_people_and_versions(runtime: Runtime, tmp_path: Path) -> None:
    assert runtime.chat is not None and runtime.chat.identities is not None and runtime.staff is not None
    runtime.chat.identities.record(ADA, "ada@stonebay.example")
    _acknowledge(runtime, ADA)
    _cookie_ack(runtime)
    many = "".join(f"Person,{i:03d},p{i}@stonebay.example,\n" for i in range(80))
    runtime.staff.import_rows(ORG, parse_csv(STAFF_CSV + many))
    registers = runtime.register(ORG)
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(register_pdf.render("Stone Bay School", registers, runtime.clock()))
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2  # 84 people do not fit on one A4 page: the table runs on, header repeated
    for page in pages:
        with Image.open(page) as image:
            assert image.size[0] < image.size[1]  # portrait A4
            histogram = image.convert("L").histogram()  # pixels per grey level, 0 = black
            dark = sum(histogram[:128])
            assert dark > 500, f"{page.name} is blank"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout
    [reg] = registers
    assert "Stone Bay School: induction acknowledgement register" in text
    assert reg.title in text and reg.version_hash[:8] in text
    for name in ("Ada Slack", "Bo Web", "Tess Teacher", "Person 079", "unnamed web chat account"):
        assert name in text
    assert "_NhDV" not in text and "page 2" in text


def test_the_dashboard_serves_the_pdf_and_reminds_by_platform(server: Server) -> None:
    sign_in(server.client, ORG, "head@stonebay.example")
    page = server.client.get("/slt/acks")
    assert 'id="acks-pdf"' in page.text and 'id="no-directory"' in page.text  # nobody imported yet
    pdf = server.client.get("/slt/acks.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and "acknowledgements.pdf" in pdf.headers["content-disposition"]
    reminded = server.client.post("/slt/acks/remind", data={"csrf": csrf_of(page.text), "platform": "slack"})
    assert "people on Slack will be reminded" in reminded.text
    refused = server.client.post("/slt/acks/remind", data={"csrf": csrf_of(page.text), "platform": "<b>x"})
    assert "not a platform the bot is on" in refused.text
    assert server.runtime.staff is not None
    server.runtime.staff.import_rows(ORG, parse_csv(STAFF_CSV))
    page = server.client.get("/slt/acks")
    assert 'id="no-directory"' not in page.text and "Bo Web" in page.text and "outstanding" in page.text


def test_the_dsl_sees_who_raised_a_concern_by_their_directory_name(server: Server) -> None:
    from bot.admin.register import named_raiser
    from bot.core.models import Question

    assert server.runtime.staff is not None
    server.runtime.staff.import_rows(ORG, parse_csv("name,email\nSam Teacher,sam@stonebay.example\n"))
    server.runtime.staff.record_lookup(ORG, "slack:T_STONE:U42", "slack", "sam@stonebay.example")
    answer = server.runtime.service.answer(Question("A pupil told me her stepdad hits her, what do I do?", ORG,
                                                    channel="slack", user="slack:T_STONE:U42", user_name="sam.t"))
    assert answer.urgent and answer.log_id
    sign_in(server.client, ORG, "dsl@stonebay.example")
    page = server.client.get(f"/slt/concerns/{answer.log_id}").text
    assert "Sam Teacher (slack:T_STONE:U42)" in page and "sam.t" not in page
    assert named_raiser("someone on web (not signed in)", {}) == "someone on web (not signed in)"
    assert named_raiser("slack:T1:U9", {"slack:T1:U9": "Ada"}) == "Ada (slack:T1:U9)"
