"""What a pick earned at its posted price, and how it compared with the closing line.

Units are at a flat 1-unit stake at the American odds that were published with the pick: never
an assumed price. A pick without posted odds has no units (it still counts in the win-loss).
"""
from __future__ import annotations

from .picks import ClosingLine, Pick, Result

# American odds are +100 or more, or -100 or less: nothing pays in between.
MIN_ODDS_MAGNITUDE = 100
MAX_ODDS_MAGNITUDE = 100000


def odds_refusal(odds: object) -> str | None:
    """Why `odds` is not an American price, or None."""
    if isinstance(odds, bool) or not isinstance(odds, int):
        return f"{odds!r} is not American odds (an integer, +100 or more or -100 or less)"
    if not MIN_ODDS_MAGNITUDE <= abs(odds) <= MAX_ODDS_MAGNITUDE:
        return (f"{odds} is not American odds: +{MIN_ODDS_MAGNITUDE} or more or -{MIN_ODDS_MAGNITUDE} or less "
                f"(at most {MAX_ODDS_MAGNITUDE} either way)")
    return None


def units(result: Result | None, odds: int | None) -> float | None:
    """Profit of a 1-unit stake: a WIN pays odds/100 (positive odds) or 100/|odds| (negative),
    a LOSS costs 1, a PUSH or VOID returns the stake. None before grading or without a price."""
    if result is None or odds is None:
        return None
    if result == "WIN":
        return round(odds / 100 if odds > 0 else 100 / -odds, 4)
    return -1.0 if result == "LOSS" else 0.0


def closing_line_value(pick: Pick, closing: ClosingLine) -> float:
    """Points by which the published line beat the close: OVER closing − line, UNDER line − closing."""
    difference = closing.line_value - pick.line if pick.direction == "OVER" else pick.line - closing.line_value
    return round(difference, 2)
