# picklock on Google Cloud: one Cloud Function per Pub/Sub topic, a BigQuery dataset whose tables
# come from schemas/bigquery/*.sql, and a bucket for the published files. See README.md here.

locals {
  # One function per topic. The names are the code's: topics in picklock/topics.py, entry points
  # in functions/main.py. tests/infra/test_drift.py fails when the two part.
  functions = {
    "signal-updated"   = { entry_point = "on_signal_updated" }
    "grading-complete" = { entry_point = "on_grading_complete" }
    "manual-picks"     = { entry_point = "on_manual_pick" }
  }

  # Configuration reaches the code through environment variables only (picklock/config.py).
  function_environment = {
    PICKLOCK_BACKEND = "gcp"
    PICKLOCK_PROJECT = var.project
    PICKLOCK_DATASET = var.dataset
    PICKLOCK_BUCKET  = local.bucket
    # Set by the platform on every 2nd gen function; stated here so plans show no permanent diff.
    LOG_EXECUTION_ID = "true"
  }

  # Pub/Sub parks a message after this many failed pushes (its minimum; picklock.topics agrees).
  max_delivery_attempts = 5
  # Backoff between redeliveries of a failed push (picklock.adapters.pubsub.RetryPolicy agrees).
  push_minimum_backoff = "10s"
  push_maximum_backoff = "600s"
  # Dead letters are kept this long for inspection: Pub/Sub's longest retention.
  dead_letter_retention = "604800s"

  bucket             = coalesce(var.bucket, "${var.project}-picklock")
  default_bundle_zip = "${path.module}/../build/bundle.zip" # what `make bundle` writes
  bundle_zip         = coalesce(var.bundle_zip, local.default_bundle_zip)
  all_json_object    = "v1/best-bets/all.json"
  # Every sport's snapshots, from the catalogue the code reads: a new sport needs no change here.
  history_prefixes = [for sport in jsondecode(file("${path.module}/../schemas/sports.json")).sports : "${sport.path_prefix}/history/"]
  pubsub_agent     = "serviceAccount:${google_project_service_identity.pubsub.email}"
  required_apis = toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "required" {
  for_each = local.required_apis

  service = each.value
  # Other workloads of the project may use the same APIs: never switch them off on destroy.
  disable_on_destroy = false
}

# Creates the Pub/Sub service agent now (it otherwise appears lazily), so the grants that
# dead-lettering and authenticated push need can name it on the first apply.
resource "google_project_service_identity" "pubsub" {
  provider = google-beta

  service    = "pubsub.googleapis.com"
  depends_on = [google_project_service.required]
}
