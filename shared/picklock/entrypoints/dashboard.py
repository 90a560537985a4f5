"""`picklock dashboard`: a read-only operator page over the configured backend, on loopback only.

Static files from dashboard_static/ and JSON from the views. GET is the only method: the page
offers no action, so nothing can bypass the CLI's validation.
"""
from __future__ import annotations

import json
import logging
from datetime import date
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from ..service_layer import views
from ..service_layer.services import PicklockService
from ..validation import InputError, game_date_arg

log = logging.getLogger("picklock.dashboard")

LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8765
STATIC_DIR = Path(__file__).with_name("dashboard_static")
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


def _dated(view: Callable[[PicklockService, date], dict]) -> Callable[[PicklockService, str], dict]:
    return lambda service, text: view(service, game_date_arg(text, where="date"))


# path -> (the one query parameter it takes, or None; the view it answers with)
ENDPOINTS: dict[str, tuple[str | None, Callable[..., dict]]] = {
    "/api/today": (None, views.today),
    "/api/picks": ("date", _dated(views.picks)),
    "/api/timeline": ("date", _dated(views.timeline)),
    "/api/season": ("date", _dated(views.season)),
    "/api/lineage": ("pick_id", views.lineage),
}


def _arguments(query: str, parameter: str | None) -> list[str]:
    """The endpoint's one parameter, exactly once; anything else is refused rather than ignored."""
    given = parse_qs(query, keep_blank_values=True)
    unknown = sorted(given.keys() - {parameter})
    if unknown:
        raise InputError(unknown[0], "unknown parameter")
    if parameter is None:
        return []
    values = given.get(parameter, [])
    if len(values) != 1:
        raise InputError(parameter, "required, once" if not values else "given more than once")
    return values


class DashboardHandler(BaseHTTPRequestHandler):
    server: DashboardServer
    server_version = "picklock-dashboard"

    def do_GET(self) -> None:
        if not self._host_is_loopback():
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"Host {self.headers.get('Host')!r} is not this server"})
            return
        url = urlsplit(self.path)
        if url.path in ENDPOINTS:
            self._api(url.path, url.query)
        else:
            self._static(url.path)

    def _refuse(self) -> None:
        self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": f"{self.command} not allowed: the dashboard is read-only"},
                   Allow="GET")

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

    def _host_is_loopback(self) -> bool:
        # Against DNS rebinding: a page from another site resolved to 127.0.0.1 sends its own Host.
        port = self.server.server_address[1]
        return self.headers.get("Host") in (f"{LOOPBACK}:{port}", f"localhost:{port}")

    def _api(self, path: str, query: str) -> None:
        parameter, view = ENDPOINTS[path]
        try:
            body = view(self.server.service, *_arguments(query, parameter))
        except InputError as error:
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
        except views.PickNotFound as error:
            self._json(HTTPStatus.NOT_FOUND, {"error": str(error)})
        except Exception as error:  # noqa: BLE001 - answer the page, keep serving
            log.exception("GET %s failed", self.path)
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(error).__name__}: {error}"})
        else:
            self._json(HTTPStatus.OK, body)

    def _static(self, path: str) -> None:
        # Looked up by name among the directory's files: no path from the URL reaches the disk.
        files = {p.name: p for p in STATIC_DIR.iterdir() if p.suffix in CONTENT_TYPES}
        found = files.get("index.html" if path == "/" else path.removeprefix("/"))
        if found is None:
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such page {path!r}"})
            return
        self._send(HTTPStatus.OK, found.read_bytes(), f"{CONTENT_TYPES[found.suffix]}; charset=utf-8")

    def _json(self, status: HTTPStatus, body: dict, **headers: str) -> None:
        self._send(status, json.dumps(body, allow_nan=False).encode(), "application/json", **headers)

    def _send(self, status: HTTPStatus, payload: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's signature
        log.info("%s %s", self.address_string(), format % args)


class DashboardServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's keep-alive connection must not hold up Ctrl-C

    def __init__(self, service: PicklockService, port: int = DEFAULT_PORT):
        if not 0 <= port <= 65535:
            raise InputError("--port", f"{port} is not a TCP port (0-65535; 0 picks a free one)")
        self.service = service
        super().__init__((LOOPBACK, port), DashboardHandler)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}/"


def serve(service: PicklockService, port: int, out) -> None:
    """Serve until Ctrl-C."""
    with DashboardServer(service, port) as server:
        print(f"picklock dashboard on {server.url} (read-only; Ctrl-C to stop)", file=out, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("dashboard stopped", file=out)
