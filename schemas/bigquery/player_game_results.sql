-- Upstream (read-only to picklock): actual stat values. actual_value is NULL when the player did not play.
CREATE TABLE IF NOT EXISTS `{dataset}.player_game_results` (
  game_date DATE NOT NULL,
  player_lookup STRING NOT NULL,
  stat STRING NOT NULL,
  actual_value FLOAT64,
  sport STRING NOT NULL
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
