"""Builds the service from configuration: the one place adapters are chosen and wired."""
from __future__ import annotations

import os
from datetime import datetime, timezone

from .config import Config

TYPE_CHECKING = False  # typing itself is not imported: `picklock status` starts from here
if TYPE_CHECKING:  # the service and the domain load only when a command builds the service
    from .service_layer.ports import MessagePublisher, Publisher
    from .service_layer.services import PicklockService


def clock_for(config: Config):
    from .domain.calendar import parse_instant

    if config.now:
        fixed = parse_instant(config.now)
        return lambda: fixed
    return lambda: datetime.now(timezone.utc)


def bootstrap(config: Config | None = None) -> PicklockService:
    from .adapters.sports_file import default_catalogue
    from .service_layer.services import PicklockService

    config = config or Config.from_env()
    sports = default_catalogue()
    sports.check_zones()  # a sports file naming an unknown zone fails here, before anything runs
    if config.backend == "gcp":
        from .adapters.bigquery_store import BigQueryStore  # clients load only when used

        store = BigQueryStore(config.project, config.dataset, endpoint=config.bigquery_endpoint)
    else:
        from .adapters.sqlite_store import SqliteStore

        store = SqliteStore(os.path.join(config.home, "picklock.sqlite3"))
    return PicklockService(store, publisher_for(config), clock=clock_for(config), sports=sports,
                           events=message_publisher(config))


def publisher_for(config: Config) -> Publisher:
    """The published files alone: Cloud Storage on GCP, a directory under $PICKLOCK_HOME otherwise."""
    if config.backend == "gcp":
        from .adapters.gcs_publisher import GcsPublisher

        return GcsPublisher(config.project, config.bucket)
    from .adapters.local_publisher import LocalPublisher

    return LocalPublisher(os.path.join(config.home, "bucket"))


def message_publisher(config: Config | None = None) -> MessagePublisher:
    """Pub/Sub on GCP; on the embedded backend, JSON-lines files under $PICKLOCK_HOME/messages."""
    config = config or Config.from_env()
    if config.backend == "gcp":
        from .adapters.pubsub import PubSubPublisher

        return PubSubPublisher(config.project)
    from .adapters.local_message_publisher import LocalMessagePublisher

    return LocalMessagePublisher(os.path.join(config.home, "messages"))
