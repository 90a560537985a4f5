# The three Cloud Functions (2nd gen), built from one deploy bundle: functions/main.py plus the
# picklock package and schemas, with pinned requirements (tools/bundle.py, `make bundle`).

# Private bucket holding the bundle. Objects are named by content hash, so an unchanged bundle
# changes nothing and a changed one rebuilds every function.
resource "google_storage_bucket" "function_source" {
  name                        = "${var.project}-picklock-function-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  # Superseded bundles go after a month; a rollback rebuilds its bundle from git anyway.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_62:Holds only build input read by Cloud Build; access is in Cloud Audit Logs, a usage-log bucket adds nothing.
}

resource "google_storage_bucket_object" "bundle" {
  name   = "picklock-bundle-${filesha256(local.bundle_zip)}.zip"
  bucket = google_storage_bucket.function_source.name
  source = local.bundle_zip

  # The running functions' bundle stays until the new one is uploaded.
  lifecycle {
    create_before_destroy = true
  }
}

# Images of the builds; kept small, since a rollback redeploys source, not an image.
resource "google_artifact_registry_repository" "functions" {
  repository_id = "picklock-functions"
  location      = var.region
  format        = "DOCKER"
  description   = "Build images of the picklock functions."
  labels        = var.labels

  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "delete-after-30-days"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }
  cleanup_policies {
    id     = "keep-5-most-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_84:Build images of public source code; Google-managed encryption at rest suffices.
}

resource "google_cloudfunctions2_function" "handler" {
  for_each = local.functions

  name        = "picklock-${each.key}"
  location    = var.region
  description = "picklock: handles ${each.key} messages (pushed by subscription ${each.key}-push)."
  labels      = var.labels

  build_config {
    runtime           = "python311"
    entry_point       = each.value.entry_point
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.bundle.name
      }
    }
  }

  service_config {
    available_memory   = var.function_memory
    timeout_seconds    = var.function_timeout_seconds
    min_instance_count = 0
    max_instance_count = var.function_max_instances
    # One message at a time per instance: an export holds one date's files for its duration.
    max_instance_request_concurrency = 1
    environment_variables            = local.function_environment
    service_account_email            = google_service_account.function[each.key].email
    all_traffic_on_latest_revision   = true
    # Pub/Sub push from this project counts as internal traffic on the default run.app URL;
    # nothing else needs to reach the functions. Callers still need run.invoker (push SA only).
    ingress_settings = "ALLOW_INTERNAL_ONLY"
  }

  depends_on = [
    google_project_iam_member.build_writes_logs,
    google_project_iam_member.build_reads_source,
    google_artifact_registry_repository_iam_member.build_pushes_images,
  ]
}
