"""MessagePublisher for the embedded backend: each topic is a JSON-lines file under a directory
(`<root>/<topic>.jsonl`), one line per message, appended whole so concurrent writers never
interleave. Nothing subscribes; the files are an outbox to read (e.g. parked poison messages)."""
from __future__ import annotations

import base64
import fcntl
import json
import uuid
from pathlib import Path
from typing import Mapping

from ..topics import encode_message


class LocalMessagePublisher:
    def __init__(self, root: Path):
        self.root = Path(root)

    def publish(self, topic: str, payload: dict, attributes: Mapping[str, str] | None = None) -> str:
        return self.publish_bytes(topic, encode_message(payload), attributes)

    def publish_bytes(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> str:
        message_id = uuid.uuid4().hex
        # base64 like Pub/Sub itself: a parked body need not be UTF-8.
        line = json.dumps({"message_id": message_id, "data": base64.b64encode(data).decode("ascii"),
                           "attributes": dict(attributes or {})}) + "\n"
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{topic}.jsonl", "a", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)
            file.write(line)
        return message_id

    def messages(self, topic: str) -> list[dict]:
        """What was published to `topic`, oldest first, each as {message_id, data: bytes, attributes}."""
        path = self.root / f"{topic}.jsonl"
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        return [{**m, "data": base64.b64decode(m["data"])} for m in map(json.loads, lines)]
