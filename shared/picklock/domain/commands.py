"""Operator commands at the moment they are recorded: what they withdraw, how they are ordered,
and whether they would take effect. Pure: the caller passes the state it read and `now`."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Iterable

from .ledger import fold_ledger
from .manual import fold_manual
from .merge import MergeInputs, MergeResult, merge_and_lock, same_pick
from .picks import ManualCommand, Pick

REFUSAL_EVENTS = ("manual_refused", "late_pick_refused", "halted")
_TICK = timedelta(milliseconds=1)


def with_targets(inputs: MergeInputs, command: ManualCommand) -> ManualCommand:
    """A remove or void names what it withdraws: the published picks live on its key (a remove:
    manual ones only) and the add in force there. Those are withdrawn whatever the clocks of the
    operator's and the exporters' machines say."""
    if command.action == "add":
        return command
    manual_only = command.action == "remove"
    published = {pick.pick_id: pick for pick in fold_ledger(inputs.ledger).values()}
    published.update({pick.pick_id: pick for pick in inputs.shown if pick.pick_id not in published})
    targets = {pick.pick_id for pick in published.values()
               if pick.key == command.key and pick.live and not (manual_only and pick.source != "manual")}
    # Only an add stamped no later than it: a re-add stamped later must survive a remove delivered late.
    state = fold_manual(c for c in inputs.manual
                        if c.request_id != command.request_id and c.submitted_at <= command.submitted_at).get(command.key)
    if state is not None and state.wanted is not None:
        targets.add(state.wanted.request_id)
    return replace(command, targets=tuple(sorted(targets)))


def ordered_after_seen(inputs: MergeInputs, command: ManualCommand) -> ManualCommand:
    """An operator's command comes after every command on its key that was recorded when it was
    issued, even if this machine's clock is behind the one that stamped those: restamp it just
    after the latest. (Messages keep their stamp: reordered delivery must not matter.)"""
    return ordered_after(command, (c.submitted_at for c in inputs.manual
                                   if c.key == command.key and c.request_id != command.request_id))


def ordered_after(command, seen: Iterable[datetime]):
    """The command (manual or halt), restamped just after the latest instant seen if its own
    stamp is not later."""
    latest = max(seen, default=None)
    if latest is not None and latest >= command.submitted_at:
        return replace(command, submitted_at=latest + _TICK)
    return command


def command_refusal(inputs: MergeInputs, command: ManualCommand, *, now: datetime) -> str | None:
    """Why this command would not take effect on the current state, or None.

    The CLI refuses such a command with this message and records nothing; a message is recorded
    (a later delivery may give it its effect) and reported as not in effect."""
    after = merge_and_lock(replace(inputs, manual=inputs.manual + (command,)), now=now, export_id="preview")
    if command.action == "add":
        return add_refusal(after, command)
    # No refusal event names a remove or void (they name the add in force): either changes its
    # key, or it is refused.
    before = merge_and_lock(inputs, now=now, export_id="preview")
    if _key_state(before.picks, command.key) == _key_state(after.picks, command.key):
        if command.action == "void":
            return f"nothing published on {command.key} to void"
        return f"no manual pick on {command.key} to remove"
    return None


def add_refusal(merged: MergeResult, add: ManualCommand) -> str | None:
    """Why an add is not in effect in a merge that holds it (a preview, or the export that
    followed its recording), or None."""
    refusal = refusal_in((e.as_dict() for e in merged.events), add.request_id)
    if refusal:
        return refusal
    if any(p.live and p.manual_request_id == add.request_id for p in merged.picks):
        return None
    if any(p.live and p.source == "manual" and same_pick(p, add) for p in merged.picks if p.key == add.key):
        return None  # the same pick is already published by an earlier add
    return f"the add on {add.key} is superseded by a later command on that key (check this machine's clock)"


def refusal_in(events: Iterable[dict], request_id: str) -> str | None:
    """The detail of the first event (a merge's, or an audit row's) refusing the command
    `request_id`, or None."""
    return next((e["detail"] for e in events if e.get("request_id") == request_id and e["kind"] in REFUSAL_EVENTS),
                None)


def reuse_conflict(recorded: ManualCommand, command: ManualCommand) -> str | None:
    """A request_id names one command: a re-run asks for the same thing; anything else reusing
    the id is refused, naming the command recorded under it."""
    if recorded.intent() == command.intent():
        return None
    return (f"request id {command.request_id} was already used for {recorded.action} {recorded.key} "
            f"(submitted {recorded.submitted_at.isoformat()} by {recorded.submitted_by}); use a new request id")


def _key_state(picks: tuple[Pick, ...], key) -> list[tuple[str, str]]:
    return sorted((p.pick_id, p.status) for p in picks if p.key == key)
