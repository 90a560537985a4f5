-- Pick events: a view over the ledger, so an export writes events in the same job as its lock rows.
-- Every ledger row records why it was written (change, change_detail).
CREATE VIEW IF NOT EXISTS `{dataset}.best_bets_pick_events` AS
SELECT game_date, pick_id, player_lookup, stat, change AS event_type, change_detail AS detail,
       export_id, recorded_at
FROM `{dataset}.best_bets_published_picks`;
