"""The ports the service layer needs; adapters implement them (embedded or Google Cloud)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Protocol, Sequence

from ..domain.sports import DEFAULT_SPORT

if TYPE_CHECKING:  # annotations only: implementing a port does not load the domain
    from datetime import date

    from ..domain.export import AuditRecord, ExportInputs
    from ..domain.picks import ClosingLine, GameResult, HaltCommand, LedgerRow, ManualCommand, SignalRow


class PickStore(Protocol):
    def load_export_inputs(self, game_date: date, *, sport: str = DEFAULT_SPORT, season_from: date | None = None,
                           all_json_date: date | None = None) -> ExportInputs:
        """Everything one export of one sport reads, in one read (one BigQuery job): the date's
        rows (closing lines included; of the ledger, the versions fold_ledger reads:
        ledger.versions_to_fold), the sport's halts, for each date from `season_from` (None: no
        season) to the day before its latest tally from record.details_start(game_date, season_from) on
        (with the day summary of the same audit row, when it has one) and its latest day summary
        before that, and the audited export ids, which cover
        `all_json_date` too (the date all.json shows may have an unaudited version)."""

    def append_ledger(self, rows: Sequence[LedgerRow]) -> None: ...

    def append_audit(self, records: Sequence[AuditRecord]) -> None: ...

    def record_manual(self, command: ManualCommand) -> bool:
        """Append a command unless its request_id is already recorded; True when appended."""

    def record_halt(self, command: HaltCommand, game_date: date) -> bool:
        """Append a halt/resume (under the sport's date) unless its request_id is recorded."""

    def audit_records(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[AuditRecord]: ...

    def ledger_history(self, game_date: date, sport: str = DEFAULT_SPORT) -> list[LedgerRow]:
        """Every ledger row of a date of one sport, in LedgerRow.order (a pick's lineage)."""

    def audited_dates(self, sport: str = DEFAULT_SPORT) -> list[date]:
        """Every game date of the sport with an audit row, in order (for `picklock restore --all`)."""

    def migrate(self) -> list[str]:
        """Bring tables made by an earlier version to today's shape; the migrations applied."""

    # Upstream tables: picklock only reads them in production; the CLI and tests load them.
    def replace_signal(self, game_date: date, rows: Sequence[SignalRow], sport: str = DEFAULT_SPORT) -> None: ...

    def replace_results(self, game_date: date, rows: Sequence[GameResult], sport: str = DEFAULT_SPORT) -> None: ...

    def replace_closing(self, game_date: date, rows: Sequence[ClosingLine], sport: str = DEFAULT_SPORT) -> None: ...


class Publisher(Protocol):
    def read(self, name: str) -> tuple[str | None, int]:
        """The object's text and generation; (None, 0) when it does not exist."""

    def write(self, name: str, text: str, *, if_generation_match: int) -> int:
        """Write only if the object is still at that generation (0: does not exist yet).
        Returns the new generation; raises PreconditionFailed otherwise."""


class MessagePublisher(Protocol):
    def publish(self, topic: str, payload: dict, attributes: Mapping[str, str] | None = None) -> str:
        """Publish a JSON message (UTF-8); returns its message id once the topic has it."""

    def publish_bytes(self, topic: str, data: bytes, attributes: Mapping[str, str] | None = None) -> str:
        """Publish a body as is: a parked poison message keeps the bytes it arrived with."""
