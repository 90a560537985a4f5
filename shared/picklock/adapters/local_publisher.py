"""Publisher over a local directory that mirrors the bucket: object `a/b.json` is `root/a/b.json`.

Cloud Storage semantics, for several processes at once: every write of an object gets a larger
integer generation, a write states the generation it expects (0: the object must not exist) and
fails with PreconditionFailed otherwise. An exclusive flock per object makes check-and-write
atomic; reads take it shared so a text is never paired with another write's generation.
The generations and locks live under `root/.generations/`, outside any valid object name, so
`root` holds nothing but the objects (and, for an instant, a hidden temporary file).
"""
from __future__ import annotations

import fcntl
import os
import re
from contextlib import contextmanager

from ..service_layer.errors import PreconditionFailed

# `picklock status` loads this module: typing is for type checkers, and paths are os.path text
# (pathlib is a third of a bare interpreter's start).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator

METADATA_DIR = ".generations"
# Path segments of letters, digits, '.', '_', '-', none starting with '.': this rules out '..',
# hidden files, absolute paths, empty segments and the metadata directory.
_OBJECT_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


class InvalidObjectName(ValueError):
    pass


class LocalPublisher:
    def __init__(self, root: str | os.PathLike):
        self.root = os.fspath(root)

    def read(self, name: str) -> tuple[str | None, int]:
        path = self._object_path(name)
        with self._locked(name, fcntl.LOCK_SH):
            generation = self._current_generation(name, path)
            if not generation:
                return None, 0
            with open(path, "rb") as file:
                return file.read().decode("utf-8"), generation

    def write(self, name: str, text: str, *, if_generation_match: int) -> int:
        path = self._object_path(name)
        with self._locked(name, fcntl.LOCK_EX):
            current = self._current_generation(name, path)
            if current != if_generation_match:
                raise PreconditionFailed(f"{name}: generation is {current}, expected {if_generation_match}")
            # Past the stored counter too: a deleted object's generations are never reused.
            new = max(current, self._stored_generation(name)) + 1
            # Counter first: a crash between the two leaves the old text under a new generation,
            # which costs a writer one retry; the reverse would let a stale writer overwrite it.
            _write_atomically(self._metadata_path(name, "generation"), str(new))
            _write_atomically(path, text)
            return new

    def _current_generation(self, name: str, path: str) -> int:
        """0 when the object does not exist. One put in the directory by hand has no counter: 1."""
        return max(self._stored_generation(name), 1) if os.path.exists(path) else 0

    def _stored_generation(self, name: str) -> int:
        try:
            with open(self._metadata_path(name, "generation"), encoding="utf-8") as counter:
                return int(counter.read())
        except FileNotFoundError:
            return 0

    @contextmanager
    def _locked(self, name: str, mode: int) -> Iterator[None]:
        lock_path = self._metadata_path(name, "lock")
        os.makedirs(os.path.dirname(lock_path), exist_ok=True)
        # The lock file is never replaced, so every process locks the same inode.
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, mode)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def _object_path(self, name: str) -> str:
        if not _OBJECT_NAME.fullmatch(name):
            raise InvalidObjectName(
                f"invalid object name {name!r}: use '/'-separated segments of letters, digits, '.', '_' "
                "and '-' that do not start with '.'")
        return os.path.join(self.root, name)

    def _metadata_path(self, name: str, kind: str) -> str:
        # '@' never occurs in an object name, so no two objects' metadata paths can collide.
        return os.path.join(self.root, METADATA_DIR, f"{name}@{kind}")


def _write_atomically(path: str, text: str) -> None:
    """Readers see the old file or the new one, never a partial one, even after a crash.
    The caller holds the object's lock, so a temporary file of this path that exists now was
    left by a writer that died: it is removed."""
    parent, file_name = os.path.split(path)
    os.makedirs(parent, exist_ok=True)
    leftover = re.compile(rf"\.{re.escape(file_name)}\.[a-z0-9_]{{8}}\.tmp")
    for stale in os.listdir(parent):
        if leftover.fullmatch(stale):
            try:
                os.unlink(os.path.join(parent, stale))
            except FileNotFoundError:
                pass
    import tempfile  # here: `picklock status` only reads

    descriptor, temporary = tempfile.mkstemp(dir=parent, prefix=f".{file_name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:  # bytes: no newline translation either way
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    directory = os.open(parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # make the rename itself durable
    finally:
        os.close(directory)
