-- The public record (issue 12): posted odds, tier and venue on signal rows, manual commands and
-- published picks; units and closing line value on published picks; each export's day tally in
-- its audit row. The new table closing_lines is created by `picklock migrate` from its DDL file.
-- Existing rows read NULL (not priced, no tier, venue unknown). `tally` of audit rows written
-- before it is filled by `picklock migrate` (and by an embedded home on open) from the document
-- each row already holds: see adapters/backfills.py.
ALTER TABLE `{dataset}.signal_best_bets_picks` ADD COLUMN IF NOT EXISTS odds_american INT64;
ALTER TABLE `{dataset}.signal_best_bets_picks` ADD COLUMN IF NOT EXISTS tier STRING;
ALTER TABLE `{dataset}.signal_best_bets_picks` ADD COLUMN IF NOT EXISTS home BOOL;
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS odds_american INT64;
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS tier STRING;
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS home BOOL;
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS units FLOAT64;
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS closing_line FLOAT64;
ALTER TABLE `{dataset}.best_bets_published_picks` ADD COLUMN IF NOT EXISTS clv FLOAT64;
ALTER TABLE `{dataset}.best_bets_manual_picks` ADD COLUMN IF NOT EXISTS odds_american INT64;
ALTER TABLE `{dataset}.best_bets_manual_picks` ADD COLUMN IF NOT EXISTS tier STRING;
ALTER TABLE `{dataset}.best_bets_manual_picks` ADD COLUMN IF NOT EXISTS home BOOL;
ALTER TABLE `{dataset}.best_bets_export_audit` ADD COLUMN IF NOT EXISTS tally STRING;
