-- Several sports (issue 11): every table gains `sport`; rows written before it are NBA's.
-- New tables (best_bets_sport_halts) are created by `picklock migrate` from their DDL file.
-- Tables made by `CREATE TABLE` today have `sport STRING NOT NULL`; BigQuery cannot add a REQUIRED
-- column to a table, so a migrated table has it NULLABLE with a default, and no row is NULL.
ALTER TABLE `{dataset}.signal_best_bets_picks` ADD COLUMN IF NOT EXISTS sport STRING DEFAULT 'nba';
ALTER TABLE `{dataset}.player_game_results` ADD COLUMN IF NOT EXISTS sport STRING DEFAULT 'nba';
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS sport STRING DEFAULT 'nba';
ALTER TABLE `{dataset}.best_bets_manual_picks` ADD COLUMN IF NOT EXISTS sport STRING DEFAULT 'nba';
ALTER TABLE `{dataset}.best_bets_export_audit` ADD COLUMN IF NOT EXISTS sport STRING DEFAULT 'nba';
-- A column added with a default reads NULL in the rows that were already there: fill them.
UPDATE `{dataset}.signal_best_bets_picks` SET sport = 'nba' WHERE sport IS NULL AND game_date IS NOT NULL;
UPDATE `{dataset}.player_game_results` SET sport = 'nba' WHERE sport IS NULL AND game_date IS NOT NULL;
UPDATE `{dataset}.best_bets_published_picks` SET sport = 'nba' WHERE sport IS NULL AND game_date IS NOT NULL;
UPDATE `{dataset}.best_bets_manual_picks` SET sport = 'nba' WHERE sport IS NULL AND game_date IS NOT NULL;
UPDATE `{dataset}.best_bets_export_audit` SET sport = 'nba' WHERE sport IS NULL AND game_date IS NOT NULL;
