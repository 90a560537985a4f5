"""Grading against the published line and direction (G3): WIN, LOSS, PUSH, or VOID for a DNP."""
from __future__ import annotations

from .picks import GameResult, Pick, Result


def grade(pick: Pick, result: GameResult) -> tuple[Result, float | None]:
    actual = result.actual_value
    if actual is None:
        return "VOID", None
    if actual == pick.line:
        return "PUSH", actual
    went_over = actual > pick.line
    return ("WIN" if went_over == (pick.direction == "OVER") else "LOSS"), actual
