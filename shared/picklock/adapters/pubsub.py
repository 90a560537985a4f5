"""Pub/Sub (google-cloud-pubsub): the MessagePublisher, and the topic and subscription set-up used
by `make dev` and the tests (production infrastructure is declared in Terraform, same names).

With PUBSUB_EMULATOR_HOST set, the clients talk to the emulator, anonymously. The client library
is imported on first use: a function publishes only to park a poison message, and the import
(~0.4 s) would otherwise lengthen every cold start.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Iterator, Mapping

from google.api_core import exceptions

from ..topics import (
    MAX_DELIVERY_ATTEMPTS, PICK_EVENTS, dead_letter_subscription, dead_letter_topic, encode_message, push_subscription,
)

if TYPE_CHECKING:
    from google.cloud import pubsub_v1

PUBLISH_TIMEOUT_SECONDS = 60.0


def _pubsub_v1():
    from google.cloud import pubsub_v1

    return pubsub_v1


class PubSubPublisher:
    def __init__(self, project: str, *, client: pubsub_v1.PublisherClient | None = None):
        self.project = project
        self._client = client

    @property
    def client(self) -> pubsub_v1.PublisherClient:
        if self._client is None:  # created on first use: most function calls never publish
            self._client = _pubsub_v1().PublisherClient()
        return self._client

    def publish(self, topic: str, payload: dict, attributes: Mapping[str, str] | None = None) -> str:
        return self.publish_bytes(topic, encode_message(payload), attributes)

    def publish_bytes(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> str:
        # Attributes go through as keyword arguments, so reserved names (ordering_key, retry,
        # timeout) cannot be attributes; picklock uses none of them.
        future = self.client.publish(self.client.topic_path(self.project, topic), data, **(attributes or {}))
        return future.result(timeout=PUBLISH_TIMEOUT_SECONDS)  # only a stored message has an id


# -- set-up: topics and subscriptions ---------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """Backoff between redeliveries of a failed push. Pub/Sub allows 0-600 seconds."""
    minimum_backoff_seconds: float = 10.0
    maximum_backoff_seconds: float = 600.0


def create_topic(project: str, topic: str, *, client: pubsub_v1.PublisherClient | None = None) -> str:
    """Create the topic unless it exists; returns its path."""
    client = client or _pubsub_v1().PublisherClient()
    path = client.topic_path(project, topic)
    try:
        client.create_topic(name=path)
    except exceptions.AlreadyExists:
        pass
    return path


def create_pull_subscription(project: str, subscription: str, topic: str, *,
                             client: pubsub_v1.SubscriberClient | None = None) -> str:
    with _subscriber(client) as subscriber:
        path = subscriber.subscription_path(project, subscription)
        try:
            subscriber.create_subscription(name=path, topic=_topic_path(project, topic))
        except exceptions.AlreadyExists:
            pass
    return path


def create_push_subscription(project: str, topic: str, endpoint: str, *, retry: RetryPolicy = RetryPolicy(),
                             ack_deadline_seconds: int = 60,
                             client: pubsub_v1.SubscriberClient | None = None) -> str:
    """Push `topic` to `endpoint`; a message that fails MAX_DELIVERY_ATTEMPTS times is parked on the
    topic's dead-letter topic. The ack deadline is how long one push may take (one export)."""
    path = _pubsub_v1().SubscriberClient.subscription_path(project, push_subscription(topic))
    request = {
        "name": path,
        "topic": _topic_path(project, topic),
        "push_config": {"push_endpoint": endpoint},
        "ack_deadline_seconds": ack_deadline_seconds,
        "dead_letter_policy": {
            "dead_letter_topic": _topic_path(project, dead_letter_topic(topic)),
            "max_delivery_attempts": MAX_DELIVERY_ATTEMPTS,
        },
        "retry_policy": {
            "minimum_backoff": _duration(retry.minimum_backoff_seconds),
            "maximum_backoff": _duration(retry.maximum_backoff_seconds),
        },
    }
    with _subscriber(client) as subscriber:
        try:
            subscriber.create_subscription(request=request)
        except exceptions.AlreadyExists:
            pass
    return path


def provision_topic(project: str, topic: str, endpoint: str, *, retry: RetryPolicy = RetryPolicy()) -> None:
    """Everything one function's trigger needs: the topic, its dead-letter topic with a pull
    subscription that keeps what is parked, and the push subscription to `endpoint`."""
    publisher = _pubsub_v1().PublisherClient()
    for name in (topic, dead_letter_topic(topic)):
        create_topic(project, name, client=publisher)
    with _subscriber(None) as subscriber:
        create_pull_subscription(project, dead_letter_subscription(topic), dead_letter_topic(topic), client=subscriber)
        create_push_subscription(project, topic, endpoint, retry=retry, client=subscriber)


def provision_events_topic(project: str) -> None:
    """The pick-events topic exports publish to, and a pull subscription that keeps its messages
    (on the local stack; in Google Cloud, subscribers bring their own)."""
    create_topic(project, PICK_EVENTS)
    create_pull_subscription(project, f"{PICK_EVENTS}-pull", PICK_EVENTS)


@dataclass(frozen=True)
class PulledMessage:
    message_id: str
    data: bytes
    attributes: dict[str, str]
    published_at: str | None = None  # when it reached the topic (ISO-8601), for dead letters


class DeadLetters:
    """The parked messages of each topic, on its `<topic>-dead-letter-pull` subscription.

    Reading them is a peek: each pulled message is handed back at once (ack deadline 0), so a
    listing consumes nothing. A replay republishes a message to its topic and acknowledges it on
    the dead-letter subscription only once the topic has it."""

    def __init__(self, project: str):
        self.project = project

    def peek(self, topic: str, *, max_messages: int = 100) -> list[PulledMessage]:
        with _subscriber(None) as subscriber:
            path = subscriber.subscription_path(self.project, dead_letter_subscription(topic))
            received = self._pull_all(subscriber, path, max_messages)
            if received:
                subscriber.modify_ack_deadline(subscription=path, ack_ids=[m.ack_id for m in received],
                                               ack_deadline_seconds=0)
        return [_pulled(m) for m in received]

    def replay(self, topic: str, message_ids: set[str] | None) -> list[tuple[PulledMessage, str]]:
        """Republish the parked messages with these ids (None: all) to `topic`; returns each with
        the id it got on `topic`."""
        publisher = PubSubPublisher(self.project)
        replayed = []
        with _subscriber(None) as subscriber:
            path = subscriber.subscription_path(self.project, dead_letter_subscription(topic))
            received = self._pull_all(subscriber, path, 1000)
            chosen = [m for m in received if message_ids is None or _original_id(m) in message_ids]
            others = [m.ack_id for m in received if m not in chosen]
            if others:
                subscriber.modify_ack_deadline(subscription=path, ack_ids=others, ack_deadline_seconds=0)
            for message in chosen:
                attributes = {k: v for k, v in message.message.attributes.items()
                              if k not in ("error", "source_topic", "message_id")}
                new_id = publisher.publish_bytes(topic, message.message.data, attributes)
                subscriber.acknowledge(subscription=path, ack_ids=[message.ack_id])  # only once republished
                replayed.append((_pulled(message), new_id))
        return replayed

    @staticmethod
    def _pull_all(subscriber, path: str, max_messages: int) -> list:
        received = []
        while len(received) < max_messages:
            response = subscriber.pull(subscription=path, max_messages=min(100, max_messages - len(received)),
                                       timeout=10.0, return_immediately=True)
            if not response.received_messages:
                break
            received += response.received_messages
        return received


def _original_id(received) -> str:
    """The id the message had on its own topic: what the function logged and the CLI printed."""
    return received.message.attributes.get("message_id") or received.message.message_id


def _pulled(received) -> PulledMessage:
    published = received.message.publish_time
    return PulledMessage(_original_id(received), received.message.data, dict(received.message.attributes),
                         published.isoformat() if published else None)


def pull(project: str, subscription: str, *, max_messages: int = 10, timeout: float = 10.0,
         client: pubsub_v1.SubscriberClient | None = None) -> list[PulledMessage]:
    """Pull what is waiting (possibly nothing) and acknowledge it: for inspecting dead letters."""
    with _subscriber(client) as subscriber:
        path = subscriber.subscription_path(project, subscription)
        response = subscriber.pull(subscription=path, max_messages=max_messages, timeout=timeout)
        if response.received_messages:
            subscriber.acknowledge(subscription=path, ack_ids=[m.ack_id for m in response.received_messages])
    return [PulledMessage(m.message.message_id, m.message.data, dict(m.message.attributes))
            for m in response.received_messages]


@contextmanager
def _subscriber(client: pubsub_v1.SubscriberClient | None) -> Iterator[pubsub_v1.SubscriberClient]:
    """The caller's client, or a new one closed afterwards (each holds a gRPC channel)."""
    if client is not None:
        yield client
        return
    with _pubsub_v1().SubscriberClient() as created:
        yield created


def _topic_path(project: str, topic: str) -> str:
    return _pubsub_v1().PublisherClient.topic_path(project, topic)


def _duration(seconds: float):
    from google.protobuf import duration_pb2

    duration = duration_pb2.Duration()
    duration.FromTimedelta(timedelta(seconds=seconds))
    return duration
