-- Upstream (read-only to picklock): the signal pipeline's current picks for a game date.
-- The pipeline rewrites a date's rows on every run; picklock never writes here.
CREATE TABLE IF NOT EXISTS `{dataset}.signal_best_bets_picks` (
  game_date DATE NOT NULL,
  player_lookup STRING NOT NULL,
  player_name STRING,
  team_abbr STRING NOT NULL,
  opponent_team_abbr STRING NOT NULL,
  game_id STRING,
  game_time TIMESTAMP,
  stat STRING,
  recommendation STRING NOT NULL,
  line_value FLOAT64 NOT NULL,
  edge FLOAT64,
  rank INT64,
  pick_angles ARRAY<STRING>,
  system_id STRING NOT NULL,
  algorithm_version STRING NOT NULL,
  sport STRING NOT NULL,
  odds_american INT64,
  tier STRING,
  home BOOL
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
