"""What became of a message published to a function's topic (`picklock publish … --wait`): the
export it caused, from the audit, or the reason it was parked, from its dead-letter queue."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date
from typing import Callable, Protocol

from ..domain.commands import refusal_in
from ..domain.export import AuditRecord
from .services import PicklockService


class ParkedMessages(Protocol):
    def peek(self, topic: str, *, max_messages: int = 100) -> list:
        """The parked messages of `topic` (each with message_id and attributes), consuming none."""


@dataclass(frozen=True)
class Outcome:
    exports: tuple[AuditRecord, ...] = ()
    parked: str | None = None  # the reason, when the function parked the message

    @property
    def ok(self) -> bool:
        return self.parked is None and bool(self.exports)


def audited_ids(service: PicklockService, game_date: date, sport: str) -> set[str]:
    return {record.export_id for record in service.audit_records(game_date, sport)}


def wait_for_outcome(service: PicklockService, parked: ParkedMessages, topic: str, message_id: str,
                     game_date: date, sport: str, before: set[str], triggers: tuple[str, ...], *,
                     timeout: float, request_id: str | None = None, sleep: Callable[[float], None] = time.sleep,
                     clock: Callable[[], float] = time.monotonic) -> Outcome | None:
    """Poll until the message is parked or an export of `game_date` with one of `triggers` that
    was not in `before` is audited; None when `timeout` seconds pass first. Parking is looked for
    first: a function parks a remove or void that is not in effect before it exports. An add is
    refused by its export's merge and parked after it: an export whose audit refuses the command
    `request_id` is the outcome only if no park follows before the timeout."""
    deadline = clock() + timeout
    while True:
        for message in parked.peek(topic):
            if message.message_id == message_id:
                return Outcome(parked=message.attributes.get("error", "parked"))
        new = tuple(r for r in service.audit_records(game_date, sport)
                    if r.export_id not in before and r.trigger_source in triggers)
        if new and not any(_refuses(record, request_id) for record in new):
            return Outcome(exports=new)
        if clock() >= deadline:
            return Outcome(exports=new) if new else None
        sleep(0.25)


def _refuses(record: AuditRecord, request_id: str | None) -> bool:
    return request_id is not None and refusal_in(json.loads(record.events), request_id) is not None
