# BigQuery: the dataset, and its tables and view created by running schemas/bigquery/*.sql as
# written, so the DDL stays the single source of every table's shape.
#
# Why query jobs rather than google_bigquery_table resources: the DDL files are what the SQLite
# store, the BigQuery store and the tests already read. Running them verbatim needs no second
# description of the columns (no translation to a Terraform schema that could drift from them),
# the plan shows each statement exactly as it will run, and `CREATE ... IF NOT EXISTS` leaves
# tables that already exist untouched: the upstream pipeline's tables, and the append-only ledger,
# which Terraform can then never drop or replace. The cost: Terraform creates tables but does not
# migrate them. A column added to a DDL file needs an ALTER TABLE (README.md, "Schema changes").

locals {
  ddl_directory = "${path.module}/../schemas/bigquery"
  dataset_ref   = "${var.project}.${var.dataset}"
  # Each DDL file names its table `{dataset}.<file stem>`; the placeholder becomes project.dataset.
  ddl = {
    for file in fileset(local.ddl_directory, "*.sql") :
    trimsuffix(file, ".sql") => replace(file("${local.ddl_directory}/${file}"), "{dataset}", local.dataset_ref)
  }
  view_statement = "(?im)^\\s*CREATE\\s+VIEW\\b"
  ddl_tables     = { for name, sql in local.ddl : name => sql if length(regexall(local.view_statement, sql)) == 0 }
  ddl_views      = { for name, sql in local.ddl : name => sql if length(regexall(local.view_statement, sql)) > 0 }
}

resource "google_bigquery_dataset" "picklock" {
  dataset_id  = var.dataset
  location    = var.dataset_location
  description = "picklock: published picks ledger, manual picks, export audit, pick events; and the upstream signal and results tables."
  labels      = var.labels

  # Never delete tables with the dataset: the ledger and the audit are the history users were shown.
  delete_contents_on_destroy = false

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_81:Picks and results are not sensitive; Google-managed encryption at rest suffices.
}

# BigQuery job ids are unique in a project forever, deleted jobs included: a new suffix after the
# dataset is recreated lets the same statements run again.
resource "random_id" "ddl_run" {
  byte_length = 4
  keepers = {
    dataset = google_bigquery_dataset.picklock.id
  }
}

resource "google_bigquery_job" "create_table" {
  for_each = local.ddl_tables

  # A changed statement is a new job, run on the next apply; an unchanged one never reruns.
  job_id   = "picklock_ddl_${each.key}_${random_id.ddl_run.hex}_${substr(sha256(each.value), 0, 12)}"
  location = var.dataset_location
  labels   = var.labels

  query {
    query          = each.value
    use_legacy_sql = false
    # DDL refuses any create or write disposition; the provider's defaults must be cleared.
    create_disposition = ""
    write_disposition  = ""
  }
}

# Views read tables: created after every table.
resource "google_bigquery_job" "create_view" {
  for_each = local.ddl_views

  job_id   = "picklock_ddl_${each.key}_${random_id.ddl_run.hex}_${substr(sha256(each.value), 0, 12)}"
  location = var.dataset_location
  labels   = var.labels

  query {
    query              = each.value
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }

  depends_on = [google_bigquery_job.create_table]
}
