"""Contract of a Publisher, whatever the backend (see conftest.PUBLISHER_BACKENDS), then what is
particular to the local directory."""
import os
from pathlib import Path

import pytest

from picklock.adapters import local_publisher
from picklock.adapters.local_publisher import InvalidObjectName, LocalPublisher
from picklock.service_layer.errors import PreconditionFailed

NAME = "v1/best-bets/all.json"


def test_a_missing_object_reads_as_none_at_generation_zero(publisher):
    assert publisher.read(NAME) == (None, 0)


def test_generation_zero_means_create_only(publisher):
    generation = publisher.write(NAME, "first", if_generation_match=0)
    assert generation > 0
    with pytest.raises(PreconditionFailed):
        publisher.write(NAME, "second", if_generation_match=0)
    assert publisher.read(NAME) == ("first", generation)


def test_a_write_at_the_current_generation_succeeds_and_moves_it_forward(publisher):
    first = publisher.write(NAME, "first", if_generation_match=0)
    second = publisher.write(NAME, "second", if_generation_match=first)
    assert second > first
    assert publisher.read(NAME) == ("second", second)


def test_a_write_at_a_stale_generation_fails_and_changes_nothing(publisher):
    first = publisher.write(NAME, "first", if_generation_match=0)
    second = publisher.write(NAME, "second", if_generation_match=first)
    with pytest.raises(PreconditionFailed):
        publisher.write(NAME, "stale", if_generation_match=first)
    with pytest.raises(PreconditionFailed):
        publisher.write("v1/best-bets/missing.json", "x", if_generation_match=second)
    assert publisher.read(NAME) == ("second", second)
    assert publisher.read("v1/best-bets/missing.json") == (None, 0)


def test_objects_have_their_own_generations(publisher):
    publisher.write(NAME, "a", if_generation_match=0)
    other = "v1/best-bets/2025-01-15.json"
    generation = publisher.write(other, "b", if_generation_match=0)
    assert publisher.read(other) == ("b", generation)
    assert publisher.read(NAME)[0] == "a"


def test_text_is_kept_exactly(publisher):
    text = '{"player": "Nikola Jokić 🏀"}\r\nline two\n\n'
    generation = publisher.write(NAME, text, if_generation_match=0)
    assert publisher.read(NAME) == (text, generation)


WRITERS, INCREMENTS = 8, 20


def _increment(open_publisher) -> int:
    """Compare-and-swap increments of a counter object; returns how many races were lost."""
    publisher = open_publisher()
    lost = 0
    for _ in range(INCREMENTS):
        while True:
            text, generation = publisher.read(NAME)
            try:
                publisher.write(NAME, str(int(text or "0") + 1), if_generation_match=generation)
                break
            except PreconditionFailed:
                lost += 1
    return lost


def test_concurrent_compare_and_swap_writers_lose_no_update(open_publisher, in_processes):
    in_processes(WRITERS, _increment, open_publisher)
    text, generation = open_publisher().read(NAME)
    assert int(text) == WRITERS * INCREMENTS
    assert generation >= WRITERS * INCREMENTS


# -- the local directory -------------------------------------------------------------------------

def files_under(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def test_the_root_mirrors_the_bucket_and_no_temporary_file_is_left(tmp_path):
    publisher = LocalPublisher(tmp_path)
    generation = publisher.write(NAME, "one", if_generation_match=0)
    publisher.write(NAME, "two", if_generation_match=generation)
    publisher.write("v1/best-bets/history/2025-01-15/e1.json", "h", if_generation_match=0)
    assert (tmp_path / NAME).read_text() == "two"
    objects = {path for path in files_under(tmp_path) if not path.startswith(local_publisher.METADATA_DIR)}
    assert objects == {NAME, "v1/best-bets/history/2025-01-15/e1.json"}
    assert not [path for path in files_under(tmp_path) if path.endswith(".tmp")]


def test_a_failed_write_leaves_the_old_text_and_no_temporary_file(tmp_path, monkeypatch):
    publisher = LocalPublisher(tmp_path)
    generation = publisher.write(NAME, "old", if_generation_match=0)

    real_replace = os.replace

    def crash_on_the_object(source, destination):  # after the generation moved on: the worst moment
        if Path(destination) == tmp_path / NAME:
            raise OSError("disk full")
        real_replace(source, destination)

    monkeypatch.setattr(local_publisher.os, "replace", crash_on_the_object)
    with pytest.raises(OSError, match="disk full"):
        publisher.write(NAME, "new", if_generation_match=generation)
    monkeypatch.undo()
    text, current = publisher.read(NAME)
    assert text == "old"
    assert not [path for path in files_under(tmp_path) if path.endswith(".tmp")]
    publisher.write(NAME, "new", if_generation_match=current)  # the next writer carries on
    assert publisher.read(NAME)[0] == "new"


def test_generations_are_never_reused_after_an_object_is_deleted(tmp_path):
    publisher = LocalPublisher(tmp_path)
    first = publisher.write(NAME, "one", if_generation_match=0)
    os.remove(tmp_path / NAME)
    assert publisher.read(NAME) == (None, 0)
    assert publisher.write(NAME, "again", if_generation_match=0) > first


def test_an_object_copied_in_by_hand_exists(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "seed.json").write_text("{}")
    publisher = LocalPublisher(tmp_path)
    text, generation = publisher.read("v1/seed.json")
    assert (text, generation) == ("{}", 1)
    with pytest.raises(PreconditionFailed):
        publisher.write("v1/seed.json", "x", if_generation_match=0)
    assert publisher.write("v1/seed.json", "x", if_generation_match=generation) == 2


@pytest.mark.parametrize("name", [
    "", "/etc/passwd", "../outside.json", "v1/../../outside.json", "v1/./all.json", "v1//all.json",
    "v1/", ".generations/all.json", "v1/.hidden", "v1/all json", "v1\\all.json", "v1/all.json\n", "v1/a@b",
])
def test_invalid_object_names_are_refused(tmp_path, name):
    publisher = LocalPublisher(tmp_path / "bucket")
    with pytest.raises(InvalidObjectName):
        publisher.read(name)
    with pytest.raises(InvalidObjectName):
        publisher.write(name, "x", if_generation_match=0)
    assert not (tmp_path / "bucket").exists()


def test_names_the_service_uses_are_valid(tmp_path):
    publisher = LocalPublisher(tmp_path)
    for name in ("v1/best-bets/all.json", "v1/best-bets/2025-01-15.json",
                 "v1/best-bets/history/2025-01-15/2025-01-15.20250115T170000123000.0a1b2c3d.json"):
        assert publisher.write(name, "x", if_generation_match=0) == 1
