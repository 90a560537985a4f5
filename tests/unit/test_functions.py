"""The Pub/Sub handlers on in-memory fakes: what each trigger does, poison messages parked (G9),
transient failures raised for redelivery, redelivered messages harmless (G5)."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from picklock.adapters.local_message_publisher import LocalMessagePublisher
from picklock.entrypoints import cli
from picklock.entrypoints.functions import MAX_ATTRIBUTE_BYTES, Handlers
from picklock.service_layer.services import ExportConflict
from tests.harness.nba_paths import ALL_JSON
from picklock.structured_log import configure
from picklock.topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED, dead_letter_topic, encode_message

from builders import GAME_DATE, at, current_picks, result, signal
from fakes import make_service

YESTERDAY = GAME_DATE - timedelta(days=1)
GUI_SANTOS = {
    "request_id": "req-gui-1", "submitted_at": "2026-02-28T16:00:00Z", "action": "add",
    "game_date": "2026-02-28", "player_lookup": "guisantos", "stat": "PTS", "submitted_by": "ops",
    "player_name": "Gui Santos", "team": "GSW", "opponent": "LAL", "direction": "OVER", "line": 13.5,
}


def pushed(body: bytes | str, message_id: str = "m-1", *, raw_data: str | None = None) -> SimpleNamespace:
    """A CloudEvent as functions-framework builds it from a Pub/Sub push."""
    body = body.encode("utf-8") if isinstance(body, str) else body
    data = raw_data if raw_data is not None else base64.b64encode(body).decode("ascii")
    return SimpleNamespace(data={"message": {"data": data, "messageId": message_id, "attributes": {}},
                                 "subscription": "projects/p/subscriptions/s"})


def message(payload: dict, message_id: str = "m-1") -> SimpleNamespace:
    return pushed(encode_message(payload), message_id)


@pytest.fixture
def world(tmp_path):
    service, store, publisher, clock = make_service()
    dead_letters = LocalMessagePublisher(tmp_path / "messages")
    configure()
    return SimpleNamespace(handlers=Handlers(service, dead_letters), service=service, store=store,
                           publisher=publisher, clock=clock, dead_letters=dead_letters)


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def all_json(publisher) -> dict:
    return json.loads(publisher.read(ALL_JSON)[0])


# ---------------------------------------------------------------- valid messages

def test_signal_updated_exports_the_date_and_logs_it_structured(world, capsys):
    world.service.load_signal(GAME_DATE, [signal("jokic"), signal("tatum", rank=2)])

    world.handlers.on_signal_updated(message({"game_date": "2026-02-28", "run_id": "run-7"}, "m-42"))

    assert {p["player_lookup"] for p in all_json(world.publisher)["today"]} == {"jokic", "tatum"}
    (record,) = world.store.audit
    assert (record.trigger_source, record.outcome) == ("signal_updated", "published")
    (line,) = [entry for entry in log_lines(capsys) if entry.get("export_id")]
    assert line["severity"] == "INFO"
    assert {k: line[k] for k in ("game_date", "export_id", "message_id", "topic", "trigger")} == {
        "game_date": "2026-02-28", "export_id": record.export_id, "message_id": "m-42",
        "topic": SIGNAL_UPDATED, "trigger": "signal_updated"}
    # Where the export's time went, in milliseconds, as Cloud Logging indexes it.
    assert set(line["timings_ms"]) >= {"read store", "plan", "write ledger", "write all.json", "write audit"}
    assert all(isinstance(ms, float) and ms >= 0 for ms in line["timings_ms"].values())


def test_grading_a_past_date_grades_its_file_and_all_json_keeps_today(world):
    world.clock.now = at(hours=-24)  # yesterday noon in New York: yesterday's slate is published
    world.service.load_signal(YESTERDAY, [signal("jokic", line=20.5, game_date=YESTERDAY,
                                                 game_time=at(hours=-24 + 7.5))])
    world.handlers.on_signal_updated(message({"game_date": YESTERDAY.isoformat()}))
    world.clock.now = at()
    world.service.load_results(YESTERDAY, [result("jokic", 31, game_date=YESTERDAY)])

    world.handlers.on_grading_complete(message(
        {"game_date": YESTERDAY.isoformat(), "status": "complete", "graded_count": 1}))

    (graded,) = current_picks(world.publisher, YESTERDAY)
    assert (graded["result"], graded["actual"]) == ("WIN", 31)
    assert all_json(world.publisher)["date"] == GAME_DATE.isoformat()  # G8
    assert {r.trigger_source for r in world.store.audit_records(YESTERDAY)} >= {"post_grading"}


def test_manual_pick_is_recorded_and_exported_as_manual(world):
    world.handlers.on_manual_pick(message(GUI_SANTOS))

    (pick,) = all_json(world.publisher)["today"]
    assert (pick["player_lookup"], pick["source"], pick["direction"], pick["line"]) == (
        "guisantos", "manual", "OVER", 13.5)
    assert world.store.audit[-1].trigger_source == "manual"


def test_redelivered_manual_message_adds_nothing_and_writes_no_new_version(world):
    world.handlers.on_manual_pick(message(GUI_SANTOS, "m-1"))
    written = list(world.publisher.history)

    world.handlers.on_manual_pick(message(GUI_SANTOS, "m-1"))

    assert world.publisher.history == written
    assert len(world.store.manual) == 1
    assert [a.outcome for a in world.store.audit] == ["published", "unchanged"]


def test_manual_message_the_rules_refuse_is_recorded_and_parked_with_the_reason_not_raised(world):
    """Delivery order is not submission order, so the handler records and lets the export decide;
    a command not in effect is never acknowledged as if it were: it is parked with the reason."""
    world.service.load_signal(GAME_DATE, [signal("guisantos", "UNDER", 12.5)])
    world.handlers.on_signal_updated(message({"game_date": "2026-02-28"}))

    world.handlers.on_manual_pick(message(GUI_SANTOS))  # over a published algorithm pick: refused

    assert len(world.store.manual) == 1
    (live,) = [p for p in current_picks(world.publisher) if p["status"] != "voided"]
    assert (live["source"], live["direction"]) == ("algorithm", "UNDER")
    (parked,) = world.dead_letters.messages(dead_letter_topic(MANUAL_PICKS))
    assert parked["attributes"]["error"].startswith("recorded, not in effect: ")
    assert parked["attributes"]["error"].endswith("is held by published algorithm pick UNDER 12.5; void it first")


def test_a_refused_add_is_parked_after_its_export_a_refused_void_before_its_export(world, monkeypatch):
    """An add is recorded unread, so its refusal is its export's to say (and that export's audit
    names it); a void's refusal is known when it is recorded, so it is parked before exporting."""
    world.service.load_signal(GAME_DATE, [signal("guisantos", "UNDER", 12.5)])
    world.handlers.on_signal_updated(message({"game_date": "2026-02-28"}))
    audited_when_parked = []
    park = world.dead_letters.publish_bytes
    monkeypatch.setattr(world.dead_letters, "publish_bytes",
                        lambda *a, **k: audited_when_parked.append(len(world.store.audit)) or park(*a, **k))

    world.handlers.on_manual_pick(message(GUI_SANTOS, "m-add"))  # over a published algorithm pick
    refusal = next(e for e in json.loads(world.store.audit[-1].events) if e.get("request_id") == "req-gui-1")
    assert (refusal["kind"], audited_when_parked) == ("manual_refused", [2])
    world.handlers.on_manual_pick(message({"request_id": "v1", "submitted_at": "2026-02-28T16:00:00Z",
                                           "action": "void", "game_date": "2026-02-28", "player_lookup": "nobody",
                                           "stat": "PTS", "submitted_by": "ops", "reason": "injury"}, "m-void"))
    assert audited_when_parked == [2, 2] and len(world.store.audit) == 3  # parked, then exported
    assert [m["attributes"]["message_id"] for m in world.dead_letters.messages(dead_letter_topic(MANUAL_PICKS))] == [
        "m-add", "m-void"]


def test_a_message_the_cli_publishes_is_one_the_function_applies(world):
    args = cli.build_parser().parse_args([
        "manual", "add", "--via", "pubsub", "--date", "2026-02-28", "--player", "guisantos",
        "--team", "GSW", "--opponent", "LAL", "--direction", "over", "--line", "13.5", "--request-id", "r-cli"])
    outbox = world.dead_letters  # the embedded backend's message publisher
    out = []

    cli.run(args, world.service, SimpleNamespace(write=out.append), SimpleNamespace(messages=lambda what: outbox))

    assert world.store.manual == []  # published, not applied
    (sent,) = outbox.messages(MANUAL_PICKS)
    world.handlers.on_manual_pick(pushed(sent["data"], sent["message_id"]))
    assert [p["manual_request_id"] for p in current_picks(world.publisher)] == ["r-cli"]
    assert sent["message_id"] in "".join(out)


# ---------------------------------------------------------------- poison messages (G9)

MANUAL_BODY = encode_message(GUI_SANTOS)
POISON = [
    pytest.param(SIGNAL_UPDATED, None, "%%% not base64 %%%", "message.data: not valid base64", id="bad-base64"),
    pytest.param(SIGNAL_UPDATED, b"\xff\xfe{}", None, "message: not UTF-8", id="not-utf8"),
    pytest.param(SIGNAL_UPDATED, b"game_date=2026-02-28", None, "message: not valid JSON", id="not-json"),
    pytest.param(SIGNAL_UPDATED, b'{"run_id": "r1"}', None, "'game_date' is a required property",
                 id="schema-invalid"),
    pytest.param(GRADING_COMPLETE, b'{"game_date": "2026-02-28", "status": "complete", "graded_count": 1, '
                 b'"extra": 1}', None, "unknown field(s): 'extra'", id="unknown-field"),
    pytest.param(GRADING_COMPLETE, b'{"game_date": "2026-02-30", "status": "complete", "graded_count": 1}',
                 None, "message.game_date", id="impossible-date"),
    pytest.param(MANUAL_PICKS, MANUAL_BODY.replace(b"13.5", b"NaN"), None, "NaN is not a number JSON allows",
                 id="nan-line"),
    pytest.param(MANUAL_PICKS, MANUAL_BODY.replace(b"13.5", b'"13.5"'), None, "message.line: '13.5' is not of type",
                 id="line-not-a-number"),
    pytest.param(MANUAL_PICKS, MANUAL_BODY.replace(b'"action":"add"', b'"action":"add","action":"void"'), None,
                 "duplicate key 'action'", id="duplicate-key"),
]
HANDLER = {SIGNAL_UPDATED: "on_signal_updated", GRADING_COMPLETE: "on_grading_complete",
           MANUAL_PICKS: "on_manual_pick"}


@pytest.mark.parametrize("topic, body, raw_data, reason", POISON)
def test_poison_message_is_parked_with_its_reason_and_changes_nothing(world, capsys, topic, body, raw_data, reason):
    world.service.load_signal(GAME_DATE, [signal("jokic")])

    getattr(world.handlers, HANDLER[topic])(pushed(body or b"", "m-bad", raw_data=raw_data))  # returns: acked

    (parked,) = world.dead_letters.messages(dead_letter_topic(topic))
    assert parked["data"] == (body if raw_data is None else raw_data.encode())  # the original bytes
    assert reason in parked["attributes"]["error"]
    assert parked["attributes"]["source_topic"] == topic
    assert parked["attributes"]["message_id"] == "m-bad"
    assert (world.store.ledger, world.store.manual, world.store.audit, world.publisher.history) == ([], [], [], [])
    (error_line,) = [entry for entry in log_lines(capsys) if entry["severity"] == "ERROR"]
    assert reason in error_line["error"] and error_line["message_id"] == "m-bad"


def test_an_event_that_is_not_a_pubsub_push_is_parked_too(world):
    world.handlers.on_signal_updated(SimpleNamespace(data={"game_date": "2026-02-28"}))

    (parked,) = world.dead_letters.messages(dead_letter_topic(SIGNAL_UPDATED))
    assert json.loads(parked["data"]) == {"game_date": "2026-02-28"}
    assert "not a Pub/Sub push" in parked["attributes"]["error"]
    assert world.publisher.history == []


def test_the_error_attribute_fits_pubsub_limits(world):
    body = encode_message({"game_date": "2026-02-28", "é" * 2000: 1})

    world.handlers.on_signal_updated(pushed(body))

    (parked,) = world.dead_letters.messages(dead_letter_topic(SIGNAL_UPDATED))
    error = parked["attributes"]["error"]
    assert error.startswith("message: unknown field(s)")
    assert len(error.encode("utf-8")) <= MAX_ATTRIBUTE_BYTES


# ---------------------------------------------------------------- transient failures

class Unavailable(Exception):
    """Stands for a 5xx or a timeout from Cloud Storage or BigQuery."""


def test_a_transient_failure_raises_so_pubsub_redelivers_and_nothing_is_parked(world):
    def unavailable(*args, **kwargs):
        raise Unavailable("503")

    world.publisher.write = unavailable
    with pytest.raises(Unavailable):
        world.handlers.on_manual_pick(message(GUI_SANTOS))
    assert world.dead_letters.messages(dead_letter_topic(MANUAL_PICKS)) == []

    del world.publisher.write  # the redelivery finds the service healthy again
    world.handlers.on_manual_pick(message(GUI_SANTOS))
    assert [p["player_lookup"] for p in current_picks(world.publisher)] == ["guisantos"]
    assert len(world.store.manual) == 1


def test_an_export_conflict_raises_for_redelivery(world):
    def conflict(game_date, trigger, sport):
        raise ExportConflict("lost 6 publish races")

    world.service.export = conflict
    with pytest.raises(ExportConflict):
        world.handlers.on_signal_updated(message({"game_date": "2026-02-28"}))
    assert world.dead_letters.messages(dead_letter_topic(SIGNAL_UPDATED)) == []


def test_if_parking_fails_the_message_is_redelivered_rather_than_lost(world):
    def down(*args, **kwargs):
        raise Unavailable("pubsub down")

    world.dead_letters.publish_bytes = down
    with pytest.raises(Unavailable):
        world.handlers.on_signal_updated(pushed(b"not json"))



# ---------------------------------------------------------------- the scheduled safety net (infra/scheduler.tf)

# What the Cloud Scheduler jobs publish (tests/infra/test_scheduler_and_monitoring.py checks that
# infra/scheduler.tf publishes exactly these, for every sport).
SCHEDULED_EXPORT = {"game_date": "today", "sport": "nba", "trigger": "scheduled"}
GRADING_CATCH_UP = {"game_date": "yesterday", "sport": "nba", "trigger": "scheduled"}
EASTERN_23_30 = datetime(2026, 3, 1, 4, 30, tzinfo=timezone.utc)  # 2026-02-28 23:30 in New York
EASTERN_00_30 = datetime(2026, 3, 1, 5, 30, tzinfo=timezone.utc)  # 2026-03-01 00:30 in New York


@pytest.mark.parametrize("now, today", [(EASTERN_23_30, GAME_DATE), (EASTERN_00_30, GAME_DATE + timedelta(days=1))],
                         ids=["23:30-eastern", "00:30-eastern"])
def test_a_scheduled_export_exports_today_in_the_sports_zone_audited_as_scheduled(world, capsys, now, today):
    world.clock.now = now

    world.handlers.on_signal_updated(message(SCHEDULED_EXPORT, "m-cron"))

    (record,) = world.store.audit
    assert (record.game_date, record.trigger_source) == (today, "scheduled")
    assert all_json(world.publisher)["date"] == today.isoformat()
    (line,) = [entry for entry in log_lines(capsys) if entry.get("export_id")]
    assert (line["game_date"], line["trigger"], line["message_id"]) == (today.isoformat(), "scheduled", "m-cron")


def test_an_upstream_message_with_a_date_keeps_its_date_and_trigger_after_midnight(world):
    world.clock.now = EASTERN_00_30
    world.service.load_signal(GAME_DATE, [signal("jokic")])

    world.handlers.on_signal_updated(message({"game_date": "2026-02-28", "run_id": "late-run"}))

    (record,) = world.store.audit
    assert (record.game_date, record.trigger_source) == (GAME_DATE, "signal_updated")


def test_a_scheduled_export_of_an_unchanged_day_writes_no_file(world):
    world.service.load_signal(GAME_DATE, [signal("jokic"), signal("tatum", rank=2)])
    world.handlers.on_signal_updated(message({"game_date": "2026-02-28"}, "m-upstream"))
    written = list(world.publisher.history)

    for minutes in (10, 20):
        world.clock.now = at(minutes=minutes)
        world.handlers.on_signal_updated(message(SCHEDULED_EXPORT, f"m-cron-{minutes}"))

    assert world.publisher.history == written
    assert [(a.trigger_source, a.outcome) for a in world.store.audit] == [
        ("signal_updated", "published"), ("scheduled", "unchanged"), ("scheduled", "unchanged")]


def test_a_scheduled_export_publishes_what_a_lost_signal_updated_message_would_have(world):
    world.service.load_signal(GAME_DATE, [signal("jokic")])  # the pipeline wrote; its message was lost

    world.handlers.on_signal_updated(message(SCHEDULED_EXPORT))

    assert [p["player_lookup"] for p in all_json(world.publisher)["today"]] == ["jokic"]
    assert [(a.trigger_source, a.outcome) for a in world.store.audit] == [("scheduled", "published")]


@pytest.mark.parametrize("grading_complete_came", [False, True], ids=["never-came", "came"])
def test_the_morning_catch_up_grades_yesterday_and_changes_nothing_when_grading_came(world, grading_complete_came):
    world.clock.now = at(hours=-24)  # yesterday noon in New York: yesterday's slate is published
    world.service.load_signal(YESTERDAY, [signal("jokic", line=20.5, game_date=YESTERDAY,
                                                 game_time=at(hours=-24 + 7.5))])
    world.handlers.on_signal_updated(message({"game_date": YESTERDAY.isoformat()}))
    world.clock.now = at(hours=-8)  # 04:00 in New York: the grader has written the results
    world.service.load_results(YESTERDAY, [result("jokic", 31, game_date=YESTERDAY)])
    if grading_complete_came:
        world.handlers.on_grading_complete(message(
            {"game_date": YESTERDAY.isoformat(), "status": "complete", "graded_count": 1}))
    written = list(world.publisher.history)

    world.clock.now = at(hours=-3)  # the catch-up, 09:00 in New York
    world.handlers.on_grading_complete(message(GRADING_CATCH_UP, "m-catch-up"))

    (graded,) = current_picks(world.publisher, YESTERDAY)
    assert (graded["result"], graded["actual"]) == ("WIN", 31)
    assert all_json(world.publisher)["date"] == GAME_DATE.isoformat()
    if grading_complete_came:
        assert world.publisher.history == written  # idempotent: nothing to add, no file written
    else:
        assert len(world.publisher.history) > len(written)
    # The catch-up's own exports (yesterday's, then today's) are audited as scheduled.
    catch_up = [r for r in world.store.audit if r.exported_at == at(hours=-3)]
    assert [(r.game_date, r.trigger_source) for r in catch_up] == [(YESTERDAY, "scheduled"), (GAME_DATE, "scheduled")]


@pytest.mark.parametrize("topic, payload, reason", [
    (SIGNAL_UPDATED, {"game_date": "tomorrow", "trigger": "scheduled"},
     "message.game_date: 'tomorrow' does not match '^([0-9]{4}-[0-9]{2}-[0-9]{2}|today|yesterday)$'"),
    (SIGNAL_UPDATED, {"game_date": "today", "trigger": "manual"}, "message.trigger"),
    (GRADING_COMPLETE, {"game_date": "yesterday"}, "'status' is a required property"),
])
def test_a_bad_relative_or_scheduled_message_is_parked_and_changes_nothing(world, topic, payload, reason):
    getattr(world.handlers, HANDLER[topic])(message(payload, "m-bad"))

    (parked,) = world.dead_letters.messages(dead_letter_topic(topic))
    assert reason in parked["attributes"]["error"]
    assert (world.store.audit, world.publisher.history) == ([], [])
