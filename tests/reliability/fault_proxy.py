"""A fault-injecting HTTP proxy on 127.0.0.1 in front of one emulator (stdlib only).

Clients point at `proxy.url` instead of the emulator. Each request is matched against the active
faults; the first one that matches and fires decides what happens:

- `unavailable`: answer 503 with a Google-style error body, without forwarding.
- `delay`: wait, then forward.
- `lost_response`: forward (the backend applies it), then answer 503 (as if the reply was lost).

It counts what it did, notices when a faulted request is sent again (the client retried it), and
keeps a journal of every Cloud Storage upload the backend accepted: the ground truth of the
versions written, even those whose reply the client never saw. Bounded: it serves at most
`max_requests` requests and stops after `lifetime_seconds`.
"""
from __future__ import annotations

import email.parser
import hashlib
import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Literal
from urllib.parse import urlsplit

FaultKind = Literal["unavailable", "delay", "lost_response"]
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
              "transfer-encoding", "upgrade", "content-length", "host"}
UPSTREAM_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # with the query string
    body: bytes
    content_type: str = ""

    @property
    def signature(self) -> str:
        return hashlib.sha256(b"%s %s\n%s" % (self.method.encode(), self.path.encode(), self.body)).hexdigest()

    @property
    def is_gcs_upload(self) -> bool:
        return self.method == "POST" and self.path.startswith("/upload/storage/v1/b/")

    @property
    def is_gcs_download(self) -> bool:
        return self.method == "GET" and "/storage/v1/b/" in self.path and "alt=media" in self.path

    @property
    def is_bigquery_query(self) -> bool:
        return self.method == "POST" and urlsplit(self.path).path.endswith("/queries")

    def bigquery_sql(self) -> str:
        try:
            return json.loads(self.body).get("query", "") if self.is_bigquery_query else ""
        except ValueError:
            return ""

    def inserts_into(self, table: str) -> bool:
        return self.bigquery_sql().lstrip().startswith("INSERT INTO") and f".{table}`" in self.bigquery_sql()

    def uploads(self, name: str) -> bool:
        """A Cloud Storage upload of object `name` (named in the metadata part of the body)."""
        if not self.is_gcs_upload:
            return False
        parts = _multipart_parts(self.content_type, self.body)
        return bool(parts) and json.loads(parts[0].get_payload(decode=True)).get("name") == name


@dataclass
class Fault:
    kind: FaultKind
    probability: float = 1.0
    matches: Callable[[Request], bool] = lambda request: True
    delay_seconds: float = 0.0


@dataclass(frozen=True)
class JournalEntry:
    """An upload the backend accepted: object name, its new generation, the text written."""
    name: str
    generation: int
    text: str


@dataclass
class FaultProxy:
    upstream: str  # http://127.0.0.1:PORT
    seed: int = 0
    max_requests: int = 50_000
    lifetime_seconds: float = 1800.0
    faults: list[Fault] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    journal: list[JournalEntry] = field(default_factory=list)

    def __post_init__(self):
        target = urlsplit(self.upstream)
        if target.hostname != "127.0.0.1":
            raise ValueError(f"the proxy forwards to loopback only, not {self.upstream}")
        self._target = (target.hostname, target.port)
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._faulted: set[str] = set()  # signatures of faulted requests not yet seen again
        self._server = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._stopper = threading.Timer(self.lifetime_seconds, self.close)
        self._stopper.daemon = True

    def start(self) -> FaultProxy:
        self._thread.start()
        self._stopper.start()
        return self

    def close(self) -> None:
        self._stopper.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults = list(faults)

    def heal(self) -> None:
        self.inject()

    @property
    def injected(self) -> int:
        return sum(self.counts[kind] for kind in ("unavailable", "delay", "lost_response"))

    # -- per request -------------------------------------------------------------------------

    def _decide(self, request: Request) -> Fault | None:
        with self._lock:
            self.counts["requests"] += 1
            if request.signature in self._faulted:
                self._faulted.discard(request.signature)
                self.counts["retried"] += 1
            if self.counts["requests"] > self.max_requests:
                self.counts["over_budget"] += 1
                return Fault("unavailable")
            for fault in self.faults:
                if fault.matches(request) and self._random.random() < fault.probability:
                    self.counts[fault.kind] += 1
                    if fault.kind != "delay":
                        self._faulted.add(request.signature)
                    return fault
        return None

    def _forward(self, request: Request, headers) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self._target, timeout=UPSTREAM_TIMEOUT_SECONDS)
        try:
            forwarded = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
            connection.request(request.method, request.path, body=request.body or None, headers=forwarded)
            response = connection.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return response.status, kept, body
        finally:
            connection.close()

    def _record_upload(self, request: Request, status: int, body: bytes) -> None:
        if not (request.is_gcs_upload and status == 200):
            return
        resource = json.loads(body)
        parts = _multipart_parts(request.content_type, request.body)
        # A simple (non-multipart) upload carries the media as the whole body.
        text = (parts[-1].get_payload(decode=True) if parts else request.body).decode("utf-8")
        with self._lock:
            self.journal.append(JournalEntry(resource["name"], int(resource["generation"]), text))

    def _handler_class(self):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, self.rfile.read(length) if length else b"",
                                  self.headers.get("Content-Type", ""))
                fault = proxy._decide(request)
                if fault is not None and fault.kind == "unavailable":
                    return self._unavailable()
                if fault is not None and fault.kind == "delay":
                    time.sleep(fault.delay_seconds)
                try:
                    status, headers, body = proxy._forward(request, self.headers)
                except OSError:
                    proxy.counts["upstream_errors"] += 1
                    return self._unavailable()
                proxy._record_upload(request, status, body)
                if fault is not None and fault.kind == "lost_response":
                    return self._unavailable()
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _unavailable(self):
                body = json.dumps({"error": {
                    "code": 503, "status": "UNAVAILABLE", "message": "injected by the fault proxy",
                    "errors": [{"reason": "backendError", "message": "injected by the fault proxy"}]}}).encode()
                self.send_response(503)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args):  # quiet: the counters say what happened
                pass

        return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client closing its kept-alive connection is no news; faults are counted, not logged


def _multipart_parts(content_type: str, body: bytes) -> list:
    """The parts of a multipart/related upload: metadata first, media second ([] if not multipart)."""
    if not content_type.startswith("multipart/"):
        return []
    message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    return message.get_payload()
