-- An unchanged export refers to the version it found instead of repeating it (issue 15): its audit
-- row names that version's export_id in `same_as` and leaves `document` empty (and its tally and day
-- summary, which are the found version's, unless withdrawn picks were graded since). Rows written
-- before read NULL and keep their full document; readers resolve a reference within the date.
ALTER TABLE `{dataset}.best_bets_export_audit` ADD COLUMN IF NOT EXISTS same_as STRING;
