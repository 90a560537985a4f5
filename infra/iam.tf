# Identities and their grants, each as narrow as the call that needs it.
#
#   picklock-<topic>       runs one function: reads and writes the dataset, runs queries, writes
#                          the published files, parks poison messages on its own dead-letter topic.
#   picklock-push-<topic>  what Pub/Sub presents when it pushes <topic>: may invoke that function only.
#   picklock-build         what Cloud Build runs as when it builds the functions.
#   Pub/Sub service agent  Google's identity for Pub/Sub: forwards dead letters, signs push tokens.

resource "google_service_account" "function" {
  for_each = local.functions

  account_id   = "picklock-${each.key}"
  display_name = "picklock function ${each.key}"
  description  = "Runs Cloud Function picklock-${each.key}."

  depends_on = [google_project_service.required]
}

resource "google_bigquery_dataset_iam_member" "function_edits_dataset" {
  for_each = local.functions

  dataset_id = google_bigquery_dataset.picklock.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.function[each.key].member
}

# Query jobs are created in a project, so this grant cannot be narrower than the project.
resource "google_project_iam_member" "function_runs_queries" {
  for_each = local.functions

  project = var.project
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.function[each.key].member
}

resource "google_storage_bucket_iam_member" "function_publishes_files" {
  for_each = local.functions

  bucket = google_storage_bucket.published.name
  role   = "roles/storage.objectAdmin"
  member = google_service_account.function[each.key].member
}

resource "google_pubsub_topic_iam_member" "function_parks_poison_messages" {
  for_each = local.functions

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.key].member
}

resource "google_service_account" "push" {
  for_each = local.functions

  account_id   = "picklock-push-${each.key}"
  display_name = "picklock push ${each.key}"
  description  = "Identity of subscription ${each.key}-push when it invokes picklock-${each.key}."

  depends_on = [google_project_service.required]
}

# A 2nd gen function is served by a Cloud Run service: invoking it takes run.invoker on that service.
resource "google_cloud_run_service_iam_member" "push_invokes_function" {
  for_each = local.functions

  project  = var.project
  location = var.region
  service  = google_cloudfunctions2_function.handler[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = google_service_account.push[each.key].member
}

# Pub/Sub mints the push's OIDC token as the push identity (projects made before April 2021 do not
# grant this implicitly). Scoped to the push identities, not the project.
resource "google_service_account_iam_member" "pubsub_agent_signs_push_tokens" {
  for_each = local.functions

  service_account_id = google_service_account.push[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# Dead-lettering: Pub/Sub publishes to the dead-letter topic and acknowledges on the source
# subscription as its own service agent, which needs both grants or messages are retried forever.
resource "google_pubsub_topic_iam_member" "pubsub_agent_publishes_dead_letters" {
  for_each = local.functions

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "pubsub_agent_acknowledges_dead_letters" {
  for_each = local.functions

  subscription = google_pubsub_subscription.push[each.key].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Builds run as a dedicated identity: new projects no longer give the default build identity the
# permissions a function build needs, and older ones give it far more.
resource "google_service_account" "build" {
  account_id   = "picklock-build"
  display_name = "picklock function builds"
  description  = "Cloud Build identity for building the picklock functions."

  depends_on = [google_project_service.required]
}

# Build logs are written to the project's log buckets: no narrower scope exists.
resource "google_project_iam_member" "build_writes_logs" {
  project = var.project
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

# Cloud Functions copies the bundle into its own bucket, gcf-v2-sources-<project number>-<region>,
# which it creates on the first deploy and Terraform does not manage: no bucket to scope this to.
resource "google_project_iam_member" "build_reads_source" {
  project = var.project
  role    = "roles/storage.objectViewer"
  member  = google_service_account.build.member
}

resource "google_artifact_registry_repository_iam_member" "build_pushes_images" {
  project    = var.project
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
}

# Each export announces its pick events (any function may export).
resource "google_pubsub_topic_iam_member" "function_publishes_pick_events" {
  for_each = local.functions

  topic  = google_pubsub_topic.pick_events.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.function[each.key].member
}
