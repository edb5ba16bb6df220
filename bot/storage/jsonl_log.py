"""An append-only JSON-lines question log: one line per question, answered or not.

The SLT review issue replaces this with the SQLAlchemy store; the interface (record) stays.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from bot.core.models import Answer, Question


class JsonlQuestionLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, question: Question, answer: Answer) -> bool:
        entry = {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "org": question.org, "channel": question.channel, "question": answer.question,
            "answered": answer.answered,
            "passages": [{"source": p.source, "section": p.section, "score": p.score} for p in answer.passages],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            return False
        return True
