"""Folding operator commands into the manual state of each pick key.

Delivery may be duplicated or reordered, so the state depends only on the set of commands:
the manual pick of a key is its latest add/remove by `submitted_at` (then request_id), and voids
and removes are permanent tombstones that apply to picks first published at or before them.

`submitted_at` comes from the operator's machine and `first_published_at` from the exporter's,
so a void or remove also names what it withdraws (`targets`: the pick ids and add request ids
live on its key when it was recorded): those are withdrawn whatever the clocks say.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from .picks import ManualCommand, Pick, PickKey

REMOVED = "removed"


@dataclass(frozen=True)
class Tombstone:
    order: tuple[datetime, str]  # (submitted_at, request_id) of the void or remove
    reason: str
    manual_only: bool  # a remove withdraws manual picks only; a void withdraws any pick
    targets: frozenset[str] = frozenset()

    def applies_to(self, pick: Pick, add_orders: dict[str, tuple[datetime, str]]) -> bool:
        if self.manual_only and pick.source != "manual":
            return False
        if pick.pick_id in self.targets or (pick.manual_request_id or "") in self.targets:
            return True
        created = add_orders.get(pick.manual_request_id or "")
        if created is not None:  # a manual pick: withdrawn by commands that came after its add
            return created < self.order
        return pick.first_published_at <= self.order[0]


@dataclass(frozen=True)
class ManualState:
    wanted: ManualCommand | None  # the add that is in force, if any
    tombstones: tuple[Tombstone, ...]
    add_orders: dict[str, tuple[datetime, str]]  # request_id of each add -> its order

    def tombstone_for(self, pick: Pick) -> Tombstone | None:
        return next((t for t in self.tombstones if t.applies_to(pick, self.add_orders)), None)


def fold_manual(commands: Iterable[ManualCommand]) -> dict[PickKey, ManualState]:
    unique = {command.request_id: command for command in sorted(commands, key=lambda c: c.order, reverse=True)}
    by_key: dict[PickKey, list[ManualCommand]] = {}
    for command in sorted(unique.values(), key=lambda c: c.order):
        by_key.setdefault(command.key, []).append(command)
    states = {}
    for key, history in by_key.items():
        withdrawn = {target for command in history for target in command.targets}
        wanted = None
        tombstones = []
        for command in history:
            if command.action == "add":  # a withdrawn add still supersedes the adds before it
                wanted = None if command.request_id in withdrawn else command
            elif command.action == "remove":
                wanted = None
                tombstones.append(Tombstone(command.order, REMOVED, True, frozenset(command.targets)))
            else:
                tombstones.append(Tombstone(command.order, command.reason or "voided", False, frozenset(command.targets)))
        add_orders = {c.request_id: c.order for c in history if c.action == "add"}
        states[key] = ManualState(wanted, tuple(tombstones), add_orders)
    return states
