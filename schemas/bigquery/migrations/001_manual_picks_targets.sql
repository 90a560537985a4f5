-- Remove and void commands name what they withdraw (issue 10: voids that clock skew ignored).
-- Existing rows read back with no targets: they withdraw by submitted_at, as they always did.
ALTER TABLE `{dataset}.best_bets_manual_picks` ADD COLUMN IF NOT EXISTS targets ARRAY<STRING>;
