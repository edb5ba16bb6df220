"""What every sender promises the dispatcher."""

from __future__ import annotations

from typing import Protocol

from bot.alerts.message import Alert, Recipient


class AlertError(Exception):
    """Delivery on one channel failed. The message names the failure, never a token or the alert text,
    so that it is safe to log."""


class Sender(Protocol):
    """One channel ("email", "slack", "telegram") that can reach a recipient directly."""

    channel: str

    def send(self, recipient: Recipient, alert: Alert) -> bool:
        """Deliver *alert* to *recipient*: True when sent, False when the recipient has no address on
        this channel; raises AlertError when delivery fails."""
        ...
