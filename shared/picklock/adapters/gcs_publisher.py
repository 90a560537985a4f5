"""Publisher on Cloud Storage (google-cloud-storage): compare-and-swap on object generations.

- A write states the generation it replaces (`if_generation_match`; 0: the object must not exist)
  and Cloud Storage refuses it with 412 otherwise: concurrent exports cannot overwrite a newer
  file with an older one (G6). Writes are single-request (multipart) uploads: the files are far
  below the 8 MiB where the client switches to resumable uploads.
- A read takes the text and its generation from one download response, so the two always match.
- Live files may be cached for a minute; snapshots under `history/` never change, so cache them
  for a year.
- With STORAGE_EMULATOR_HOST set, the client talks to the emulator, anonymously.
"""
from __future__ import annotations

from google.api_core import exceptions
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from ..service_layer.errors import PreconditionFailed
from .sports_file import default_catalogue

CONTENT_TYPE = "application/json; charset=utf-8"
LIVE_CACHE_CONTROL = "public, max-age=60"
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
# Every sport's history snapshots (schemas/sports.json): written once, cached for good.
IMMUTABLE_PREFIXES = tuple(f"{sport.path_prefix}/history/" for sport in default_catalogue().sports)
# Each call gives up after this long, well within the function timeout (60 s, infra/variables.tf):
# a persistent fault then fails the push and Pub/Sub redelivers it, instead of the client's
# default 2 minutes of retries outliving the push. Every write is conditional, so retrying it is safe.
CALL_TIMEOUT_SECONDS = 10.0
_CALL_LIMITS = dict(timeout=CALL_TIMEOUT_SECONDS, retry=DEFAULT_RETRY.with_timeout(CALL_TIMEOUT_SECONDS))


def cache_control(name: str) -> str:
    return IMMUTABLE_CACHE_CONTROL if name.startswith(IMMUTABLE_PREFIXES) else LIVE_CACHE_CONTROL


class GcsPublisher:
    def __init__(self, project: str, bucket: str, *, client: storage.Client | None = None):
        self.project = project
        self.bucket_name = bucket
        self._client = client
        self._bucket: storage.Bucket | None = None

    @property
    def bucket(self) -> storage.Bucket:
        if self._bucket is None:  # the client is created on first use: keeps function cold starts short
            self._client = self._client or storage.Client(project=self.project)
            self._bucket = self._client.bucket(self.bucket_name)
        return self._bucket

    def read(self, name: str) -> tuple[str | None, int]:
        blob = self.bucket.blob(name)
        try:
            data = blob.download_as_bytes(**_CALL_LIMITS)
        except exceptions.NotFound:
            return None, 0
        return data.decode("utf-8"), blob.generation  # generation from the same response's headers

    def write(self, name: str, text: str, *, if_generation_match: int) -> int:
        blob = self.bucket.blob(name)
        blob.cache_control = cache_control(name)
        try:
            blob.upload_from_string(text.encode("utf-8"), content_type=CONTENT_TYPE,
                                    if_generation_match=if_generation_match, **_CALL_LIMITS)
        except exceptions.PreconditionFailed as error:
            raise PreconditionFailed(f"gs://{self.bucket_name}/{name}: not at generation {if_generation_match}") from error
        return blob.generation
