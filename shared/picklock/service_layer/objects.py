"""Read-modify-write of one object, conditional on the generation read: how exports extend the
append-only public files (indexes, feeds) and how a restore puts objects back, without ever
overwriting what a concurrent writer wrote in between."""
from __future__ import annotations

from typing import Callable

from .errors import PreconditionFailed
from .ports import Publisher


def rewrite(publisher: Publisher, name: str, change: Callable[[str | None], str | None], *, attempts: int,
            conflict: Callable[[str], Exception], purpose: str) -> bool:
    """`change` gives the new text from the current one (None: leave the object as it is); on a
    lost race the object is read and changed again. True when written; after `attempts` lost
    races, raises `conflict(message)`."""
    for _ in range(attempts):
        text, generation = publisher.read(name)
        new = change(text)
        if new is None:
            return False
        try:
            publisher.write(name, new, if_generation_match=generation)
            return True
        except PreconditionFailed:
            continue  # written meanwhile: read it again
    raise conflict(f"{name} kept changing under {attempts} attempts to {purpose}")
