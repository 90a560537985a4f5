"""Merge rules 1-6 of DESIGN.md, one by one, on the pure core (merge_and_lock)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from picklock.domain.ledger import fold_ledger
from picklock.domain.commands import command_refusal, with_targets
from picklock.domain.merge import MergeInputs, merge_and_lock
from picklock.domain.picks import LedgerRow, PickKey

from builders import (
    GAME_DATE, MS, START, TIPOFF, Core, add, at, events_of, only, pick, remove, signal, void,
)


# ------------------------------------------------------------------ rule 1: the ledger is never dropped

def test_published_pick_absent_from_later_signal_stays_locked():
    core = Core()
    first = core.run(signal=[signal("tatum", rank=1), signal("brown", rank=2)])
    second = core.run(signal=[signal("brown", rank=1)], now=at(1))
    tatum = only(second.picks, "tatum")
    assert tatum.status == "locked"
    assert tatum.published_fields() == only(first.picks, "tatum").published_fields()


def test_every_ledger_pick_survives_an_export_with_no_inputs():
    core = Core()
    first = core.run(signal=[signal("a", rank=1), signal("b", rank=2)], manual=[add("m", "r1")])
    second = core.run(now=at(1))  # signal table emptied, manual commands not passed
    assert {p.pick_id for p in second.picks} == {p.pick_id for p in first.picks}
    assert {p.status for p in second.picks if p.source == "algorithm"} == {"locked"}


def test_pick_shown_in_file_but_missing_from_ledger_is_relocked():
    core = Core()
    lost = core.run(signal=[signal("a")]).picks[0]
    core.ledger.clear()  # the ledger lost it; users still see it in the file
    merged = core.run(shown=[lost], now=at(1))
    assert [p.pick_id for p in merged.picks] == [lost.pick_id]
    assert [r.pick.pick_id for r in merged.ledger_rows] == [lost.pick_id]
    assert [e.pick_id for e in events_of(merged, "relocked")] == [lost.pick_id]


def test_ledger_rows_of_other_dates_are_ignored():
    other = merge_and_lock(MergeInputs(GAME_DATE.replace(day=27), signal=(signal("a", game_date=GAME_DATE.replace(day=27)),)),
                           now=START, export_id="x").ledger_rows
    merged = merge_and_lock(MergeInputs(GAME_DATE, ledger=other), now=START, export_id="y")
    assert merged.picks == ()


def _row(p, export_id, recorded_at, **changes):
    return LedgerRow(replace(p, **changes), "x", export_id, recorded_at)


def test_ledger_fold_keeps_the_first_rows_published_fields():
    """A racing export's later row cannot rewrite what was first published."""
    first = pick("a", first_published_at=at(0), team="BOS")
    rows = [_row(first, "e2", at(1), first_published_at=at(1), team="XXX", line=99.5, status="locked", edge=7.0),
            _row(first, "e1", at(0))]
    folded = fold_ledger(rows)[first.pick_id]
    assert folded.published_fields() == first.published_fields()
    assert (folded.status, folded.edge) == ("locked", 7.0)  # everything else from the latest row


def test_ledger_fold_keeps_a_void_even_if_a_later_row_is_live():
    """A racer that read before the void (its clock ahead) writes a later live row: the void stays."""
    p = pick("a")
    rows = [_row(p, "e1", at(0)), _row(p, "e2", at(1), status="voided", void_reason="injury"),
            _row(p, "e3", at(2), status="locked")]
    folded = fold_ledger(rows)[p.pick_id]
    assert (folded.status, folded.void_reason) == ("voided", "injury")
    core = Core()
    core.ledger.extend(rows)
    merged = core.run(signal=[signal("a")], now=at(3))
    assert [q.status for q in merged.picks] == ["voided"]


# ------------------------------------------------------------------ rule 2: overlay the signal

def test_agreeing_signal_refreshes_only_refreshable_fields():
    core = Core()
    before = only(core.run(signal=[signal("a", edge=3.0, rank=2, angles=("x",))]).picks, "a")
    moved = signal("a", edge=5.5, rank=1, angles=("y", "z"), player_name="A. Player",
                   team="XXX", algorithm_version="v10", game_id="other")
    merged = core.run(signal=[moved], now=at(1))
    after = only(merged.picks, "a")
    assert (after.edge, after.rank, after.angles, after.player_name) == (5.5, 1, ("y", "z"), "A. Player")
    assert after.published_fields() == before.published_fields()
    assert after.team == "BOS" and after.algorithm_version == "v9"
    assert [r.change for r in merged.ledger_rows] == ["refreshed"]


def test_no_refresh_at_or_after_tip_off():
    core = Core()
    before = only(core.run(signal=[signal("a", edge=3.0)]).picks, "a")
    at_tip = core.run(signal=[signal("a", edge=9.0, rank=7)], now=TIPOFF)
    after = only(at_tip.picks, "a")
    assert (after.edge, after.rank, after.status) == (before.edge, before.rank, "active")
    assert at_tip.ledger_rows == ()


def test_refresh_one_millisecond_before_tip_off():
    core = Core()
    core.run(signal=[signal("a", edge=3.0)])
    after = only(core.run(signal=[signal("a", edge=9.0)], now=TIPOFF - MS).picks, "a")
    assert after.edge == 9.0


@pytest.mark.parametrize("moved", [
    signal("a", "UNDER", 20.5, edge=-4.0), signal("a", "OVER", 21.5, edge=4.0),
], ids=["flip", "new_line"])
def test_disagreeing_signal_keeps_published_fields_locks_and_reports(moved):
    core = Core()
    before = only(core.run(signal=[signal("a", "OVER", 20.5, edge=3.0)]).picks, "a")
    merged = core.run(signal=[moved], now=at(1))
    after = only(merged.picks, "a")
    assert after.published_fields() == before.published_fields()
    assert (after.direction, after.line, after.edge) == ("OVER", 20.5, 3.0)
    assert after.status == "locked"
    [event] = events_of(merged, "signal_disagrees")
    assert event.pick_id == before.pick_id and "published OVER 20.5 kept" in event.detail
    assert [r.change for r in merged.ledger_rows] == ["locked,signal_disagrees"]
    # Said once: the next export with the same disagreement adds neither an event nor a row.
    again = core.run(signal=[moved], now=at(2))
    assert events_of(again, "signal_disagrees") == [] and again.ledger_rows == ()


def test_signal_agreeing_again_reactivates_the_pick():
    core = Core()
    core.run(signal=[signal("a")])
    core.run(signal=[signal("a", "UNDER")], now=at(1))
    merged = core.run(signal=[signal("a", edge=7.0)], now=at(2))
    assert only(merged.picks, "a").status == "active"
    assert only(merged.picks, "a").edge == 7.0
    assert merged.ledger_rows[0].change == "reactivated,refreshed"


# ------------------------------------------------------------------ rule 3: new signal picks

def test_new_signal_pick_added_before_tip_off():
    merged = Core().run(signal=[signal("a")], now=TIPOFF - MS)
    assert only(merged.picks, "a").status == "active"


@pytest.mark.parametrize("now", [TIPOFF, TIPOFF + MS, at(10)], ids=["at_tip", "after", "late"])
def test_new_signal_pick_refused_after_tip_off(now):
    merged = Core().run(signal=[signal("a")], now=now)
    assert merged.picks == () and merged.ledger_rows == ()
    [event] = events_of(merged, "late_pick_refused")
    assert event.player_lookup == "a"


def test_tip_off_is_the_game_time_of_the_row_not_of_another_game():
    late_game = TIPOFF + (at(3) - START)
    merged = Core().run(signal=[signal("a", game_time=TIPOFF), signal("b", game_time=late_game, team="LAC")],
                        now=TIPOFF + MS)
    assert [p.player_lookup for p in merged.picks] == ["b"]


def test_tip_off_has_passed_for_a_published_pick_that_only_changes_status():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(signal=[], now=TIPOFF + MS)
    assert only(merged.picks, "a").status == "locked"


# ------------------------------------------------------------------ rule 4: manual picks

def test_manual_add_creates_a_manual_pick_with_its_lineage():
    merged = Core().run(manual=[add("m", "req-1", direction="UNDER", line=7.5)])
    m = only(merged.picks, "m")
    assert (m.source, m.status, m.direction, m.line) == ("manual", "active", "UNDER", 7.5)
    assert (m.manual_request_id, m.submitted_by, m.system_id) == ("req-1", "ops", "manual")


def test_manual_add_replaces_an_unpublished_algorithm_pick_on_the_same_key():
    merged = Core().run(signal=[signal("a", "OVER", 20.5)], manual=[add("a", "req-1", direction="UNDER", line=19.5)])
    [a] = merged.picks
    assert (a.source, a.direction, a.line) == ("manual", "UNDER", 19.5)


def test_manual_add_over_a_published_algorithm_pick_is_refused():
    core = Core()
    published = only(core.run(signal=[signal("a")]).picks, "a")
    merged = core.run(signal=[signal("a")], manual=[add("a", "req-1", at(1), "UNDER", 19.5)], now=at(1))
    assert merged.picks == (published,)
    [event] = events_of(merged, "manual_refused")
    assert (event.request_id, event.pick_id) == ("req-1", published.pick_id)
    assert "void it first" in event.detail


def test_manual_add_over_a_published_manual_pick_that_differs_is_refused():
    core = Core()
    core.run(manual=[add("m", "r1", line=10.5)])
    merged = core.run(manual=[add("m", "r1", line=10.5), add("m", "r2", at(1), line=12.5)], now=at(1))
    assert [p.line for p in merged.picks] == [10.5]
    assert [e.request_id for e in events_of(merged, "manual_refused")] == ["r2"]


def test_void_then_manual_add_keeps_the_voided_pick_beside_the_new_one():
    core = Core()
    published = only(core.run(signal=[signal("a")]).picks, "a")
    commands = [void("a", "v1", at(1), reason="model bug"), add("a", "r1", at(1, 1), "UNDER", 19.5)]
    merged = core.run(signal=[signal("a")], manual=commands, now=at(2))
    assert events_of(merged, "manual_refused") == []
    voided = [p for p in merged.picks if p.pick_id == published.pick_id]
    manual = [p for p in merged.picks if p.source == "manual"]
    assert [(p.status, p.void_reason) for p in voided] == [("voided", "model bug")]
    assert [(p.status, p.direction, p.line) for p in manual] == [("active", "UNDER", 19.5)]
    assert voided[0].published_fields() == published.published_fields()
    assert [p.source for p in merged.picks] == ["manual", "algorithm"]  # live first, voided last


def test_void_records_its_reason_permanently():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(signal=[signal("a")], manual=[void("a", "v1", at(1), reason="late scratch")], now=at(2))
    a = only(merged.picks, "a")
    assert (a.status, a.void_reason) == ("voided", "late scratch")
    assert [r.change for r in merged.ledger_rows] == ["voided"]
    # The void stays even if the void command is no longer passed (the ledger remembers it).
    again = core.run(signal=[signal("a")], now=at(3))
    assert only(again.picks, "a").status == "voided"


def test_void_submitted_before_a_pick_was_published_does_not_void_it():
    core = Core()
    merged = core.run(signal=[signal("a")], manual=[void("a", "v1", at(-1))], now=at(0))
    assert only(merged.picks, "a").status == "active"


@pytest.mark.parametrize("ahead", [0, 1000], ids=["same_instant", "operator_clock_ahead"])
def test_void_not_before_the_export_covers_the_pick_it_would_create(ahead):
    """A void covers picks first published at or before it: one created by this export too, so the
    next export with the same inputs does not void it after the fact (G5)."""
    core = Core()
    commands = [void("a", "v1", at(0) + MS * ahead)]
    first = core.run(signal=[signal("a")], manual=commands, now=at(0))
    assert first.picks == () and len(events_of(first, "signal_suppressed")) == 1
    assert core.run(signal=[signal("a")], manual=commands, now=at(0)).picks == ()
    # Once the void is in the past, a new pick is a new publication the void does not cover.
    later = core.run(signal=[signal("a")], manual=commands, now=at(0) + MS * (ahead + 1))
    assert [p.status for p in later.picks] == ["active"]


def test_remove_of_an_unpublished_manual_pick_deletes_it():
    merged = Core().run(manual=[add("m", "r1", at(0)), remove("m", "r2", at(0, 5))], now=at(1))
    assert merged.picks == () and merged.ledger_rows == ()


def test_remove_of_an_unpublished_manual_pick_lets_the_signal_pick_through():
    merged = Core().run(signal=[signal("a")], manual=[add("a", "r1", at(0)), remove("a", "r2", at(0, 5))], now=at(1))
    assert [(p.source, p.status) for p in merged.picks] == [("algorithm", "active")]


def test_remove_of_a_published_manual_pick_voids_it_as_removed():
    core = Core()
    published = only(core.run(manual=[add("m", "r1")]).picks, "m")
    merged = core.run(manual=[add("m", "r1"), remove("m", "r2", at(1))], now=at(2))
    m = only(merged.picks, "m")
    assert (m.pick_id, m.status, m.void_reason) == (published.pick_id, "voided", "removed")


def test_remove_never_withdraws_an_algorithm_pick():
    core = Core()
    core.run(signal=[signal("a")])
    merged = core.run(signal=[signal("a")], manual=[remove("a", "r1", at(1))], now=at(2))
    assert only(merged.picks, "a").status == "active"


def test_voided_key_is_not_reopened_by_the_signal():
    core = Core()
    core.run(signal=[signal("a")])
    commands = [void("a", "v1", at(1))]
    core.run(signal=[signal("a")], manual=commands, now=at(2))
    merged = core.run(signal=[signal("a", "UNDER", 18.5, system_id="other")], manual=commands, now=at(3))
    assert [(p.status, p.direction) for p in merged.picks] == [("voided", "OVER")]
    assert len(events_of(merged, "signal_suppressed")) == 1


def test_manual_add_after_tip_off_is_refused():
    merged = Core().run(manual=[add("m", "r1", TIPOFF + MS, game_time=TIPOFF)], now=TIPOFF + MS)
    assert merged.picks == ()
    [event] = events_of(merged, "late_pick_refused")
    assert event.request_id == "r1"


def test_manual_tip_off_is_learnt_from_the_signal_schedule():
    rows = [signal("a", team="LAL", opponent="GSW", game_time=TIPOFF, game_id="g7")]
    late = Core().run(signal=rows, manual=[add("m", "r1", TIPOFF, team="GSW", opponent="LAL")], now=TIPOFF)
    assert [p.player_lookup for p in late.picks if p.source == "manual"] == []
    early = Core().run(signal=rows, manual=[add("m", "r1", TIPOFF - MS, team="GSW", opponent="LAL")], now=TIPOFF)
    m = only(early.picks, "m")
    assert (m.game_id, m.game_time) == ("g7", TIPOFF)


def test_manual_add_submitted_before_tip_off_is_published_even_if_exported_after():
    merged = Core().run(manual=[add("m", "r1", TIPOFF - MS, game_time=TIPOFF)], now=TIPOFF + (at(1) - START))
    assert only(merged.picks, "m").status == "active"


# ------------------------------------------------------------------ rule 5: ranking

def test_display_order_active_by_rank_then_locked_then_manual_then_voided():
    core = Core()
    core.run(signal=[signal("c", rank=2), signal("d", rank=4), signal("e", rank=5), signal("x", rank=3),
                     signal("n", rank=None)],
             manual=[add("m", "r1")])
    merged = core.run(
        signal=[signal("a", rank=3), signal("b", rank=1), signal("e", rank=1), signal("new", rank=None)],
        manual=[add("m", "r1"), void("e", "v1", at(1))], now=at(2))
    order = [(p.player_lookup, p.status, p.source) for p in merged.picks]
    assert order == [
        ("b", "active", "algorithm"), ("a", "active", "algorithm"), ("new", "active", "algorithm"),
        ("c", "locked", "algorithm"), ("x", "locked", "algorithm"), ("d", "locked", "algorithm"),
        ("n", "locked", "algorithm"),  # unranked, and still before every manual pick
        ("m", "active", "manual"),
        ("e", "voided", "algorithm"),
    ]


def test_display_order_is_stable_for_equal_ranks_and_input_order():
    rows = [signal(name, rank=1) for name in ("d", "b", "a", "c")]
    first = Core().run(signal=rows)
    second = Core().run(signal=list(reversed(rows)))
    assert [p.player_lookup for p in first.picks] == ["a", "b", "c", "d"]
    assert first.picks == second.picks


# ------------------------------------------------------------------ duplicates and races

def test_duplicate_signal_rows_resolve_to_the_best_rank_with_an_event():
    merged = Core().run(signal=[signal("a", "UNDER", 19.5, rank=4), signal("a", "OVER", 20.5, rank=2),
                                signal("a", "OVER", 22.5, rank=None)])
    a = only(merged.picks, "a")
    assert (a.direction, a.line, a.rank) == ("OVER", 20.5, 2)
    assert len(events_of(merged, "duplicate_signal_row")) == 2


def _two_live_picks_on_one_key():
    """Two exports raced and each locked its own pick for the same key (different pick_ids)."""
    older = merge_and_lock(MergeInputs(GAME_DATE, signal=(signal("a", "OVER", 20.5, system_id="s1"),)),
                           now=at(0), export_id="e1")
    newer = merge_and_lock(MergeInputs(GAME_DATE, signal=(signal("a", "UNDER", 21.5, system_id="s2"),)),
                           now=at(0, 1), export_id="e2")
    return older.ledger_rows + newer.ledger_rows, older.picks[0], newer.picks[0]


def test_two_live_picks_on_a_key_resolve_to_the_one_shown():
    ledger, older, newer = _two_live_picks_on_one_key()
    merged = merge_and_lock(MergeInputs(GAME_DATE, ledger=ledger, shown=(newer,)), now=at(1), export_id="e3")
    status = {p.pick_id: (p.status, p.void_reason) for p in merged.picks}
    assert status == {newer.pick_id: ("locked", None), older.pick_id: ("voided", "duplicate")}
    assert [e.pick_id for e in events_of(merged, "voided")] == [older.pick_id]


def test_two_live_picks_on_a_key_without_a_file_keep_the_first_published():
    ledger, older, newer = _two_live_picks_on_one_key()
    merged = merge_and_lock(MergeInputs(GAME_DATE, ledger=ledger), now=at(1), export_id="e3")
    status = {p.pick_id: p.status for p in merged.picks}
    assert status == {older.pick_id: "locked", newer.pick_id: "voided"}


# ------------------------------------------------------------------ ledger rows: new or changed only

def test_unchanged_export_writes_no_ledger_rows():
    core = Core()
    rows = [signal("a", rank=1), signal("b", rank=2)]
    commands = [add("m", "r1"), void("b", "v1", at(0, 1))]
    first = core.run(signal=rows, manual=commands, now=at(0, 2))
    assert len(first.ledger_rows) == 3
    assert core.run(signal=rows, manual=commands, now=at(1)).ledger_rows == ()


def test_only_new_or_changed_picks_get_ledger_rows():
    core = Core()
    core.run(signal=[signal("a", rank=1), signal("b", rank=2)])
    merged = core.run(signal=[signal("a", rank=1), signal("b", rank=2, edge=9.9), signal("c", rank=3)], now=at(1))
    assert sorted((r.pick.player_lookup, r.change) for r in merged.ledger_rows) == [
        ("b", "refreshed"), ("c", "published")]
    assert all(r.export_id == "e002" and r.recorded_at == at(1) for r in merged.ledger_rows)


# ------------------------------------------------------------------ command_refusal

def _inputs(core: Core, **kwargs) -> MergeInputs:
    return MergeInputs(GAME_DATE, ledger=tuple(core.ledger), **kwargs)


def test_refusal_void_with_nothing_published():
    refusal = command_refusal(MergeInputs(GAME_DATE), void("a", "v1", at(1)), now=at(1))
    assert refusal == f"nothing published on {PickKey(GAME_DATE, 'a')} to void"


def test_refusal_void_stamped_before_the_publication_by_a_slow_clock_takes_effect_with_its_targets():
    core = Core()
    core.run(signal=[signal("a")], now=at(2))
    stale = void("a", "v1", at(1))  # the operator's clock is behind the exporter's
    assert "nothing published" in command_refusal(_inputs(core), stale, now=at(2))  # by the clocks alone
    assert command_refusal(_inputs(core), with_targets(_inputs(core), stale), now=at(2)) is None
    assert command_refusal(_inputs(core), void("a", "v2", at(3)), now=at(3)) is None


def test_refusal_remove_without_a_manual_pick():
    core = Core()
    core.run(signal=[signal("a")])
    assert command_refusal(_inputs(core), remove("a", "r1", at(1)), now=at(1)) == (
        f"no manual pick on {PickKey(GAME_DATE, 'a')} to remove")
    # An unpublished manual add can be removed.
    pending = MergeInputs(GAME_DATE, manual=(add("m", "r1"),))
    assert command_refusal(pending, remove("m", "r2", at(1)), now=at(1)) is None


def test_refusal_add_over_a_published_pick_names_it():
    core = Core()
    core.run(signal=[signal("a", "OVER", 20.5)])
    refusal = command_refusal(_inputs(core, signal=(signal("a"),)), add("a", "r1", at(1), "UNDER", 19.5), now=at(1))
    assert refusal == (f"{PickKey(GAME_DATE, 'a')} is held by published algorithm pick OVER 20.5; void it first")


def test_refusal_add_after_tip_off():
    refusal = command_refusal(MergeInputs(GAME_DATE), add("m", "r1", TIPOFF, game_time=TIPOFF), now=TIPOFF)
    assert refusal is not None and refusal.startswith("manual pick submitted after tip-off")


def test_refusal_none_for_a_plain_add_and_for_a_repeat_of_the_published_manual_pick():
    core = Core()
    assert command_refusal(MergeInputs(GAME_DATE), add("m", "r1"), now=START) is None
    core.run(manual=[add("m", "r1")])
    assert command_refusal(_inputs(core, manual=(add("m", "r1"),)), add("m", "r2", at(1)), now=at(1)) is None


def test_refusal_previews_without_side_effects():
    core = Core()
    core.run(signal=[signal("a")])
    inputs = _inputs(core)
    command_refusal(inputs, void("a", "v1", at(1)), now=at(1))
    assert inputs.manual == () and len(core.ledger) == 1
