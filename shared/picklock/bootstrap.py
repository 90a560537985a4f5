"""Builds the service from configuration: the one place adapters are chosen and wired."""
from __future__ import annotations

from datetime import datetime, timezone

from .adapters.sports_file import default_catalogue
from .config import Config
from .domain.calendar import parse_instant
from .service_layer.ports import MessagePublisher
from .service_layer.services import PicklockService


def clock_for(config: Config):
    if config.now:
        fixed = parse_instant(config.now)
        return lambda: fixed
    return lambda: datetime.now(timezone.utc)


def bootstrap(config: Config | None = None) -> PicklockService:
    config = config or Config.from_env()
    if config.backend == "gcp":
        from .adapters.bigquery_store import BigQueryStore  # clients load only when used
        from .adapters.gcs_publisher import GcsPublisher

        store = BigQueryStore(config.project, config.dataset, endpoint=config.bigquery_endpoint)
        publisher = GcsPublisher(config.project, config.bucket)
    else:
        from .adapters.local_publisher import LocalPublisher
        from .adapters.sqlite_store import SqliteStore

        config.home.mkdir(parents=True, exist_ok=True)
        store = SqliteStore(config.home / "picklock.sqlite3")
        publisher = LocalPublisher(config.home / "bucket")
    return PicklockService(store, publisher, clock=clock_for(config), sports=default_catalogue(),
                           events=message_publisher(config))


def message_publisher(config: Config | None = None) -> MessagePublisher:
    """Pub/Sub on GCP; on the embedded backend, JSON-lines files under $PICKLOCK_HOME/messages."""
    config = config or Config.from_env()
    if config.backend == "gcp":
        from .adapters.pubsub import PubSubPublisher

        return PubSubPublisher(config.project)
    from .adapters.local_message_publisher import LocalMessagePublisher

    return LocalMessagePublisher(config.home / "messages")
