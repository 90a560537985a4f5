"""Table shapes, parsed from the BigQuery DDL in schemas/bigquery/ (the single source of them).

Only the subset of DDL the project writes is accepted: one CREATE TABLE or CREATE VIEW per file,
named `{dataset}.<file stem>`, columns `name TYPE [NOT NULL]`, and for tables
`PARTITION BY <column>`, an optional `CLUSTER BY <column>[, ...]` (up to four, BigQuery's limit) and
`OPTIONS (require_partition_filter = TRUE|FALSE)`. Anything else is
refused with the file and the offending text, so a DDL change cannot be half understood.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from .schema_dir import SchemaError, schema_root

DATASET_PLACEHOLDER = "{dataset}"
COLUMN_TYPES = ("STRING", "INT64", "FLOAT64", "BOOL", "DATE", "TIMESTAMP", "ARRAY<STRING>")

_TABLE = re.compile(
    r"CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+`\{dataset\}\.(?P<name>\w+)`\s*"
    r"\((?P<columns>.*)\)\s*"
    r"PARTITION\s+BY\s+(?P<partition>\w+)\s*"
    r"(?:CLUSTER\s+BY\s+(?P<cluster>\w+(?:\s*,\s*\w+)*)\s*)?"
    r"OPTIONS\s*\(\s*require_partition_filter\s*=\s*(?P<require_filter>TRUE|FALSE)\s*\)\s*;?",
    re.DOTALL | re.IGNORECASE,
)
_VIEW = re.compile(
    r"CREATE\s+VIEW\s+IF\s+NOT\s+EXISTS\s+`\{dataset\}\.(?P<name>\w+)`\s+AS\s+SELECT\b.*;?",
    re.DOTALL | re.IGNORECASE,
)
_COLUMN = re.compile(r"(?P<name>[A-Za-z_]\w*)\s+(?P<type>ARRAY\s*<\s*STRING\s*>|\w+)(?P<not_null>\s+NOT\s+NULL)?",
                     re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*")


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of COLUMN_TYPES
    required: bool  # NOT NULL (BigQuery mode REQUIRED)


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: tuple[Column, ...]  # empty for a view: its shape follows its SELECT
    partition_column: str | None
    require_partition_filter: bool
    is_view: bool
    sql: str  # the DDL as written, with the `{dataset}` placeholder
    cluster_columns: tuple[str, ...] = ()  # CLUSTER BY, in order: what reads filter on within a partition

    @functools.cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @functools.cached_property
    def _by_name(self) -> Mapping[str, Column]:
        return MappingProxyType({column.name: column for column in self.columns})

    def has_column(self, name: str) -> bool:
        return name in self._by_name

    def column(self, name: str) -> Column:
        """Constant time: a row is decoded in time linear in its columns."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"{self.name} has no column {name!r}") from None

    def render(self, dataset: str | None) -> str:
        """The DDL for a dataset id (`project.dataset`); None leaves names unqualified (SQLite)."""
        if dataset is None:
            return self.sql.replace(f"{DATASET_PLACEHOLDER}.", "")
        return self.sql.replace(DATASET_PLACEHOLDER, dataset)


def load_schema(schema_dir: Path | None = None) -> dict[str, TableSchema]:
    """Every table and view of `schema_dir` (default: schema_root()/bigquery), by name."""
    directory = schema_dir if schema_dir is not None else Path(schema_root(), "bigquery")
    files = sorted(Path(directory).glob("*.sql"))
    if not files:
        raise SchemaError(f"no DDL files (*.sql) in {directory}")
    return {schema.name: schema for schema in map(parse_ddl_file, files)}


@functools.cache
def default_schema() -> Mapping[str, TableSchema]:
    """load_schema() read once per process: the files do not change while it runs."""
    return MappingProxyType(load_schema())


@dataclass(frozen=True)
class Migration:
    """One file of schemas/bigquery/migrations/: idempotent statements that bring a table made by
    an earlier version to the shape its DDL file has now. Applied in file-name order."""
    name: str
    sql: str

    def statements(self, dataset: str) -> list[str]:
        text = _COMMENT.sub("", self.sql).replace(DATASET_PLACEHOLDER, dataset)
        return [statement.strip() for statement in text.split(";") if statement.strip()]

    def added_columns(self) -> list[AddedColumn]:
        """The columns its ALTER TABLE ... ADD COLUMN statements add (what an embedded home, which
        has no BigQuery, needs to know: its own store adds them; a DEFAULT fills existing rows)."""
        found = [_ADD_COLUMN.fullmatch(statement) for statement in self.statements(DATASET_PLACEHOLDER)]
        return [AddedColumn(m["table"], m["column"], m["default"]) for m in found if m]


@dataclass(frozen=True)
class AddedColumn:
    table: str
    column: str
    default: str | None  # a string literal's value, for the rows already there


_ADD_COLUMN = re.compile(
    r"ALTER\s+TABLE\s+`\{dataset\}\.(?P<table>\w+)`\s+ADD\s+COLUMN\s+IF\s+NOT\s+EXISTS\s+(?P<column>\w+)\s+"
    r"(?:ARRAY\s*<\s*STRING\s*>|\w+)(?:\s+DEFAULT\s+'(?P<default>[^']*)')?",
    re.IGNORECASE,
)


def load_migrations(schema_dir: Path | None = None) -> list[Migration]:
    directory = (schema_dir if schema_dir is not None else Path(schema_root(), "bigquery")) / "migrations"
    return [Migration(path.stem, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.sql"))]


def parse_ddl_file(path: Path) -> TableSchema:
    sql = path.read_text(encoding="utf-8")
    try:
        schema = parse_ddl(sql)
    except SchemaError as error:
        raise SchemaError(f"{path}: {error}") from None
    if schema.name != path.stem:
        raise SchemaError(f"{path}: defines {schema.name!r}; the file must be named after its table")
    return schema


def parse_ddl(sql: str) -> TableSchema:
    statement = _COMMENT.sub("", sql).strip()
    view = _VIEW.fullmatch(statement)
    if view:
        return TableSchema(view["name"], (), None, False, True, sql)
    table = _TABLE.fullmatch(statement)
    if not table:
        raise SchemaError("not a CREATE TABLE IF NOT EXISTS `{dataset}.name` (...) PARTITION BY column "
                          "[CLUSTER BY column, ...] OPTIONS (require_partition_filter = ...) nor a CREATE VIEW IF NOT EXISTS ... AS SELECT")
    columns = tuple(_parse_column(text) for text in table["columns"].split(","))
    names = [column.name for column in columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise SchemaError(f"duplicate columns {duplicates}")
    if table["partition"] not in names:
        raise SchemaError(f"partition column {table['partition']!r} is not a column")
    cluster = tuple(name.strip() for name in table["cluster"].split(",")) if table["cluster"] else ()
    _check_clustering(cluster, columns)
    return TableSchema(
        name=table["name"], columns=columns, partition_column=table["partition"],
        require_partition_filter=table["require_filter"].upper() == "TRUE", is_view=False, sql=sql,
        cluster_columns=cluster,
    )


MAX_CLUSTER_COLUMNS = 4  # BigQuery's limit


def _check_clustering(cluster: tuple[str, ...], columns: tuple[Column, ...]) -> None:
    by_name = {column.name: column for column in columns}
    unknown = [name for name in cluster if name not in by_name]
    if unknown:
        raise SchemaError(f"cluster column(s) {unknown} are not columns")
    if len(set(cluster)) != len(cluster):
        raise SchemaError(f"cluster columns {list(cluster)} repeat a column")
    if len(cluster) > MAX_CLUSTER_COLUMNS:
        raise SchemaError(f"{len(cluster)} cluster columns; BigQuery allows at most {MAX_CLUSTER_COLUMNS}")
    arrays = [name for name in cluster if by_name[name].type == "ARRAY<STRING>"]
    if arrays:
        raise SchemaError(f"cluster column(s) {arrays} are arrays; BigQuery clusters on scalar columns only")


def _parse_column(text: str) -> Column:
    match = _COLUMN.fullmatch(text.strip())
    if not match:
        raise SchemaError(f"cannot parse column definition {text.strip()!r} (expected: name TYPE [NOT NULL])")
    column_type = re.sub(r"\s+", "", match["type"]).upper()
    if column_type not in COLUMN_TYPES:
        raise SchemaError(f"column {match['name']!r} has unsupported type {match['type']!r}; "
                          f"supported: {', '.join(COLUMN_TYPES)}")
    if column_type == "ARRAY<STRING>" and match["not_null"]:
        raise SchemaError(f"column {match['name']!r}: BigQuery arrays cannot be NOT NULL (an empty array is stored)")
    return Column(match["name"], column_type, bool(match["not_null"]))
