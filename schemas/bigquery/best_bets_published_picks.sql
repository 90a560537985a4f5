-- The lock ledger: append-only. Every row is one version of a published pick, written by one export.
-- A pick's published fields come from its first row; a void is permanent once any row carries it;
-- refreshable fields, status and result come from its latest row. Never updated, never deleted.
CREATE TABLE IF NOT EXISTS `{dataset}.best_bets_published_picks` (
  game_date DATE NOT NULL,
  pick_id STRING NOT NULL,
  player_lookup STRING NOT NULL,
  stat STRING NOT NULL,
  player_name STRING,
  team STRING NOT NULL,
  opponent STRING NOT NULL,
  direction STRING NOT NULL,
  line FLOAT64 NOT NULL,
  source STRING NOT NULL,
  system_id STRING,
  algorithm_version STRING,
  manual_request_id STRING,
  submitted_by STRING,
  first_published_at TIMESTAMP NOT NULL,
  game_id STRING,
  game_time TIMESTAMP,
  edge FLOAT64,
  rank INT64,
  angles ARRAY<STRING>,
  notes STRING,
  status STRING NOT NULL,
  void_reason STRING,
  result STRING,
  actual FLOAT64,
  change STRING NOT NULL,
  change_detail STRING,
  export_id STRING NOT NULL,
  recorded_at TIMESTAMP NOT NULL,
  sport STRING NOT NULL,
  odds_american INT64,
  tier STRING,
  home BOOL,
  units FLOAT64,
  closing_line FLOAT64,
  clv FLOAT64
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
