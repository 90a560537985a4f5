"""bqemulator with its time-travel capture switched off, for `make bench` only.

bqemulator emulates FOR SYSTEM_TIME AS OF by copying the whole table (CREATE TABLE AS SELECT *)
after every DML statement, so on it a 1-row INSERT costs time in proportion to the bytes already in
the table. BigQuery keeps its time-travel history in storage and an `INSERT ... SELECT FROM
UNNEST(@rows)` scans no table. The bench measures what grows with the tables (season length, other
sports) on both: the emulator as shipped, and this one, whose writes cost what BigQuery's do not
depend on. picklock never reads FOR SYSTEM_TIME AS OF. Run with the emulator's interpreter, with
bqemulator's own arguments.
"""
import sys

from bqemulator.cli import main
from bqemulator.versioning import snapshots

if not callable(getattr(snapshots.SnapshotManager, "capture", None)):
    sys.exit("bqemulator_without_table_copies: this bqemulator has no SnapshotManager.capture; "
             "find where it copies a table after a DML before measuring with it")
snapshots.SnapshotManager.capture = lambda self, *args, **kwargs: None

sys.exit(main())
