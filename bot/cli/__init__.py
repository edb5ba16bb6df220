"""The command line: one Typer app (bot.cli._shared) and a module per group of commands, each importing
only the shared module and the rest of `bot`, never another command module. Importing this package
registers every command; `main` is the console script `policybot` (and `python -m bot`, after bot.early).

  ask.py            ask, chat               index.py   index, orgs
  serve.py          serve                   db.py      db upgrade, purge
  report.py         report, acks            slt.py     slt password / answers / withdraw
  governors.py      governors-report
  invite.py         invite                  teams_package.py   teams-package
  staff.py          staff import / list

A new command goes in a new module here (or the module of its group) and is imported below.
"""

from __future__ import annotations

# In this order in `policybot --help` (the groups, db and slt, come after the commands).
from bot.cli import index, ask, serve, db, report, governors, slt, staff, invite, teams_package  # noqa: F401  (register commands)
from bot.cli._shared import _quiet_progress_bars, app

__all__ = ["app", "main"]


def main() -> None:
    _quiet_progress_bars()
    app()
