-- One row per export attempt (published, unchanged or recovered). document / all_json_document hold
-- the exact text written, so every published version can be rebuilt from this table alone; an
-- unchanged export's row names the version it found in same_as (its export_id), document empty.
-- all_json_document is gzip-compressed, base64 after the prefix `gzip+base64:` (rows written before
-- that hold the plain text: adapters/rows.py reads both).
CREATE TABLE IF NOT EXISTS `{dataset}.best_bets_export_audit` (
  game_date DATE NOT NULL,
  export_id STRING NOT NULL,
  trigger_source STRING NOT NULL,
  exported_at TIMESTAMP NOT NULL,
  outcome STRING NOT NULL,
  content_hash STRING NOT NULL,
  document_sha256 STRING NOT NULL,
  all_json_written BOOL NOT NULL,
  all_json_sha256 STRING,
  count_total INT64 NOT NULL,
  count_active INT64 NOT NULL,
  count_locked INT64 NOT NULL,
  count_voided INT64 NOT NULL,
  count_algorithm INT64 NOT NULL,
  count_manual INT64 NOT NULL,
  count_graded INT64 NOT NULL,
  events STRING NOT NULL,
  document STRING NOT NULL,
  all_json_document STRING,
  sport STRING NOT NULL,
  tally STRING,
  day_summary STRING,
  same_as STRING
)
PARTITION BY game_date
CLUSTER BY sport
OPTIONS (require_partition_filter = TRUE);
