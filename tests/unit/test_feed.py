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

from builders import GAME_DATE, add, assert_valid, at, pick, remove, result, signal, void
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


def test_every_event_says_what_happened_to_which_pick_in_its_title(tmp_path):
    service, publisher, clock = service_with_events(tmp_path)
    play_a_day(service, clock)
    assert [e["title"] for e in published(service)] == [
        "Ann PTS OVER 20.5 (-110) published",
        "B PTS OVER 20.5 published",
        "C PTS OVER 20.5 published",
        "M PTS OVER 24.5 (+120) published",
        "B PTS OVER 20.5: the signal now disagrees; the published pick stands",
        "C PTS OVER 20.5: the signal dropped it; the published pick stands",
        "Ann PTS OVER 20.5 (-110) voided: ruled out",
        "M PTS OVER 24.5 (+120) removed: removed",
        "B PTS OVER 20.5 graded WIN",
        "C PTS OVER 20.5 graded LOSS",
    ]
    by_type = {e["type"]: e for e in published(service)}
    assert by_type["manual_remove"]["by"] == "ops"  # the operator of the remove that withdrew it
    assert by_type["signal_disagrees"]["detail"] == "signal now says UNDER 21.5; published OVER 20.5 kept"
    assert [e.get("detail") for e in published(service) if e["type"] == "graded"] == ["actual 25", "actual 10"]


def test_an_event_id_names_the_change_so_a_new_outcome_is_a_new_event():
    from dataclasses import replace

    from picklock.domain.feed import halt_events, pick_events
    from picklock.domain.halts import HaltState
    from picklock.domain.picks import LedgerRow

    shown = pick("ann")

    def event_of(change: str, **fields):
        (event,) = pick_events([LedgerRow(replace(shown, **fields), change, "x1", at(0))], [], set())
        return event

    win = event_of("graded", result="WIN", actual=25.0)
    assert win.id != event_of("graded", result="LOSS", actual=10.0).id  # a regrade is news
    assert win.id == event_of("graded", result="WIN", actual=25.0).id  # the same grade is not
    assert win.id != event_of("graded", result="WIN", actual=25.0, units=0.91).id  # nor priced since
    voided = event_of("voided", status="voided", void_reason="ruled out")
    assert voided.id != event_of("voided", status="voided", void_reason="injury").id
    assert event_of("published").id != event_of("locked").id
    assert event_of("published").id == event_of("published", line=99.5).id  # a pick is published once
    halted = halt_events("nba", HaltState(False), HaltState(True, "feed down", at(0), "ops"), at(1))
    resumed = halt_events("nba", HaltState(True, "feed down", at(0), "ops"), HaltState(False), at(2))
    again = halt_events("nba", HaltState(False), HaltState(True, "feed down", at(3), "ops"), at(3))
    assert len({halted[0].id, resumed[0].id, again[0].id}) == 3
    assert (halted[0].title, halted[0].detail, halted[0].by) == ("NBA publishing halted: feed down", "feed down", "ops")
    assert resumed[0].title == "NBA publishing resumed"
    # Pinned: subscribers deduplicate by id, so an upgrade that derived ids otherwise would announce
    # every event of the feeds again.
    assert [event_of("published").id, win.id, voided.id, halted[0].id, resumed[0].id] == [
        "a8c2e515483627f7a8b1c48d", "1e3f3149974b649cc45fe67f", "587fb6faf616671bd7be440f",
        "fd2efedae3cfe4d2c401735b", "08bc3285a4f07929d98a8de4"]


def test_the_feeds_hold_each_event_exactly():
    """Element by element (Atom, RFC 4287) and byte for byte (JSON Feed 1.1, canonical): what a feed
    reader shows of each event, with its detail and operator when it has them."""
    import xml.etree.ElementTree as ElementTree

    from picklock.domain.feed import atom_feed, json_feed

    events = [PickEvent("e2", "voided", "nba", "2026-02-28T18:00:00Z", "Ann PTS OVER 20.5 voided: ruled out",
                        game_date="2026-02-28", pick_id="p/a", detail="ruled out", by="ops"),
              PickEvent("e1", "published", "nba", "2026-02-28T17:00:00Z", "Ann PTS OVER 20.5 published",
                        game_date="2026-02-28", pick_id="p/a")]
    assert json.loads(json_feed("nba", events)) == {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "picklock NBA pick events",
        "description": "Every published pick's life: published, locked, voided, graded; halts and resumes.",
        "items": [
            {"id": "e2", "title": "Ann PTS OVER 20.5 voided: ruled out", "date_published": "2026-02-28T18:00:00Z",
             "content_text": "Ann PTS OVER 20.5 voided: ruled out — ruled out (by ops)", "tags": ["voided"],
             "_picklock": events[0].as_dict()},
            {"id": "e1", "title": "Ann PTS OVER 20.5 published", "date_published": "2026-02-28T17:00:00Z",
             "content_text": "Ann PTS OVER 20.5 published", "tags": ["published"], "_picklock": events[1].as_dict()},
        ]}
    text = json_feed("nba", [PickEvent("e3", "halt", "nba", "2026-02-28T19:00:00Z", "NBA halted — ¡pausa!")])
    assert text.endswith("\n") and "¡pausa!" in text  # UTF-8 as is
    assert text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(atom_feed("nba", events, at(5)).split("\n", 1)[1])
    assert feed.tag == f"{atom}feed"
    assert [(child.tag.removeprefix(atom), child.text) for child in feed if child.tag != f"{atom}entry"] == [
        ("id", "urn:picklock:nba:pick-events"), ("title", "picklock NBA pick events"),
        ("updated", "2026-02-28T18:00:00Z"), ("author", None)]
    assert feed.find(f"{atom}author/{atom}name").text == "picklock"
    entries = feed.findall(f"{atom}entry")
    assert [[(c.tag.removeprefix(atom), c.text, c.attrib) for c in entry] for entry in entries] == [
        [("id", "urn:picklock:nba:event:e2", {}), ("title", "Ann PTS OVER 20.5 voided: ruled out", {}),
         ("updated", "2026-02-28T18:00:00Z", {}), ("category", None, {"term": "voided"}),
         ("content", "Ann PTS OVER 20.5 voided: ruled out — ruled out (by ops)", {"type": "text"})],
        [("id", "urn:picklock:nba:event:e1", {}), ("title", "Ann PTS OVER 20.5 published", {}),
         ("updated", "2026-02-28T17:00:00Z", {}), ("category", None, {"term": "published"}),
         ("content", "Ann PTS OVER 20.5 published", {"type": "text"})]]
    empty = ElementTree.fromstring(atom_feed("mlb", [], at(5)).split("\n", 1)[1])
    assert empty.find(f"{atom}updated").text == "2026-02-28T22:00:00.000Z"  # no event yet: when it was written
    assert empty.find(f"{atom}title").text == "picklock MLB pick events"


def test_a_withdrawal_event_names_the_operator_of_the_command_that_withdrew_the_pick():
    """Of the removes and voids recorded on the date, the latest that names the pick: by its id, or
    (a command recorded before commands named their targets) by its key."""
    from dataclasses import replace

    from picklock.domain.feed import pick_events
    from picklock.domain.picks import LedgerRow

    ann, bob = pick("ann"), pick("bob")
    voided_ann = LedgerRow(replace(ann, status="voided", void_reason="ruled out"), "voided", "x2", at(1))
    commands = [replace(void("bob", "v0", at(0)), submitted_by="carol", targets=(bob.pick_id,)),
                replace(void("ann", "v1", at(0), "ruled out"), submitted_by="alice", targets=(ann.pick_id,)),
                replace(void("bob", "v2", at(0, 30)), submitted_by="dave", targets=(bob.pick_id,))]
    (event,) = pick_events([voided_ann], commands, set())
    assert event.by == "alice"
    legacy = [replace(void("bob", "v0", at(0)), submitted_by="carol"),
              replace(void("ann", "v1", at(0), "ruled out"), submitted_by="alice")]  # no targets recorded
    (event,) = pick_events([voided_ann], legacy, set())
    assert event.by == "alice"
