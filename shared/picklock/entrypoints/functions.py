"""The Pub/Sub-triggered handlers, as plain functions over a CloudEvent (functions/main.py serves them).

A pushed message arrives as CloudEvent data `{"message": {"data": <base64>, "messageId", "attributes"},
"subscription"}`. Each handler decodes and validates it before anything changes:

- A message that can never succeed (not base64, not UTF-8, not JSON, not its topic's schema) is
  poison: logged with the reason, parked on the topic's dead-letter topic with its original bytes,
  and acknowledged by returning normally, so Pub/Sub does not retry it (G9).
- Any other failure (a 5xx, a timeout, an ExportConflict) raises: Pub/Sub redelivers with backoff,
  and after MAX_DELIVERY_ATTEMPTS the subscription itself parks the message.

Redelivery is harmless: triggers re-read the current state, and manual commands are idempotent on
their request_id (G5). A burst of messages for one date costs a few exports, not one each: a message
that an export which started after it already covered is acknowledged as such (service_layer/coalescing.py).
"""
from __future__ import annotations

import base64
import functools
import json
import logging
from datetime import datetime
from typing import Any, Callable, Iterable

from ..bootstrap import bootstrap, message_publisher
from ..config import Config
from ..domain.commands import add_refusal
from ..domain.export import describe
from ..service_layer.ports import MessagePublisher
from ..domain.picks import HaltCommand
from ..service_layer.coalescing import CoalescedExports, Covered
from ..service_layer.errors import InvalidCommand
from ..service_layer.services import ExportReport, PicklockService
from ..structured_log import configure, context
from ..topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED, dead_letter_topic
from ..validation import InputError, manual_command, parse_json, trigger_message

log = logging.getLogger("picklock.functions")

# Pub/Sub refuses attribute values over 1024 bytes.
MAX_ATTRIBUTE_BYTES = 1024


class NotInEffect(Exception):
    """A recorded command that changes nothing now (a void of a pick nobody published, ...)."""


class Handlers:
    def __init__(self, service: PicklockService, dead_letters: MessagePublisher):
        self.service = service
        self.dead_letters = dead_letters
        self.exports = CoalescedExports(service)

    def on_signal_updated(self, event: Any) -> None:
        accepted = self._accept(SIGNAL_UPDATED, event, self._trigger(SIGNAL_UPDATED))
        if accepted:
            message_id, (sport, game_date, trigger), _ = accepted
            # The Cloud Scheduler safety net says trigger "scheduled": audited as such.
            self._log_exports(SIGNAL_UPDATED, message_id, [
                self.exports.export(game_date, trigger or "signal_updated", sport, _published_at(event))])

    def on_grading_complete(self, event: Any) -> None:
        accepted = self._accept(GRADING_COMPLETE, event, self._trigger(GRADING_COMPLETE))
        if accepted:
            # The Cloud Scheduler catch-up says trigger "scheduled": audited as such.
            message_id, (sport, game_date, trigger), _ = accepted
            self._log_exports(GRADING_COMPLETE, message_id,
                              self.exports.grade(game_date, sport, trigger or "post_grading", _published_at(event)))

    def _trigger(self, topic: str) -> Callable[[Any, str], tuple[str, Any, str | None]]:
        """Parses a signal-updated / grading-complete message into (sport, game date, trigger hint);
        a relative game_date ("today") is resolved on the service's clock."""
        def parse(data: Any, where: str) -> tuple[str, Any, str | None]:
            sport, game_date = trigger_message(topic, data, where, clock=lambda: self.service.now())
            return sport, game_date, data.get("trigger")  # validated: "scheduled" or absent
        return parse

    def on_manual_pick(self, event: Any) -> None:
        accepted = self._accept(MANUAL_PICKS, event, manual_command)
        if not accepted:
            return
        message_id, command, body = accepted
        if isinstance(command, HaltCommand):
            self._halt(message_id, command, body)
            return
        # Unchecked: deliveries may come out of order, so each export applies the rules to the
        # latest command per key (by submitted_at) and the outcome does not depend on the order.
        try:
            submission = self.service.submit_manual(command, check=False)
        except InvalidCommand as conflict:  # its request_id names another command: never retried
            self._park(MANUAL_PICKS, message_id, body, conflict)
            return
        log.info("%s %s %s (request %s)", command.action, command.key,
                 "recorded" if submission.recorded else "already recorded", command.request_id,
                 extra=context(topic=MANUAL_PICKS, message_id=message_id, game_date=command.game_date))
        # Parked before the export when the refusal is known (a remove or void), so whoever waits
        # on the outcome sees it first; an add's refusal comes from the export's own merge.
        self._park_if_not_in_effect(message_id, body, submission.refusal)
        # Exported even when already recorded: the first delivery may have failed after recording.
        # Only an export that started after the command was recorded covers it.
        report = self.exports.export(command.game_date, "manual", command.sport, self.exports.clock())
        if command.action == "add" and isinstance(report, ExportReport):
            self._park_if_not_in_effect(message_id, body, add_refusal(report.plan.merge, submission.command))
        self._log_exports(MANUAL_PICKS, message_id, [report])

    def _park_if_not_in_effect(self, message_id: str | None, body: bytes, refusal: str | None) -> None:
        """A recorded command that is not in effect (a later delivery may still give it its effect)
        is never acknowledged as if it were: it is parked with the reason, for the operator."""
        if refusal:
            self._park(MANUAL_PICKS, message_id, body, NotInEffect(f"recorded, not in effect: {refusal}"))

    def _halt(self, message_id: str | None, command: HaltCommand, body: bytes) -> None:
        """A halt or resume is recorded, then today's all.json of the sport is exported so the
        banner shows (or goes) at once."""
        try:
            submission = self.service.submit_halt(command, check=False)
        except InvalidCommand as conflict:
            self._park(MANUAL_PICKS, message_id, body, conflict)
            return
        outcome = "recorded" if submission.recorded else (submission.refusal or "already recorded")
        log.info("%s %s: %s (request %s)", command.action, command.sport, outcome, command.request_id,
                 extra=context(topic=MANUAL_PICKS, message_id=message_id))
        today = self.service.today(command.sport)
        self._log_exports(MANUAL_PICKS, message_id, [
            self.exports.export(today, "manual", command.sport, self.exports.clock())])

    def _accept(self, topic: str, event: Any,
                parse: Callable[[Any, str], Any]) -> tuple[str | None, Any, bytes] | None:
        """(message id, parsed value, body), or None once a poison message has been parked."""
        message_id, body, error = _unwrap(event)
        if error is None:
            try:
                return message_id, parse(parse_json(body, "message"), "message"), body
            except InputError as invalid:
                error = invalid
        self._park(topic, message_id, body, error)
        return None

    def _park(self, topic: str, message_id: str | None, body: bytes, error: Exception) -> None:
        parked_id = self.dead_letters.publish_bytes(dead_letter_topic(topic), body, {
            "error": _truncate(str(error)), "source_topic": topic, "message_id": _truncate(str(message_id or "")),
        })
        log.error("message parked on %s as %s: %s", dead_letter_topic(topic), parked_id, error,
                  extra=context(topic=topic, message_id=message_id, error=error))

    @staticmethod
    def _log_exports(topic: str, message_id: str | None, reports: Iterable[ExportReport | Covered]) -> None:
        for report in reports:
            if isinstance(report, Covered):
                log.info("covered by export %s, which started at %s, after this message", report.export_id,
                         report.started_at.isoformat(), extra=context(
                             topic=topic, message_id=message_id, game_date=report.game_date,
                             export_id=report.export_id, outcome="covered"))
                continue
            record = report.plan.audit[-1]  # this export's own record (earlier ones are recoveries)
            where = context(topic=topic, message_id=message_id, game_date=record.game_date,
                            export_id=record.export_id, trigger=record.trigger_source, outcome=record.outcome)
            timings = {step: round(seconds * 1000, 1) for step, seconds in report.timings.items()}
            log.info(describe(report.plan), extra={**where, **context(timings_ms=timings)})
            for notice in report.plan.notices:
                log.warning("%s: %s", notice["kind"], notice["detail"], extra=where)


def _unwrap(event: Any) -> tuple[str | None, bytes, InputError | None]:
    """The message id and body of a pushed message, and why it is unusable (None when it is not).
    The body of an unusable message is whatever is closest to what was published, to park it."""
    envelope, message = _message(event)
    if message is None:
        return None, _raw(envelope), InputError("event", "not a Pub/Sub push (no `message` object)")
    message_id = message.get("messageId") or message.get("message_id")
    data = message.get("data", "")
    if not isinstance(data, str):
        return message_id, _raw(data), InputError("message.data", "not a base64 string")
    try:
        return message_id, base64.b64decode(data, validate=True), None
    except ValueError:  # binascii.Error, or a character that is not even ASCII
        return message_id, data.encode("utf-8", "surrogatepass"), InputError("message.data", "not valid base64")


def _message(event: Any) -> tuple[Any, dict | None]:
    """The push envelope, and its `message` object (None when there is none)."""
    envelope = getattr(event, "data", None)
    message = envelope.get("message") if isinstance(envelope, dict) else None
    return envelope, message if isinstance(message, dict) else None


def _published_at(event: Any) -> datetime | None:
    """When Pub/Sub says it published the message; None (no coalescing) when it does not say."""
    _, message = _message(event)
    stamp = (message.get("publishTime") or message.get("publish_time")) if message is not None else None
    try:
        published = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return published if published.tzinfo is not None else None


def _raw(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return json.dumps(value, default=str).encode("utf-8")


def _truncate(text: str) -> str:
    return text.encode("utf-8", "backslashreplace")[:MAX_ATTRIBUTE_BYTES].decode("utf-8", errors="ignore")


@functools.cache
def handlers() -> Handlers:
    """Built on the first message and kept for the life of the process (the instance)."""
    configure()
    config = Config.from_env()
    return Handlers(bootstrap(config), message_publisher(config))


def on_signal_updated(event: Any) -> None:
    handlers().on_signal_updated(event)


def on_grading_complete(event: Any) -> None:
    handlers().on_grading_complete(event)


def on_manual_pick(event: Any) -> None:
    handlers().on_manual_pick(event)
