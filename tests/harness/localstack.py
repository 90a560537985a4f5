"""The whole local stack on top of running emulators: a BigQuery dataset with picklock's tables,
a bucket, the three Cloud Functions served by functions-framework, and Pub/Sub topics with
dead-letter topics and push subscriptions to the functions. Used by the end-to-end tests,
`make dev`, `make chaos` and `make bench`; binds only 127.0.0.1 and stops every process it starts.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from picklock.adapters.bigquery_store import BigQueryStore
from picklock.adapters.pubsub import PubSubPublisher, RetryPolicy, provision_events_topic, provision_topic
from picklock.config import Config
from picklock.topics import GRADING_COMPLETE, MANUAL_PICKS, SIGNAL_UPDATED

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS = {SIGNAL_UPDATED: "on_signal_updated", GRADING_COMPLETE: "on_grading_complete",
             MANUAL_PICKS: "on_manual_pick"}
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Function:
    target: str
    port: int
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def signal(self, number: int) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, number)  # its own group: gunicorn and its workers

    def wait_until_listening(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.target} exited:\n{self.log_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.target} did not listen on {self.port}:\n{self.log_text()}")


def start_function(target: str, env: dict, log: Path) -> Function:
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "functions-framework"), "--target", target,
             "--source", str(REPO / "functions" / "main.py"), "--signature-type", "cloudevent",
             "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return Function(target, port, process, log)


def stop_functions(functions) -> None:
    """SIGTERM lets gunicorn finish the requests in flight; SIGKILL whatever does not stop."""
    for function in functions:
        function.signal(signal.SIGTERM)
    for function in functions:
        try:
            function.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            function.signal(signal.SIGKILL)
            function.process.wait()


@dataclass
class LocalStack:
    emulator_env: dict[str, str]
    log_dir: Path
    project: str = "picklock-local"
    suffix: str = field(default_factory=lambda: os.urandom(4).hex())
    now: str | None = None  # fixes the functions' clock (tests); None: the real clock
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(1, 2))
    functions: dict[str, Function] = field(default_factory=dict)

    @cached_property
    def config(self) -> Config:
        return Config(backend="gcp", project=self.project, dataset=f"picks_{self.suffix}",
                      bucket=f"picklock-{self.suffix}", bigquery_endpoint=self.emulator_env["PICKLOCK_BIGQUERY_ENDPOINT"],
                      now=self.now)

    @cached_property
    def env(self) -> dict[str, str]:
        """What a process needs to use this stack: the functions, the CLI, a shell."""
        values = {**self.emulator_env, "PICKLOCK_BACKEND": "gcp", "PICKLOCK_PROJECT": self.project,
                  "PICKLOCK_DATASET": self.config.dataset, "PICKLOCK_BUCKET": self.config.bucket}
        if self.now:
            values["PICKLOCK_NOW"] = self.now
        return values

    @cached_property
    def store(self) -> BigQueryStore:
        return BigQueryStore(self.project, self.config.dataset, endpoint=self.config.bigquery_endpoint)

    @cached_property
    def pubsub(self) -> PubSubPublisher:
        return PubSubPublisher(self.project)

    @cached_property
    def bucket(self):
        from google.cloud import storage

        return storage.Client(project=self.project).bucket(self.config.bucket)

    def start(self) -> LocalStack:
        from google.cloud import storage

        os.environ.update(self.emulator_env)  # this process's clients find the emulators too
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.store.create_tables()
        storage.Client(project=self.project).create_bucket(self.config.bucket)
        process_env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1", "THREADS": "4"}
        try:
            for topic, target in FUNCTIONS.items():
                self.functions[topic] = start_function(target, process_env, self.log_dir / f"{target}.log")
            deadline = time.monotonic() + START_TIMEOUT
            for topic, function in self.functions.items():
                function.wait_until_listening(deadline)
                # The path names the topic, as in the CloudEvent source Eventarc gives a function.
                endpoint = f"http://127.0.0.1:{function.port}/projects/{self.project}/topics/{topic}"
                provision_topic(self.project, topic, endpoint, retry=self.retry)
            provision_events_topic(self.project)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_functions(self.functions.values())

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def read(self, name: str) -> tuple[dict | None, int]:
        blob = self.bucket.get_blob(name)
        return (json.loads(blob.download_as_bytes()), blob.generation) if blob else (None, 0)

    def wait_for(self, what: str, check: Callable, timeout: float = 30.0, poll: float = 0.1):
        """Poll until `check()` returns something truthy; on timeout, show the functions' logs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(poll)
        logs = "\n".join(f"--- {f.target}\n{f.log_text()[-3000:]}" for f in self.functions.values())
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}\n{logs}")
