"""PubSubPublisher, the topic/subscription set-up and the CLI's publishing commands against the
Pub/Sub emulator. Each test uses its own project, so tests share the emulator but no topic."""
from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from picklock.adapters.pubsub import (
    PubSubPublisher, RetryPolicy, create_pull_subscription, create_topic, provision_topic, pull,
)
from picklock.entrypoints import cli
from picklock.topics import (
    GRADING_COMPLETE, MANUAL_PICKS, MAX_DELIVERY_ATTEMPTS, SIGNAL_UPDATED, dead_letter_subscription,
    dead_letter_topic, push_subscription,
)
from picklock.validation import manual_command, parse_json

pytestmark = pytest.mark.emulators


@pytest.fixture
def project(emulators, unique_name):
    return unique_name("proj")


def subscribe(project: str, topic: str) -> str:
    """A pull subscription that sees what is published to `topic` from now on."""
    create_topic(project, topic)
    name = f"{topic}-test"
    create_pull_subscription(project, name, topic)
    return name


def pull_until(project: str, subscription: str, count: int, timeout: float = 20.0) -> list:
    received, deadline = [], time.monotonic() + timeout
    while len(received) < count and time.monotonic() < deadline:
        received += pull(project, subscription, timeout=2.0)
    return received


# ---------------------------------------------------------------- PubSubPublisher

def test_publish_sends_json_in_utf8_with_attributes_and_returns_the_message_id(project):
    subscription = subscribe(project, SIGNAL_UPDATED)
    payload = {"game_date": "2026-02-28", "run_id": "run-é"}

    message_id = PubSubPublisher(project).publish(SIGNAL_UPDATED, payload, {"origin": "test"})

    (received,) = pull_until(project, subscription, 1)
    assert received.message_id == message_id
    assert parse_json(received.data, "body") == payload
    assert "é".encode("utf-8") in received.data
    assert received.attributes == {"origin": "test"}


def test_publish_bytes_keeps_the_body_as_it_is(project):
    subscription = subscribe(project, dead_letter_topic(MANUAL_PICKS))

    PubSubPublisher(project).publish_bytes(dead_letter_topic(MANUAL_PICKS), b"\xff not utf-8", {"error": "x"})

    (received,) = pull_until(project, subscription, 1)
    assert (received.data, received.attributes) == (b"\xff not utf-8", {"error": "x"})


def test_pull_returns_nothing_when_nothing_waits(project):
    subscription = subscribe(project, GRADING_COMPLETE)
    assert pull(project, subscription, timeout=2.0) == []


# ---------------------------------------------------------------- set-up helpers

def test_provision_topic_wires_push_dead_letter_and_retry_and_is_idempotent(project):
    from google.cloud import pubsub_v1

    for _ in range(2):
        provision_topic(project, MANUAL_PICKS, "http://127.0.0.1:9/", retry=RetryPolicy(1, 5))

    subscriber, publisher = pubsub_v1.SubscriberClient(), pubsub_v1.PublisherClient()
    push = subscriber.get_subscription(subscription=subscriber.subscription_path(project, push_subscription(MANUAL_PICKS)))
    assert push.topic == publisher.topic_path(project, MANUAL_PICKS)
    assert push.push_config.push_endpoint == "http://127.0.0.1:9/"
    assert push.dead_letter_policy.dead_letter_topic == publisher.topic_path(project, dead_letter_topic(MANUAL_PICKS))
    assert push.dead_letter_policy.max_delivery_attempts == MAX_DELIVERY_ATTEMPTS
    assert (push.retry_policy.minimum_backoff.seconds, push.retry_policy.maximum_backoff.seconds) == (1, 5)
    parked = subscriber.get_subscription(
        subscription=subscriber.subscription_path(project, dead_letter_subscription(MANUAL_PICKS)))
    assert parked.topic == publisher.topic_path(project, dead_letter_topic(MANUAL_PICKS))


class FailingEndpoint(BaseHTTPRequestHandler):
    """A push endpoint that always fails, as a function does on a transient error."""
    attempts: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        FailingEndpoint.attempts.append(time.monotonic())
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def failing_endpoint():
    FailingEndpoint.attempts = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FailingEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_message_that_keeps_failing_is_parked_after_the_maximum_attempts(project, failing_endpoint):
    provision_topic(project, SIGNAL_UPDATED, failing_endpoint, retry=RetryPolicy(0.1, 1))

    PubSubPublisher(project).publish(SIGNAL_UPDATED, {"game_date": "2026-02-28"})

    (parked,) = pull_until(project, dead_letter_subscription(SIGNAL_UPDATED), 1, timeout=40)
    assert json.loads(parked.data) == {"game_date": "2026-02-28"}
    assert len(FailingEndpoint.attempts) == MAX_DELIVERY_ATTEMPTS


# ---------------------------------------------------------------- the CLI publishes

@pytest.fixture
def gcp_env(project, monkeypatch):
    monkeypatch.setenv("PICKLOCK_BACKEND", "gcp")
    monkeypatch.setenv("PICKLOCK_PROJECT", project)
    monkeypatch.setenv("PICKLOCK_BUCKET", "unused-by-publishing")
    monkeypatch.setenv("PICKLOCK_NOW", "2026-02-28T17:00:00Z")
    return project


def run_cli(argv, capsys) -> tuple[int, str, str]:
    out = io.StringIO()
    code = cli.main(argv, out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_cli_publishes_upstream_triggers(gcp_env, capsys):
    updated, graded = subscribe(gcp_env, SIGNAL_UPDATED), subscribe(gcp_env, GRADING_COMPLETE)

    assert run_cli(["publish", SIGNAL_UPDATED, "--date", "2026-02-28", "--run-id", "r1"], capsys)[0] == 0
    assert run_cli(["publish", GRADING_COMPLETE, "--date", "2026-02-27", "--graded-count", "7"], capsys)[0] == 0

    assert [json.loads(m.data) for m in pull_until(gcp_env, updated, 1)] == [{"game_date": "2026-02-28", "sport": "nba", "run_id": "r1"}]
    assert [json.loads(m.data) for m in pull_until(gcp_env, graded, 1)] == [
        {"game_date": "2026-02-27", "sport": "nba", "status": "complete", "graded_count": 7}]


def test_cli_manual_via_pubsub_publishes_a_valid_command(gcp_env, capsys):
    subscription = subscribe(gcp_env, MANUAL_PICKS)

    code, out, _ = run_cli(["manual", "add", "--via", "pubsub", "--date", "2026-02-28", "--player", "guisantos",
                            "--team", "GSW", "--opponent", "LAL", "--direction", "OVER", "--line", "13.5",
                            "--request-id", "req-1", "--by", "ops"], capsys)
    assert run_cli(["void", "--via", "pubsub", "--date", "2026-02-28", "--player", "guisantos",
                    "--reason", "late scratch", "--request-id", "req-2"], capsys)[0] == 0

    assert code == 0
    received = pull_until(gcp_env, subscription, 2)
    assert received[0].message_id in out
    commands = sorted((manual_command(parse_json(m.data, "body"), "body") for m in received), key=lambda c: c.request_id)
    assert [(c.request_id, c.action, c.player_lookup, c.line, c.reason) for c in commands] == [
        ("req-1", "add", "guisantos", 13.5, None), ("req-2", "void", "guisantos", None, "late scratch")]


@pytest.mark.parametrize("argv, problem", [
    (["publish", SIGNAL_UPDATED, "--date", "2026-02-30"], "--date"),
    (["manual", "add", "--via", "pubsub", "--date", "2026-02-28", "--player", "guisantos", "--team", "GSW",
      "--opponent", "LAL", "--direction", "OVER", "--line", "thirteen"], "--line"),
    (["manual", "remove", "--via", "pubsub", "--export", "--date", "2026-02-28", "--player", "guisantos"], "--export"),
])
def test_cli_refuses_bad_arguments_before_publishing_anything(gcp_env, capsys, argv, problem):
    subscriptions = [subscribe(gcp_env, topic) for topic in (SIGNAL_UPDATED, MANUAL_PICKS)]

    code, _, err = run_cli(argv, capsys)

    assert (code, problem in err) == (cli.EXIT_BAD_INPUT, True), err
    assert all(pull(gcp_env, s, timeout=1.0) == [] for s in subscriptions)
