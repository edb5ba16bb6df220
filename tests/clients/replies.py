"""Every kind of reply the bot sends, from the real ChatService over a small corpus: what the client
checks (Adaptive Cards in Microsoft's renderer, Telegram's HTML rules, Slack's Block Kit limits) run over.

The corpus is the bundled one with platform mappings and a policy full of markup (tests.conftest), plus:
- a school whose org file gives its DSL an e-mail and a phone, its SENCo a phone only and its Headteacher
  nothing (so every way of showing a contact is seen), and a Markdown policy whose headings carry
  `**must not**`;
- an induction pack (two key points and a true/false check) with the asker on the staff list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from bot.core.chat import ChatService, Reply, Sender
from bot.runtime import Runtime
from tests.conftest import add_hostile_policy, built_runtime, map_platforms

ORG = "elm-tree-primary"
ORG_FILE = {
    "name": "Elm Tree Primary",
    "general_contact": "Headteacher",
    "contacts": [
        {"role": "Designated Safeguarding Lead", "name": "Priya Shah", "email": "dsl@elm.example",
         "phone": "01234 567890", "slack": "U0PRIYA", "teams": "29:priya-shah", "telegram": "@priya_dsl"},
        {"role": "SENCo", "name": "Tom Reed", "phone": "+44 (0)1234 567891 ext 12"},
        {"role": "Headteacher", "name": "Alison Grey"},
    ],
    "platforms": {"slack_teams": ["T_ELM"], "teams_tenants": ["tenant-elm"], "telegram_users": [7070]},
    "induction": {"max_points": 2, "policies": [{
        "file": "online-safety.md",
        "statements": [{"text": "I may give a pupil my personal phone number.", "true": False}]}]},
}
POLICY = """# Online Safety Policy

## 3. Staff conduct

### When using social media, staff **must not**:

- accept friend requests from pupils or give a pupil a personal phone number;
- post images of pupils, even with *permission*, on personal accounts.

## 4. Reporting

Report any online safety concern about a pupil to the Designated Safeguarding Lead the same day.

## 5. Special educational needs

The SENCo advises on online safety support for pupils with SEND.
"""
QUESTIONS = {  # what each question shows in a reply
    "answer": "can I give a pupil my personal phone number?",
    "contacts": "who is the designated safeguarding lead?",
    "senco": "who advises on online safety support for pupils with SEND?",
    "decline": "what is the policy on staff parking in the bus bay?",
    "concern": "a pupil told me her stepdad hits her and she is scared to go home",
    "staff concern": "I am worried a colleague is messaging a pupil on snapchat late at night",
    "markup": "what do I do with a script alert message that says channel?",
    "help": "/help",
    "empty": "",
}


def add_elm_tree(corpus: Path) -> None:
    folder = corpus / ORG
    folder.mkdir()
    (folder / "org.yaml").write_text(yaml.safe_dump(ORG_FILE, sort_keys=False), "utf-8")
    (folder / "online-safety.md").write_text(POLICY, "utf-8")


@contextmanager
def client_runtime(tmp_path: Path) -> Iterator[Runtime]:
    with built_runtime(tmp_path, map_platforms, add_hostile_policy, add_elm_tree, rate_limit_per_minute=600,
                       rate_limit_burst=100) as rt:
        yield rt


def sender(platform: str, org: str = ORG) -> Sender:
    """Someone of Elm Tree Primary (or of Stone Bay School, whose corpus has the hostile policy) on
    *platform*."""
    if org == "stone-bay-school":
        return {"teams": Sender("teams", "aad-stone-1", workspace="tenant-stone"),
                "slack": Sender("slack", "U0SAM", workspace="T_STONE"),
                "telegram": Sender("telegram", "4242", workspace="4242")}[platform]
    return {"teams": Sender("teams", "aad-elm-1", workspace="tenant-elm", display_name="Tess Teacher"),
            "slack": Sender("slack", "U0TESS", workspace="T_ELM", display_name="Tess Teacher"),
            "telegram": Sender("telegram", "7070", workspace="7070", display_name="Tess Teacher")}[platform]


def every_reply(chat: ChatService, platform: str) -> list[tuple[str, Reply]]:
    """replies() for someone of each school."""
    return [(f"{org}: {what}", reply) for org in (ORG, "stone-bay-school")
            for what, reply in replies(chat, sender(platform, org))]


def replies(chat: ChatService, who: Sender) -> list[tuple[str, Reply]]:
    """(what, reply) for every kind of reply: the first contact (with its welcome), answers, a decline,
    safeguarding concerns, contacts, help, errors (an empty question, a stale button, a stranger), and an
    induction walk from its start through each step, the check and the acknowledgement."""
    out = [(f"{what}: {text!r}", chat.handle(who, text)) for what, text in QUESTIONS.items()]
    out.append(("refused: a stranger", chat.handle(Sender(who.platform, "nobody", workspace="T_NOBODY"), "hi")))
    out.append(("error: an unknown induction button", chat.induction_action(who, "no-such-button")))
    reply = chat.handle(who, "/induction")
    out.append(("induction: start", reply))
    seen, asked = 0, False
    while reply.step is not None and reply.step.buttons and seen < 12:
        seen += 1
        actions = [b.action for b in reply.step.buttons]
        if "ask" in actions and not asked:  # "I have a question": the answer comes with the step after it
            asked = True
            out.append(("induction: 'ask'", chat.induction_action(who, "ask")))
            out.append(("induction: a question during the walk", chat.handle(who, QUESTIONS["contacts"])))
        action = next((a for a in ("next", "false", "ack", "done") if a in actions), actions[0])
        reply = chat.induction_action(who, action)
        out.append((f"induction: after {action!r}", reply))
    assert any(r.kind == "induction" for _, r in out), "no induction step was produced"
    return out
