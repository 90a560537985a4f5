-- Upstream (written by `picklock closing load`): the market's closing line of a pick's key, for
-- closing line value. A date's rows are replaced by each load; the latest captured_at per key counts.
CREATE TABLE IF NOT EXISTS `{dataset}.closing_lines` (
  game_date DATE NOT NULL,
  player_lookup STRING NOT NULL,
  stat STRING NOT NULL,
  line_value FLOAT64 NOT NULL,
  odds_american INT64,
  captured_at TIMESTAMP NOT NULL,
  sport STRING NOT NULL
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
