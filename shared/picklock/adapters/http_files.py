"""Public files over plain HTTP(S) GET: what any reader of the bucket can fetch, no credentials and
no Google client (for `picklock verify --base URL`)."""
from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import quote

TIMEOUT_SECONDS = 30


class HttpFiles:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def get(self, name: str) -> str | None:
        url = f"{self.base_url}/{quote(name)}"
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise


class BucketFiles:
    """The configured bucket (embedded directory or Cloud Storage) read through its publisher."""

    def __init__(self, publisher):
        self.publisher = publisher

    def get(self, name: str) -> str | None:
        return self.publisher.read(name)[0]
