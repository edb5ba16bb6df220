"""`policybot staff import` and `policybot staff list` end to end (typer's runner, real files, the real
database on SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import CORPUS

runner = CliRunner()
ORG = "stone-bay-school"


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    path = corpus / ORG / "org.yaml"
    spec = yaml.safe_load(path.read_text("utf-8"))
    spec["staff"] = [{"name": "Tess Teacher", "telegram": 4242}]
    path.write_text(yaml.safe_dump(spec, sort_keys=False), "utf-8")
    for key, value in {"POLICYBOT_CORPUS_DIR": str(corpus), "POLICYBOT_INDEX_DIR": str(tmp_path / "index"),
                       "POLICYBOT_DATABASE_URL": database_url,
                       "POLICYBOT_SECRET_KEY_FILE": str(tmp_path / "key")}.items():
        monkeypatch.setenv(key, value)
    yield tmp_path


def _listed(org: str = ORG, *more: str) -> str:
    result = runner.invoke(app, ["staff", "list", "--org", org, *more], terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.output


def test_an_mis_export_is_imported_and_listed_with_the_org_file_staff(env: Path) -> None:
    export = env / "staff.csv"
    export.write_bytes("Forename,Surname,Email Address,Job Title\nAda,Lovelace,ada@stonebay.example,Teacher\n"
                       "Zoë,Brown,zoe@stonebay.example,Cook\n".encode("cp1252"))  # an older MIS's encoding
    result = runner.invoke(app, ["staff", "import", "--org", ORG, str(export)])
    assert result.exit_code == 0, result.output
    assert "2 people read" in result.output and "2 added" in result.output
    listed = _listed()
    assert "3 people" in listed and "Ada Lovelace" in listed and "Zoë Brown" in listed and "Tess Teacher" in listed
    assert "org file" in listed and "Teacher" in listed


def test_a_later_import_marks_the_missing_left_and_prune_deletes_them(env: Path) -> None:
    export = env / "staff.csv"
    export.write_text("name,email\nAda,ada@stonebay.example\nBob,bob@stonebay.example\n", "utf-8")
    runner.invoke(app, ["staff", "import", "--org", ORG, str(export)])
    export.write_text("name,email\nAda,ada@stonebay.example\n", "utf-8")
    result = runner.invoke(app, ["staff", "import", "--org", ORG, str(export)])
    assert "1 marked left" in result.output
    assert "Bob" not in _listed() and "left" in _listed(ORG, "--all")
    result = runner.invoke(app, ["staff", "import", "--org", ORG, str(export), "--prune"])
    assert result.exit_code == 0 and "1 deleted" in result.output
    assert "Bob" not in _listed(ORG, "--all")


def test_a_bad_row_is_refused_naming_its_line_and_nothing_is_stored(env: Path) -> None:
    export = env / "staff.csv"
    export.write_text("name,email\nAda,ada@stonebay.example\nBob,bob-at-school\n", "utf-8")
    result = runner.invoke(app, ["staff", "import", "--org", ORG, str(export)])
    assert result.exit_code == 2 and "line 3" in result.output and "bob-at-school" in result.output
    assert "Ada" not in _listed()
    missing = runner.invoke(app, ["staff", "import", "--org", ORG, str(env / "nope.csv")])
    assert missing.exit_code == 2 and "cannot be read" in missing.output
    assert runner.invoke(app, ["staff", "list", "--org", "nowhere"]).exit_code == 2


def test_the_acks_command_writes_the_register_as_a_pdf_naming_directory_people(env: Path) -> None:
    export = env / "staff.csv"
    export.write_text("name,email\nAda Lovelace,ada@stonebay.example\n", "utf-8")
    runner.invoke(app, ["staff", "import", "--org", ORG, str(export)])
    target = env / "register.pdf"
    result = runner.invoke(app, ["acks", "--org", ORG, "--pdf", str(target)])
    assert result.exit_code == 0, result.output
    assert "wrote the register" in result.output and target.read_bytes().startswith(b"%PDF-")
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Ada Lovelace" in text and "Tess Teacher" in text and "outstanding" in text
    unwritable = runner.invoke(app, ["acks", "--org", ORG, "--pdf", str(env / "no-such-dir" / "r.pdf")])
    assert unwritable.exit_code == 2 and "cannot be written" in unwritable.output
