"""Property-based tests: random days of operations through the service on fakes, checking G1-G5, G7
and G10 after every export; order- and duplicate-independence of the manual state; purity of the merge."""
from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings, strategies as st

from picklock.domain.grading import grade
from picklock.domain.ledger import fold_ledger, versions_to_fold
from picklock.domain.manual import fold_manual
from picklock.domain.merge import MergeInputs, merge_and_lock
from picklock.domain.picks import GameResult, LedgerRow
from picklock.service_layer.errors import InvalidCommand
from tests.harness.nba_paths import ALL_JSON, date_file_name

from builders import (
    CRASH_POINTS, GAME_DATE, START, TIPOFF, Crash, add, assert_every_version_audited, assert_monotonic,
    assert_one_live_per_key, assert_published_fields_frozen, assert_round_trip, crashing, date_versions, entries, pick,
    remove, result, signal, void,
)
from fakes import make_service

PLAYERS = ("p0", "p1", "p2", "p3", "p4", "p5")
DATE_FILE = date_file_name(GAME_DATE)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

players = st.sampled_from(PLAYERS)
directions = st.sampled_from(("OVER", "UNDER"))
lines = st.sampled_from((19.5, 20.5, 25.0))
back = st.sampled_from((0, 1, 10, 45))  # minutes a command was submitted before it arrives

signal_rows = st.lists(
    st.builds(lambda p, d, l, r, s: signal(p, d, l, rank=r, system_id=s, algorithm_version=s + ".1",
                                           edge=float(r or 0)),
              players, directions, lines, st.one_of(st.none(), st.integers(1, 6)), st.sampled_from(("s1", "s2"))),
    max_size=7)  # seven rows over six players: duplicates occur

signal_run = st.tuples(st.just("signal"), signal_rows)
export = st.tuples(st.just("export"), st.sampled_from(("signal_updated", "manual", "scheduled", "cli", "post_grading")))
crash = st.tuples(st.just("crash"), st.sampled_from(sorted(CRASH_POINTS)))
operations = st.one_of(
    signal_run, signal_run,
    st.tuples(st.just("add"), players, directions, lines, st.sampled_from((("LAL", "GSW"), ("BOS", "NYK"))),
              st.sampled_from((None, TIPOFF)), back, st.booleans()),
    st.tuples(st.just("remove"), players, back, st.booleans()),
    st.tuples(st.just("void"), players, st.sampled_from(("injury", "bad line")), back, st.booleans()),
    st.tuples(st.just("redeliver"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.sampled_from((5, 30, 90, 240))),
    st.tuples(st.just("results"), st.dictionaries(players, st.one_of(st.none(), lines, st.sampled_from((0.0, 31.0))))),
    export, export, crash, crash,
)


class Day:
    """One game date driven through the service, with every guarantee checked after every export."""

    def __init__(self):
        self.service, self.store, self.publisher, self.clock = make_service()
        self.commands = []
        self.count = 0

    def submit(self, command, check):
        before = list(self.store.manual)
        try:
            recorded = self.service.submit_manual(command, check=check).recorded
        except InvalidCommand:  # the CLI path refuses what the rules would refuse, recording nothing
            assert self.store.manual == before
            return
        assert recorded == (command.request_id not in {c.request_id for c in before})
        self.commands.append(command)

    def apply(self, op):
        kind = op[0]
        now = self.clock()
        if kind == "signal":
            self.service.load_signal(GAME_DATE, op[1])
        elif kind in ("add", "remove", "void"):
            self.count += 1
            request_id = f"req-{self.count:03d}"
            if kind == "add":
                _, player, direction, line, (team, opponent), game_time, minutes, check = op
                command = add(player, request_id, now - timedelta(minutes=minutes), direction, line,
                              team=team, opponent=opponent, game_time=game_time)
            elif kind == "remove":
                _, player, minutes, check = op
                command = remove(player, request_id, now - timedelta(minutes=minutes))
            else:
                _, player, reason, minutes, check = op
                command = void(player, request_id, now - timedelta(minutes=minutes), reason)
            self.submit(command, check)
        elif kind == "redeliver":
            if self.commands:
                self.submit(self.commands[op[1] % len(self.commands)], False)
        elif kind == "advance":
            self.clock.advance(minutes=op[1])
        elif kind == "results":
            self.service.load_results(GAME_DATE, [result(p, v) for p, v in sorted(op[1].items())])
        elif kind == "export":
            self.export(op[1])
        else:
            try:
                with crashing(op[1], self.store, self.publisher):
                    self.service.export(GAME_DATE, "scheduled")
            except Crash:
                pass  # (an export with nothing to write reaches no crash point)

    def export(self, trigger):
        self.service.export(GAME_DATE, trigger)
        self.check()
        # G5: the same inputs again write nothing and lock nothing.
        written, ledger = len(self.publisher.history), len(self.store.ledger)
        again = self.service.export(GAME_DATE, "scheduled")
        assert again.plan.outcome == "unchanged", again.plan.audit[-1].events
        assert (len(self.publisher.history), len(self.store.ledger)) == (written, ledger)

    def check(self):
        texts = date_versions(self.publisher)
        assert_monotonic(texts)  # G1
        assert_one_live_per_key(texts)  # G2
        published = assert_published_fields_frozen(texts)  # G3
        assert_every_version_audited(self.publisher, self.store)  # G4
        for text in texts[-2:]:
            assert_round_trip(text)  # G10
        # G3: grading uses the published direction and line.
        actuals = {r.player_lookup: r.actual_value for r in self.store.results.get(GAME_DATE, [])}
        for e in entries(texts[-1]) if texts else []:
            if e["status"] != "voided" and e["player_lookup"] in actuals:
                first = published[e["pick_id"]]
                expected = grade(pick(direction=first["direction"], line=first["line"]),
                                 GameResult(GAME_DATE, e["player_lookup"], "PTS", actuals[e["player_lookup"]]))
                assert (e["result"], e["actual"]) == expected
        # While the date is today, the date file and all.json show the same list.
        all_text = self.publisher.read(ALL_JSON)[0]
        if self.service.today() == GAME_DATE:
            assert entries(all_text) == entries(self.publisher.read(DATE_FILE)[0])


@SETTINGS
@given(st.lists(operations, min_size=10, max_size=50))
def test_guarantees_hold_after_every_export(ops):
    day = Day()
    for op in ops:
        day.apply(op)
    day.export("scheduled")  # every run ends with a normal export, after any crash


# ---------------------------------------------------------------- manual state: order and duplicates

minutes = st.integers(0, 6).map(lambda m: START + timedelta(minutes=m))  # few values: ties happen


@st.composite
def command_lists(draw):
    kinds = st.sampled_from(("add", "remove", "void"))
    commands = []
    for index in range(draw(st.integers(0, 12))):
        kind, player, at_ = draw(kinds), draw(st.sampled_from(PLAYERS[:3])), draw(minutes)
        request_id = f"r{index:02d}"
        if kind == "add":
            commands.append(add(player, request_id, at_, draw(directions), draw(lines)))
        elif kind == "remove":
            commands.append(remove(player, request_id, at_))
        else:
            commands.append(void(player, request_id, at_, draw(st.sampled_from(("a", "b")))))
    return commands


@SETTINGS
@given(command_lists(), st.data())
def test_manual_state_is_independent_of_delivery_order_and_duplicates(commands, data):
    delivered = data.draw(st.permutations(commands + data.draw(st.lists(st.sampled_from(commands), max_size=5))
                                          if commands else []))
    assert fold_manual(delivered) == fold_manual(commands)
    rows = [signal(p, rank=i + 1) for i, p in enumerate(PLAYERS[:3])]
    merged = [merge_and_lock(MergeInputs(GAME_DATE, signal=tuple(rows), manual=tuple(c)), now=START + timedelta(minutes=7),
                             export_id="e") for c in (commands, delivered)]
    assert merged[0] == merged[1]


# ---------------------------------------------------------------- the merge is deterministic and pure

@st.composite
def merge_inputs(draw):
    """Inputs of a second export: a ledger from a first one, a new signal, commands, results, the file."""
    first_signal = draw(signal_rows)
    first_manual = draw(command_lists())
    first = merge_and_lock(MergeInputs(GAME_DATE, signal=tuple(first_signal), manual=tuple(first_manual)),
                           now=START + timedelta(minutes=7), export_id="e1")
    shown = first.picks if draw(st.booleans()) else ()
    manual = first_manual + [replace(c, request_id="x" + c.request_id, submitted_at=c.submitted_at + timedelta(hours=1))
                             for c in draw(command_lists())]
    results = [result(p, draw(st.one_of(st.none(), lines))) for p in draw(st.sets(players))]
    return MergeInputs(GAME_DATE, signal=tuple(draw(signal_rows)), ledger=first.ledger_rows, manual=tuple(manual),
                       results=tuple(results), shown=tuple(shown))


@SETTINGS
@given(merge_inputs(), st.sampled_from((START + timedelta(hours=2), TIPOFF, TIPOFF + timedelta(hours=3))))
def test_merge_is_deterministic_and_does_not_mutate_its_inputs(inputs, now):
    snapshot = copy.deepcopy(inputs)
    one = merge_and_lock(inputs, now=now, export_id="e2")
    two = merge_and_lock(inputs, now=now, export_id="e2")
    assert one == two
    assert inputs == snapshot


@SETTINGS
@given(merge_inputs(), st.randoms(use_true_random=False))
def test_merge_does_not_depend_on_the_order_rows_are_read(inputs, rnd):
    """Tables come back in any order: the merged list and the ledger rows are the same."""
    def shuffled(rows):
        rows = list(rows)
        rnd.shuffle(rows)
        return tuple(rows)

    permuted = MergeInputs(GAME_DATE, signal=shuffled(inputs.signal), ledger=shuffled(inputs.ledger),
                           manual=shuffled(inputs.manual), results=shuffled(inputs.results), shown=shuffled(inputs.shown))
    one = merge_and_lock(inputs, now=START + timedelta(hours=2), export_id="e2")
    two = merge_and_lock(permuted, now=START + timedelta(hours=2), export_id="e2")
    assert one.picks == two.picks
    assert one.ledger_rows == two.ledger_rows


@st.composite
def ledger_histories(draw):
    """Versions of a few picks, as exports append them: refreshed, voided (then re-voided with
    another reason by a concurrent export), graded; exports of one instant, and clocks that
    disagree (a later export may carry an earlier instant)."""
    rows = []
    for player in draw(st.sets(players, min_size=1, max_size=3)):
        base = pick(player)
        for step in range(draw(st.integers(1, 8))):
            status = draw(st.sampled_from(("active", "locked", "voided")))
            version = replace(base, edge=float(step), status=status,
                              void_reason=draw(st.sampled_from(("injury", "ruled out"))) if status == "voided" else None,
                              result=draw(st.sampled_from((None, "WIN", "LOSS"))))
            at_ = START + timedelta(minutes=draw(st.integers(0, 5)))
            # An export writes one version of a pick: (recorded_at, export_id) tells a pick's rows apart.
            rows.append(LedgerRow(version, "updated", f"e{draw(st.integers(0, 9))}.{step}", at_))
    return rows


@SETTINGS
@given(ledger_histories(), st.randoms(use_true_random=False))
def test_the_versions_an_export_reads_of_the_ledger_fold_as_every_version_does(rows, rnd):
    """An export's read returns, of each pick, its first, first voided and latest version: at most
    three rows a pick however many re-runs of the signal wrote, folding to the same picks."""
    kept = versions_to_fold(rows)
    assert fold_ledger(kept) == fold_ledger(rows)
    rnd.shuffle(kept)  # a store returns them in any order
    assert fold_ledger(kept) == fold_ledger(rows)
    per_pick = {}
    for row in kept:
        per_pick[row.pick.pick_id] = per_pick.get(row.pick.pick_id, 0) + 1
    assert max(per_pick.values()) <= 3 and set(per_pick) == {row.pick.pick_id for row in rows}
