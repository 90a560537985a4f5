-- Operator commands, append-only, one row per request_id (idempotency key).
-- The manual pick of a key is its latest add/remove by submitted_at; voids are permanent facts.
-- targets (remove/void): the pick ids and add request ids it withdraws, as seen when recorded
-- (added by migrations/001; new columns go last, where ALTER TABLE ADD COLUMN puts them).
CREATE TABLE IF NOT EXISTS `{dataset}.best_bets_manual_picks` (
  game_date DATE NOT NULL,
  request_id STRING NOT NULL,
  submitted_at TIMESTAMP NOT NULL,
  action STRING NOT NULL,
  player_lookup STRING NOT NULL,
  stat STRING NOT NULL,
  player_name STRING,
  team STRING,
  opponent STRING,
  direction STRING,
  line FLOAT64,
  edge FLOAT64,
  game_time TIMESTAMP,
  notes STRING,
  reason STRING,
  submitted_by STRING NOT NULL,
  recorded_at TIMESTAMP NOT NULL,
  targets ARRAY<STRING>,
  sport STRING NOT NULL,
  odds_american INT64,
  tier STRING,
  home BOOL
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
