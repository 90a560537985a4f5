"""Log lines as JSON on stdout, the shape Cloud Logging parses into structured entries: its
`severity` and `message`, plus picklock's context fields (when known) to filter on.

    log.info("exported", extra=context(game_date=d, export_id=e, message_id=m))
"""
from __future__ import annotations

import json
import logging
import sys
from datetime import date

CONTEXT_FIELDS = ("game_date", "export_id", "message_id", "topic", "trigger", "outcome", "error", "timings_ms")


def context(**fields) -> dict:
    """`extra=` for a log call; unknown names are refused so a typo cannot drop a field silently."""
    unknown = set(fields) - set(CONTEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown log context field(s): {sorted(unknown)}")
    return {name: value for name, value in fields.items() if value is not None}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"severity": record.levelname, "message": record.getMessage(), "logger": record.name}
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if isinstance(value, dict):  # timings_ms: an object Cloud Logging indexes field by field
                entry[name] = value
            elif value is not None:
                entry[name] = value.isoformat() if isinstance(value, date) else str(value)
        if record.exc_info:
            # In the message, where Error Reporting looks for a stack trace.
            entry["message"] += "\n" + self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StdoutHandler(logging.StreamHandler):
    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout  # looked up per line: servers and test runners replace sys.stdout
        super().emit(record)


def configure(level: int = logging.INFO) -> None:
    """Send the `picklock` loggers to stdout as JSON, once (calling again changes nothing)."""
    logger = logging.getLogger("picklock")
    if not any(isinstance(h, _StdoutHandler) for h in logger.handlers):
        handler = _StdoutHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # one line per record, whatever the server did to the root logger
