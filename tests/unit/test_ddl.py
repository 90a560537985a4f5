from pathlib import Path

import pytest

from picklock.adapters.ddl import COLUMN_TYPES, Column, SchemaError, load_schema, parse_ddl, schema_root

# DESIGN.md, "Data contracts": names other teams already use.
TABLES = {
    "signal_best_bets_picks", "player_game_results", "best_bets_published_picks",
    "best_bets_manual_picks", "best_bets_export_audit", "best_bets_sport_halts", "closing_lines",
}
VIEWS = {"best_bets_pick_events"}


def test_every_ddl_file_parses_to_the_known_tables_and_views():
    schema = load_schema()
    assert set(schema) == TABLES | VIEWS
    assert {name for name, table in schema.items() if table.is_view} == VIEWS


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_is_partitioned_by_game_date_with_a_required_filter(name):
    table = load_schema()[name]
    assert table.partition_column == "game_date"
    assert table.require_partition_filter is True
    assert table.column("game_date") == Column("game_date", "DATE", True)
    assert all(column.type in COLUMN_TYPES for column in table.columns)


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_is_clustered_by_sport_so_one_sports_read_skips_the_others(name):
    table = load_schema()[name]
    assert table.cluster_columns == ("sport",)
    assert table.column("sport").type == "STRING"


def test_cluster_columns_are_read_in_order():
    table = parse_ddl("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, sport STRING, stat STRING) "
                      "PARTITION BY game_date CLUSTER BY sport , stat OPTIONS (require_partition_filter = TRUE);")
    assert table.cluster_columns == ("sport", "stat")
    unclustered = parse_ddl("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE) PARTITION BY game_date "
                            "OPTIONS (require_partition_filter = TRUE);")
    assert unclustered.cluster_columns == ()


def test_types_and_modes_come_from_the_ddl():
    schema = load_schema()
    ledger = schema["best_bets_published_picks"]
    assert ledger.column("angles") == Column("angles", "ARRAY<STRING>", False)
    assert ledger.column("line") == Column("line", "FLOAT64", True)
    assert ledger.column("rank") == Column("rank", "INT64", False)
    assert ledger.column("first_published_at") == Column("first_published_at", "TIMESTAMP", True)
    assert schema["best_bets_export_audit"].column("all_json_written") == Column("all_json_written", "BOOL", True)
    assert schema["signal_best_bets_picks"].column("stat") == Column("stat", "STRING", False)


def test_the_view_renders_for_a_dataset_or_unqualified():
    view = load_schema()["best_bets_pick_events"]
    assert view.columns == () and view.partition_column is None
    assert "`proj.picks.best_bets_published_picks`" in view.render("proj.picks")
    unqualified = view.render(None)
    assert "{dataset}" not in unqualified and "`best_bets_published_picks`" in unqualified


def test_a_table_renders_for_a_dataset():
    rendered = load_schema()["player_game_results"].render("proj.picks")
    assert "CREATE TABLE IF NOT EXISTS `proj.picks.player_game_results`" in rendered
    assert "{dataset}" not in rendered


def test_parses_comments_arrays_modes_and_an_optional_filter():
    table = parse_ddl("""
        -- a comment, (with, commas)
        CREATE TABLE IF NOT EXISTS `{dataset}.things` (
          game_date DATE NOT NULL,  -- trailing comment
          tags ARRAY< STRING >,
          flag bool not null,
          amount FLOAT64
        )
        PARTITION BY game_date
        OPTIONS (require_partition_filter = FALSE);
    """)
    assert table.name == "things" and not table.is_view
    assert table.columns == (
        Column("game_date", "DATE", True), Column("tags", "ARRAY<STRING>", False),
        Column("flag", "BOOL", True), Column("amount", "FLOAT64", False),
    )
    assert table.require_partition_filter is False


@pytest.mark.parametrize("sql, message", [
    ("CREATE TABLE `{dataset}.t` (game_date DATE) PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE);", "not a CREATE TABLE IF NOT EXISTS"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, n NUMERIC) PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE);", "unsupported type 'NUMERIC'"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, x STRING DEFAULT 'a') PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE);", "cannot parse column definition"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (day DATE) PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE);", "partition column 'game_date' is not a column"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, game_date DATE) PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE);", "duplicate columns ['game_date']"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, a ARRAY<STRING> NOT NULL) PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE);", "arrays cannot be NOT NULL"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE) PARTITION BY game_date CLUSTER BY sport "
     "OPTIONS (require_partition_filter = TRUE);", "cluster column(s) ['sport'] are not columns"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, a STRING) PARTITION BY game_date CLUSTER BY a, a "
     "OPTIONS (require_partition_filter = TRUE);", "repeat a column"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, a STRING, b STRING, c STRING, d STRING, e STRING) "
     "PARTITION BY game_date CLUSTER BY a, b, c, d, e OPTIONS (require_partition_filter = TRUE);",
     "at most 4"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, a ARRAY<STRING>) PARTITION BY game_date "
     "CLUSTER BY a OPTIONS (require_partition_filter = TRUE);", "scalar columns only"),
    ("CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE, a STRING) PARTITION BY game_date "
     "OPTIONS (require_partition_filter = TRUE) CLUSTER BY a;", "not a CREATE TABLE IF NOT EXISTS"),
])
def test_refuses_ddl_it_does_not_understand(sql, message):
    with pytest.raises(SchemaError) as error:
        parse_ddl(sql)
    assert message in str(error.value)


def test_errors_name_the_file(tmp_path: Path):
    (tmp_path / "broken.sql").write_text("CREATE TABLE nonsense;")
    with pytest.raises(SchemaError, match="broken.sql"):
        load_schema(tmp_path)


def test_a_file_must_be_named_after_its_table(tmp_path: Path):
    (tmp_path / "other.sql").write_text(
        "CREATE TABLE IF NOT EXISTS `{dataset}.t` (game_date DATE NOT NULL) PARTITION BY game_date "
        "OPTIONS (require_partition_filter = TRUE);")
    with pytest.raises(SchemaError, match="must be named after its table"):
        load_schema(tmp_path)


def test_an_empty_directory_is_an_error(tmp_path: Path):
    with pytest.raises(SchemaError, match="no DDL files"):
        load_schema(tmp_path)


def test_schema_root_is_the_repository_schemas_directory_by_default(monkeypatch):
    monkeypatch.delenv("PICKLOCK_SCHEMA_DIR", raising=False)
    root = Path(schema_root())
    assert root == Path(__file__).resolve().parents[2] / "schemas" and (root / "bigquery").is_dir()


def test_schema_root_honours_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PICKLOCK_SCHEMA_DIR", str(tmp_path))
    assert Path(schema_root()) == tmp_path
