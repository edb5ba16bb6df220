"""Who may ask, for which organisation: the org files' platform mappings, Telegram users who joined with
a one-time code, and the web chat's development picker. Also remembers first contact (for the welcome)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.chat import Sender
from bot.reading.documents import Organisation
from bot.storage.question_log import utc_now
from bot.storage.tables import ChatUser, Invite

log = logging.getLogger(__name__)

# Which org-file list maps a sender, by platform: (list, which Sender field).
_MAPPINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "slack": (("slack_teams", "workspace"),),
    "teams": (("teams_tenants", "workspace"),),
    "telegram": (("telegram_users", "user_id"), ("telegram_chats", "workspace")),
    "web": (("entra_tenants", "workspace"), ("google_domains", "workspace")),  # signed in: workspace = tid/hd
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read aloud and retyped


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


class SqlAccess:
    def __init__(self, db: sessionmaker[Session], orgs: Callable[[], dict[str, Organisation]],
                 web_org: str = "", development: bool = False, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.orgs = orgs
        self.web_org = web_org  # the organisation the web chat serves ("" = none, unless development)
        self.development = development  # the web chat may pick any organisation
        self.clock = clock
        self._seen: set[str] = set()  # people already recorded in chat_users by this process
        self._invited: dict[str, str] = {}  # Telegram users who joined with a code, as last read

    def org_for(self, sender: Sender) -> str | None:
        orgs = self.orgs()
        if sender.platform == "web":
            if self.web_org:
                return self.web_org if self.web_org in orgs else None
            if self.development and sender.org_hint in orgs:
                return sender.org_hint
        for org in orgs.values():
            for kind, field in _MAPPINGS.get(sender.platform, ()):
                if (kind, getattr(sender, field)) in org.platform_ids:
                    return org.slug
        if sender.platform == "telegram":
            try:
                with self.db() as session:
                    user = session.scalars(select(ChatUser).where(ChatUser.user_key == sender.key,
                                                                  ChatUser.joined_via == "invite")).first()
                    org_slug = user.org if user is not None else None
            except SQLAlchemyError as exc:  # the database is down: who joined before still gets answers
                log.warning("access: invited Telegram users read from memory (%s)", exc.__class__.__name__)
                org_slug = self._invited.get(sender.key)
            else:
                if org_slug is not None:
                    self._invited[sender.key] = org_slug
            return org_slug if org_slug in orgs else None
        return None

    def first_contact(self, sender: Sender, org: str) -> bool:
        if sender.key in self._seen:  # most messages: no database round trip
            return False
        self._seen.add(sender.key)
        try:
            with self.db.begin() as session:
                if session.scalars(select(ChatUser.id).where(ChatUser.user_key == sender.key)).first():
                    return False
                session.add(ChatUser(user_key=sender.key, org=org, first_seen=self.clock(), joined_via="mapping"))
            return True
        except IntegrityError:  # two first messages at once: the other one welcomed them
            return False
        except SQLAlchemyError as exc:  # the database is down: no welcome now, recorded next time
            self._seen.discard(sender.key)
            log.warning("access: first contact not recorded (%s)", exc.__class__.__name__)
            return False

    def seen_in(self, org: str) -> list[str]:
        """Everyone of *org* the bot has talked to (their chat identities)."""
        with self.db() as session:
            return list(session.scalars(select(ChatUser.user_key).where(ChatUser.org == org)
                                        .order_by(ChatUser.first_seen)))

    def issue(self, org: str, days: int = 7) -> str:
        """A new one-time join code for *org*, valid for *days*; only its hash is stored."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        now = self.clock()
        with self.db.begin() as session:
            session.add(Invite(org=org, code_hash=_hash(code), created_at=now, expires_at=now + timedelta(days=days)))
        return code

    def redeem(self, sender: Sender, code: str) -> str | None:
        now = self.clock()
        with self.db.begin() as session:
            invite = session.scalars(select(Invite).where(Invite.code_hash == _hash(code))).first()
            if invite is None or invite.used_at is not None or _aware(invite.expires_at) < now:
                return None
            if invite.org not in self.orgs():
                return None
            invite.used_at, invite.used_by = now, sender.key
            user = session.scalars(select(ChatUser).where(ChatUser.user_key == sender.key)).first()
            if user is None:
                session.add(ChatUser(user_key=sender.key, org=invite.org, first_seen=now, joined_via="invite"))
            else:
                user.org, user.joined_via = invite.org, "invite"
            return invite.org


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
