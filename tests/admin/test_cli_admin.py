"""The admin commands end to end (typer's runner, real files, the real database code)."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.core.models import Question
from bot.storage.question_log import utc_now
from tests.conftest import CORPUS, make_service

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    values = {"POLICYBOT_CORPUS_DIR": str(corpus), "POLICYBOT_INDEX_DIR": str(tmp_path / "index"),
              "POLICYBOT_DATABASE_URL": database_url, "POLICYBOT_SPOOL_FILE": str(tmp_path / "spool.jsonl"),
              "POLICYBOT_SECRET_KEY_FILE": str(tmp_path / "key")}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    service = make_service(corpus, tmp_path / "index", tmp_path / "var", database_url=database_url)
    for text in ("Can I accept a friend request from an ex-pupil?", "What is the policy on staff parking?",
                 "Where do I park my bike overnight?", "A pupil told me her stepdad hits her"):
        service.answer(Question(text, "stone-bay-school", channel="slack"))
    service.answer(Question("Can I claim mileage for a trip?", "next-steps-ed"))
    service.log.sessions.kw["bind"].dispose()  # type: ignore[union-attr]
    yield values


def test_report_shows_the_school_and_hides_concerns_unless_asked(env: dict[str, str]) -> None:
    result = runner.invoke(app, ["report", "--org", "stone-bay-school"])
    assert result.exit_code == 0, result.output
    assert "Stone Bay School" in result.output and "4 asked" in result.output and "1 safeguarding-flagged" in result.output
    assert "staff parking" in result.output and "mileage" not in result.output and "stepdad" not in result.output
    dsl = runner.invoke(app, ["report", "--org", "stone-bay-school", "--safeguarding"])
    assert "stepdad" in dsl.output


def test_csv_export(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    result = runner.invoke(app, ["report", "--org", "stone-bay-school", "--csv", str(target)])
    assert result.exit_code == 0 and "wrote 3 entries" in result.output
    with target.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["channel"] for r in rows} == {"slack"} and len(rows) == 3
    assert all(r["safeguarding_flag"] == "False" for r in rows)


def test_bad_input_gets_clear_errors(env: dict[str, str]) -> None:
    assert "unknown organisation 'nowhere'" in runner.invoke(app, ["report", "--org", "nowhere"]).output
    bad_date = runner.invoke(app, ["report", "--org", "stone-bay-school", "--since", "last tuesday"])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output


def test_slt_password_only_for_listed_members(env: dict[str, str]) -> None:
    ok = runner.invoke(app, ["slt", "password", "--org", "stone-bay-school", "--email", "head@stonebay.example",
                             "--password-stdin"], input="a long enough password\n")
    assert ok.exit_code == 0 and "password set" in ok.output
    stranger = runner.invoke(app, ["slt", "password", "--org", "stone-bay-school", "--email", "x@y.example",
                                   "--password-stdin"], input="a long enough password\n")
    assert stranger.exit_code == 2 and "not in stone-bay-school's SLT list" in stranger.output
    short = runner.invoke(app, ["slt", "password", "--org", "stone-bay-school", "--email", "head@stonebay.example",
                                "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "at least 12 characters" in short.output


def test_db_upgrade_and_purge(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert "database at revision" in runner.invoke(app, ["db", "upgrade"]).output
    assert "nothing has expired" in runner.invoke(app, ["purge"]).output
    import bot.cli.db as cli_db

    monkeypatch.setattr(cli_db, "utc_now", lambda: utc_now() + timedelta(days=400))
    result = runner.invoke(app, ["purge"])
    assert "stone-bay-school: deleted 4 expired entries" in result.output
    assert "next-steps-ed: deleted 1" in result.output


def test_acks_register_command(env: dict[str, str], tmp_path: Path) -> None:
    result = runner.invoke(app, ["acks", "--org", "stone-bay-school"])
    assert result.exit_code == 0, result.output
    assert "Social Media Policy" in result.output and "0 acknowledged" in result.output
    target = tmp_path / "acks.csv"
    assert "wrote the register" in runner.invoke(app, ["acks", "--org", "stone-bay-school", "--csv", str(target)]).output
    assert target.read_text().startswith("policy,version,person,status")
    assert runner.invoke(app, ["acks", "--org", "nowhere"]).exit_code == 2
