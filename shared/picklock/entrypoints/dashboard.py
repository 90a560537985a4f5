"""`picklock dashboard`: a read-only operator page over the configured backend, on loopback only.

Static files from dashboard_static/ and JSON from the views, one sport at a time (`?sport=`, nba
when absent). GET is the only method: the page offers no action, so nothing can bypass the CLI's
validation.
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

from ..domain.sports import DEFAULT_SPORT
from ..service_layer import views
from ..service_layer.services import PicklockService
from ..arguments import InputError, game_date_arg, sport_arg
from .dashboard_port import DEFAULT_PORT

log = logging.getLogger("picklock.dashboard")

LOOPBACK = "127.0.0.1"
STATIC_DIR = Path(__file__).with_name("dashboard_static")
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


SPORT = "sport"  # every endpoint's optional parameter: which sport (default nba)


def _dated(view: Callable[[PicklockService, date, str], dict]) -> Callable[[PicklockService, str, str], dict]:
    return lambda service, text, sport: view(service, game_date_arg(text, where="date"), sport)


# path -> (the one parameter it requires, or None; the view it answers with, called with that
# parameter's value, if any, then the sport)
ENDPOINTS: dict[str, tuple[str | None, Callable[..., dict]]] = {
    "/api/today": (None, views.today),
    "/api/picks": ("date", _dated(views.picks)),
    "/api/timeline": ("date", _dated(views.timeline)),
    "/api/season": ("date", _dated(views.season)),
    "/api/lineage": ("pick_id", views.lineage),
    "/api/chain": ("date", _dated(views.chain)),
    "/api/verify": (None, views.verification),
}


def _arguments(query: str, required: str | None) -> list[str]:
    """The view's arguments after the service: the endpoint's required parameter, exactly once,
    then the sport, at most once (default nba). Anything else is refused rather than ignored."""
    given = parse_qs(query, keep_blank_values=True)
    expected = {SPORT} if required is None else {required, SPORT}
    unknown = sorted(given.keys() - expected)
    if unknown:
        raise InputError(unknown[0], "unknown parameter")
    if required is not None and required not in given:
        raise InputError(required, "required, once")
    repeated = sorted(name for name, values in given.items() if len(values) > 1)
    if repeated:
        raise InputError(repeated[0], "given more than once")
    sport = sport_arg(given[SPORT][0], where=SPORT).id if SPORT in given else DEFAULT_SPORT
    return [*(given[required] if required is not None else []), sport]


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
        required, view = ENDPOINTS[path]
        try:
            body = view(self.server.service, *_arguments(query, required))
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
