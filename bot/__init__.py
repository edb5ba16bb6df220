"""policybot: answers school staff's questions from their own organisation's policies."""

__version__ = "0.1.0"
