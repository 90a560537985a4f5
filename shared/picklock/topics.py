"""Pub/Sub names, in one place: the functions, the CLI, the local stack and the tests use these.

A topic's name is also the name of its message schema in schemas/messages/.
"""
from __future__ import annotations

SIGNAL_UPDATED = "signal-updated"
GRADING_COMPLETE = "grading-complete"
MANUAL_PICKS = "manual-picks"
TOPICS = (SIGNAL_UPDATED, GRADING_COMPLETE, MANUAL_PICKS)  # each triggers a function
# Published by exports, for subscribers: one message per change of a pick (domain/feed.py), with
# attributes event_type, event_id (the idempotency key) and sport.
PICK_EVENTS = "pick-events"

# Pub/Sub accepts at least 5 delivery attempts before a subscription parks a message.
MAX_DELIVERY_ATTEMPTS = 5


def dead_letter_topic(topic: str) -> str:
    """Where poison messages of `topic` are parked, by the handler or by the subscription."""
    return f"{topic}-dead-letter"


def push_subscription(topic: str) -> str:
    """The subscription that pushes `topic` to its function."""
    return f"{topic}-push"


def dead_letter_subscription(topic: str) -> str:
    """Keeps what reaches the dead-letter topic: Pub/Sub drops messages of a topic nobody subscribes to."""
    return f"{dead_letter_topic(topic)}-pull"


def encode_message(payload: dict) -> bytes:
    """A message body: compact JSON in UTF-8, what validation.parse_json reads back."""
    import json  # here: the CLI's parser imports this module for the topic names alone

    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
