"""The hash chain: canonical JSON (RFC 8785), how versions link within a date and across dates, the
public index, and that a crash cannot leave a published version out of the index."""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from picklock.domain import chain
from picklock.domain.chain import CanonicalError, Link, canonical_json, link_after, merged_index, sign, version_hash
from tests.harness.nba_paths import ALL_JSON, date_file_name, index_name

from builders import GAME_DATE, Crash, at, crashing, signal
from fakes import make_service


# ---------------------------------------------------------------- canonical JSON (RFC 8785)

@pytest.mark.parametrize("value, text", [
    # numbers as ECMAScript prints them (RFC 8785, 3.2.2.3, and its appendix B)
    (0.0, "0"), (-0.0, "0"), (1.0, "1"), (24.5, "24.5"), (22.0, "22"), (-110, "-110"), (0.9091, "0.9091"),
    (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (1e-6, "0.000001"), (123e-9, "1.23e-7"),
    (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (333333333.3333333, "333333333.3333333"),
    (9007199254740992, "9007199254740992"), (0.1 + 0.2, "0.30000000000000004"),
    # members sorted by key, no whitespace; strings escaped as JSON.stringify does
    ({"b": [1, True, None], "a": "é\n\"\u001f"}, '{"a":"é\\n\\"\\u001f","b":[1,true,null]}'),
    ({"\u20ac": 1, "\r": 2, "1": 3, "\U0001f600": 4, "\ufb33": 5}, '{"\\r":2,"1":3,"\u20ac":1,"\U0001f600":4,"\ufb33":5}'),
])
def test_canonical_json_is_rfc_8785(value, text):
    assert canonical_json(value) == text


@pytest.mark.parametrize("value, problem", [
    (float("nan"), "nan is not a JSON number"), (float("inf"), "inf is not a JSON number"),
    ({1: "x"}, "object keys must be strings"),
    (2 ** 60, "1152921504606846976 is beyond the integers an IEEE double holds exactly"),
    ({"a": object()}, "object is not a JSON value"),
])
def test_what_has_no_canonical_form_is_refused_saying_why(value, problem):
    with pytest.raises(CanonicalError) as refused:
        canonical_json(value)
    assert str(refused.value) == problem


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_number_reads_back_as_itself(number):
    assert float(canonical_json(number)) == number


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(-(2 ** 53), 2 ** 53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=500, deadline=None)
@given(_JSON_VALUES)
def test_the_fast_path_writes_what_the_general_encoder_writes(value):
    """json.dumps' C encoder serves documents whose numbers and keys it writes as RFC 8785 does;
    on any value at all, the text is the general encoder's."""
    assert canonical_json(value) == chain._canonical(value)


@pytest.mark.parametrize("value, fast", [
    ([24.0, -0.0, 0.5, 0.0001, 123.456, 9007199254740992.0, {"line": 14.5, "odds": -110, "e": "ü"}], True),
    ([1e-5], False), ([1e16], False), ([2.0 ** 60], False),  # ECMAScript's exponent forms differ from Python's
    ({"\ufb33": 1, "\U0001f600": 2}, False),  # UTF-16 order differs from code point order
])
def test_both_paths_agree_at_their_border(value, fast):
    assert canonical_json(value) == chain._canonical(value)
    try:
        chain._as_plain(value)
        took_fast_path = True
    except chain._NotPlain:
        took_fast_path = False
    assert took_fast_path == fast


def test_a_version_hash_covers_everything_but_itself():
    document = {"date": "2026-02-28", "picks": [{"line": 24.0}], "prev": None, "seq": 1}
    expected = hashlib.sha256(b'{"date":"2026-02-28","picks":[{"line":24}],"prev":null,"seq":1}').hexdigest()
    assert version_hash(document) == version_hash({**document, "sha256": "anything"}) == expected
    assert version_hash({**document, "seq": 2}) != expected


# ---------------------------------------------------------------- links

def test_links_follow_the_replaced_version_or_the_season_head():
    first = sign({"picks": []}, link_after(None, None))
    assert (first["prev"], first["seq"]) == (None, 1)
    second = sign({"picks": [1]}, link_after(first, {"head": "f" * 64, "length": 9}))
    assert (second["prev"], second["seq"]) == (first["sha256"], 2)  # a date's own chain comes first
    next_day = sign({"picks": []}, link_after(None, {"head": second["sha256"], "length": 2}))
    assert (next_day["prev"], next_day["seq"]) == (second["sha256"], 3)
    assert link_after({"picks": []}, {"head": "f" * 64, "length": 9}) == Link(None, 1)  # a file made before chains


def test_the_index_is_append_only_and_in_chain_order():
    one = {"export_id": "e1", "published_at": "2026-02-28T15:00:00.000Z", "sha256": "1" * 64, "prev": None, "seq": 1,
           "snapshot": "s1"}
    two = {**one, "export_id": "e2", "published_at": "2026-02-28T16:00:00.000Z", "sha256": "2" * 64, "prev": "1" * 64,
           "seq": 2, "snapshot": "s2"}
    index = merged_index("nba", "2026-02-28", None, [two, one])
    assert [e["export_id"] for e in index["versions"]] == ["e1", "e2"]
    assert merged_index("nba", "2026-02-28", index, [{**one, "snapshot": "rewritten"}]) == index


# ---------------------------------------------------------------- through the service

def read(publisher, name):
    text = publisher.read(name)[0]
    return None if text is None else json.loads(text)


def test_every_published_version_is_chained_listed_and_all_json_names_the_head():
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    service.export(GAME_DATE, "signal_updated")
    service.load_signal(GAME_DATE, [signal("a"), signal("b", rank=2)])
    clock.now = at(1)
    service.export(GAME_DATE, "signal_updated")
    service.export(GAME_DATE, "scheduled")  # unchanged: no new version
    versions = read(publisher, index_name(GAME_DATE))["versions"]
    assert [(v["seq"], v["prev"] is None) for v in versions] == [(1, True), (2, False)]
    assert versions[1]["prev"] == versions[0]["sha256"]
    live = read(publisher, date_file_name(GAME_DATE))
    assert live["sha256"] == versions[-1]["sha256"] == version_hash(live)
    for version in versions:
        assert version_hash(read(publisher, version["snapshot"])) == version["sha256"]
    assert read(publisher, ALL_JSON)["chain"] == {"head": live["sha256"], "length": 2}

    next_day = GAME_DATE + timedelta(days=1)
    clock.now = at(24)
    service.load_signal(next_day, [signal("c", game_date=next_day, game_time=at(31))])
    service.export(next_day, "signal_updated")
    [first] = read(publisher, index_name(next_day))["versions"]
    assert (first["prev"], first["seq"]) == (live["sha256"], 3)  # the season's chain goes on


@pytest.mark.parametrize("step", ["after_date_file_write", "after_snapshot_write"])
def test_a_crash_before_the_index_write_is_completed_by_the_next_export(step):
    service, store, publisher, clock = make_service()
    service.load_signal(GAME_DATE, [signal("a")])
    with crashing(step, store, publisher), pytest.raises(Crash):
        service.export(GAME_DATE, "signal_updated")
    assert read(publisher, index_name(GAME_DATE)) is None
    clock.now = at(1)
    service.export(GAME_DATE, "scheduled")
    [listed] = read(publisher, index_name(GAME_DATE))["versions"]
    assert listed["sha256"] == read(publisher, date_file_name(GAME_DATE))["sha256"]
