"""Every pick's life as public events: each change once, to the pick-events topic and the feeds
(JSON Feed 1.1 and Atom 1.0, read back with a real feed parser)."""
from __future__ import annotations

import json
from datetime import timedelta

import feedparser
import feedparser_rs

from picklock.adapters.local_message_publisher import LocalMessagePublisher
from picklock.domain.feed import FEED_SIZE, PickEvent, merged_events
from picklock.domain.picks import HaltCommand
from picklock.topics import PICK_EVENTS
from tests.harness.nba_paths import NBA

from builders import GAME_DATE, add, assert_valid, at, remove, result, signal, void
from fakes import make_service


def service_with_events(tmp_path):
    service, store, publisher, clock = make_service()
    service.events = LocalMessagePublisher(tmp_path / "messages")
    return service, publisher, clock


def published(service) -> list[dict]:
    return [{**json.loads(m["data"]), "attributes": m["attributes"]} for m in service.events.messages(PICK_EVENTS)]


def feed_items(publisher) -> list[dict]:
    return json.loads(publisher.read(NBA.feed_names[0])[0])["items"]


def play_a_day(service, clock):
    service.load_signal(GAME_DATE, [signal("a", odds=-110, player_name="Ann"), signal("b", rank=2), signal("c", rank=3)])
    service.submit_manual(add("m", "r1", notes="sharp money", odds=120, by="ops@picklock"))
    service.export(GAME_DATE, "signal_updated")
    clock.now = at(1)
    service.load_signal(GAME_DATE, [signal("a", odds=-110, player_name="Ann"), signal("b", "UNDER", 21.5, rank=2)])
    service.submit_manual(void("a", "v1", at(1), "ruled out"))
    service.submit_manual(remove("m", "r2", at(1)))
    service.export(GAME_DATE, "manual")
    clock.now = at(20)
    service.load_results(GAME_DATE, [result("b", 25.0), result("c", 10.0)])
    service.grade(GAME_DATE)


def test_each_change_of_a_pick_is_one_event_with_its_type_and_detail(tmp_path):
    service, publisher, clock = service_with_events(tmp_path)
    play_a_day(service, clock)
    events = published(service)
    kinds = [(e["type"], e.get("pick_id", "").split("/")[1]) for e in events]
    assert kinds == [("published", "a"), ("published", "b"), ("published", "c"), ("manual_add", "m"),
                     ("signal_disagrees", "b"), ("retracted", "c"), ("voided", "a"), ("manual_remove", "m"),
                     ("graded", "b"), ("graded", "c")]
    by_kind = {e["type"]: e for e in events}
    assert by_kind["manual_add"]["by"] == "ops@picklock" and by_kind["manual_add"]["detail"] == "sharp money"
    assert by_kind["voided"]["title"] == "Ann PTS OVER 20.5 (-110) voided: ruled out"
    assert by_kind["voided"]["by"] == "ops" and by_kind["manual_remove"]["detail"] == "removed"
    graded = [e for e in events if e["type"] == "graded"]
    assert [(e["result"], e.get("units")) for e in graded] == [("WIN", None), ("LOSS", None)]
    assert all(e["attributes"] == {"event_type": e["type"], "event_id": e["id"], "sport": "nba"} for e in events)


def test_a_rerun_export_publishes_no_event_twice(tmp_path):
    service, publisher, clock = service_with_events(tmp_path)
    play_a_day(service, clock)
    before = published(service)
    clock.now = at(21)
    service.grade(GAME_DATE)  # a redelivered grading-complete
    service.export(GAME_DATE, "signal_updated")
    assert published(service) == before
    ids = [item["id"] for item in feed_items(publisher)]
    assert len(ids) == len(set(ids)) == len(before)


def test_halt_and_resume_are_events_once(tmp_path):
    service, publisher, clock = service_with_events(tmp_path)
    service.export(GAME_DATE, "scheduled")
    service.submit_halt(HaltCommand("h1", at(0), "halt", "nba", "ops", "bad stretch"))
    clock.now = at(1)
    service.export(GAME_DATE, "manual")
    service.export(GAME_DATE, "scheduled")
    service.submit_halt(HaltCommand("h2", at(2), "resume", "nba", "ops"))
    clock.now = at(2)
    service.export(GAME_DATE, "manual")
    assert [(e["type"], e.get("by")) for e in published(service)] == [("halt", "ops"), ("resume", None)]


def test_the_feeds_are_valid_json_feed_and_atom_newest_first(tmp_path):
    service, publisher, clock = service_with_events(tmp_path)
    play_a_day(service, clock)
    json_name, atom_name = NBA.feed_names
    assert_valid("feed", json.loads(publisher.read(json_name)[0]))  # what JSON Feed 1.1 requires
    as_json = feedparser_rs.parse(publisher.read(json_name)[0])
    as_atom = feedparser.parse(publisher.read(atom_name)[0])
    assert (as_json.bozo, as_json.version) == (False, "json11")
    assert (as_atom.bozo, as_atom.version) == (False, "atom10")
    assert [e.id for e in as_atom.entries] == [f"urn:picklock:nba:event:{e.id}" for e in as_json.entries]
    assert len(as_json.entries) == len(published(service))
    assert as_json.entries[0].title.endswith("graded LOSS")  # newest first
    assert as_atom.entries[-1].tags[0].term == "published"


def test_a_feed_keeps_the_latest_200_events():
    def event(n):
        return PickEvent(f"id{n:04d}", "published", "nba", f"2026-02-28T15:{n // 60:02d}:{n % 60:02d}.000Z", f"event {n}")
    merged = merged_events([event(n) for n in range(150)], [event(n) for n in range(100, 300)])
    assert len(merged) == FEED_SIZE and merged[0].id == "id0299" and merged[-1].id == "id0100"


def test_an_unreachable_events_topic_does_not_fail_the_export(tmp_path, caplog):
    service, publisher, clock = service_with_events(tmp_path)

    class Unreachable:
        def publish(self, topic, payload, attributes=None):
            raise ConnectionError(f"{topic}: topic not found")

    service.events = Unreachable()
    service.load_signal(GAME_DATE, [signal("a")])
    assert service.export(GAME_DATE, "signal_updated").plan.outcome == "published"
    assert [item["tags"] for item in feed_items(publisher)] == [["published"]]  # the feeds have it
    assert "not published to pick-events: pick-events: topic not found" in caplog.text
