"""CLI commands that talk to a running stack (the local one of `make dev`, or Google Cloud):
publishing messages for the functions, waiting for their outcome, and the dead-letter queues.

They make no sense on the embedded backend, which has no functions listening: there they are
refused, naming what to set, instead of falling back to something that looks like it worked."""
from __future__ import annotations

from datetime import date
from ..bootstrap import message_publisher
from ..config import Config
from ..domain.calendar import format_instant
from ..service_layer.outcomes import audited_ids, wait_for_outcome
from ..service_layer.ports import MessagePublisher
from ..service_layer.services import PicklockService
from ..topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED, TOPICS
from ..validation import InputError

# The exports a message to each topic causes, as the audit names their trigger.
TRIGGERED_BY = {SIGNAL_UPDATED: ("signal_updated",), GRADING_COMPLETE: ("post_grading",), MANUAL_PICKS: ("manual",)}


class Stack:
    def __init__(self, config: Config):
        self.config = config

    def require(self, what: str) -> None:
        if self.config.backend == "gcp":
            return
        missing = [name for name, value in (("PICKLOCK_BACKEND=gcp", None), ("PICKLOCK_PROJECT", self.config.project),
                                            ("PICKLOCK_BUCKET", self.config.bucket)) if not value]
        raise InputError(what, "needs a running stack (the functions listen there, not on the embedded backend): "
                               f"set {', '.join(missing)} — `make dev` writes them to .emulators/dev.env, "
                               "use `--env .emulators/dev.env` or `source` it")

    def messages(self, what: str) -> MessagePublisher:
        self.require(what)
        return message_publisher(self.config)

    def dead_letters(self, what: str):
        self.require(what)
        from ..adapters.pubsub import DeadLetters

        return DeadLetters(self.config.project)


def publish(stack: Stack, service: PicklockService, topic: str, payload: dict, game_date: date, sport: str,
            what: str, out, *, wait: float | None, label: str = "") -> int:
    """Publish, say so, and with `wait` report what the function did: exit 1 when it parked the
    message or nothing was heard of it in time."""
    messages = stack.messages(what)
    before = audited_ids(service, game_date, sport) if wait is not None else set()
    message_id = messages.publish(topic, payload)
    print(f"{label}published to {topic} as message {message_id}", file=out)
    if wait is None:
        return 0
    outcome = wait_for_outcome(service, stack.dead_letters(what), topic, message_id, game_date, sport, before,
                               TRIGGERED_BY[topic], timeout=wait, request_id=payload.get("request_id"))
    if outcome is None:
        print(f"  no outcome within {wait:g} s: the function has not exported {game_date} nor parked the message "
              "(its log: .emulators/logs/functions/ on the local stack)", file=out)
        return 1
    if outcome.parked is not None:
        print(f"  parked on {topic}-dead-letter: {outcome.parked}", file=out)
        return 1
    for record in outcome.exports:
        print(f"  export {record.export_id} {record.outcome}: {record.count_total} picks "
              f"({record.count_active} active, {record.count_locked} locked, {record.count_voided} voided) "
              f"at {format_instant(record.exported_at)}", file=out)
    return 0


def dead_letters(stack: Stack, args, out) -> int:
    queue = stack.dead_letters("dead-letters")
    topics = [args.topic] if args.topic else list(TOPICS)
    if args.action == "list":
        for topic in topics:
            parked = queue.peek(topic)
            print(f"{topic}-dead-letter: {len(parked)} parked", file=out)
            for message in parked:
                body = message.data.decode("utf-8", "replace")
                print(f"  {message.message_id}  {message.published_at or ''}  "
                      f"{message.attributes.get('error', '(parked by Pub/Sub after repeated failures)')}\n"
                      f"    {body[:300]}{'…' if len(body) > 300 else ''}", file=out)
        return 0
    if not args.all and not args.message_id:
        raise InputError("dead-letters replay", "give --message-id ID (repeatable) or --all")
    replayed = queue.replay(args.topic, None if args.all else set(args.message_id))
    for message, new_id in replayed:
        print(f"replayed {message.message_id} to {args.topic} as message {new_id}", file=out)
    missing = set(args.message_id or ()) - {m.message_id for m, _ in replayed}
    for message_id in sorted(missing):
        print(f"not parked on {args.topic}-dead-letter: {message_id}", file=out)
    return 1 if missing else 0
