-- The record flat in season length (issue 12): each export's day summary beside its tally, so the
-- season record sums one small summary per earlier day and reads full tallies only for the weeks it
-- shows pick by pick. `day_summary` of audit rows written before it is filled by `picklock migrate`
-- (and by an embedded home on open) from the row's tally: see adapters/backfills.py.
ALTER TABLE `{dataset}.best_bets_export_audit` ADD COLUMN IF NOT EXISTS day_summary STRING;
