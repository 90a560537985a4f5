-- Halts and resumes of a sport's publishing, append-only, one row per request_id (idempotency key).
-- A sport's state is its latest command by submitted_at. game_date is the sport's date when the
-- command was submitted; readers take every partition (a few rows a season).
CREATE TABLE IF NOT EXISTS `{dataset}.best_bets_sport_halts` (
  game_date DATE NOT NULL,
  sport STRING NOT NULL,
  request_id STRING NOT NULL,
  submitted_at TIMESTAMP NOT NULL,
  action STRING NOT NULL,
  reason STRING,
  submitted_by STRING NOT NULL,
  recorded_at TIMESTAMP NOT NULL
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
