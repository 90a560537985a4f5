# The bucket the website reads: each sport's all.json (NBA: v1/best-bets/all.json; others:
# v1/{sport}/best-bets/all.json), per-date files, and history snapshots.

resource "google_storage_bucket" "published" {
  name                        = local.bucket
  location                    = var.bucket_location
  uniform_bucket_level_access = true
  public_access_prevention    = var.public_read ? "inherited" : "enforced"
  labels                      = var.labels

  # Every version of a published file stays recoverable for a while, whatever overwrote it.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_version_retention_days
    }
    action {
      type = "Delete"
    }
  }

  # Snapshots are immutable copies of what the audit table already holds in full (G4).
  lifecycle_rule {
    condition {
      age            = var.history_retention_days
      matches_prefix = local.history_prefixes
    }
    action {
      type = "Delete"
    }
  }

  cors {
    origin          = [var.website_origin]
    method          = ["GET", "HEAD"]
    response_header = ["Content-Type", "Cache-Control", "ETag"]
    max_age_seconds = 3600
  }

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_62:Reads are anonymous website traffic; usage logs would be a second bucket of noise. Writes are in Cloud Audit Logs.
  #checkov:skip=CKV_GCP_114:Public read of the published files is the product (var.public_read); prevention is enforced when it is false.
}

# Public read, when var.public_read. With uniform bucket-level access a grant covers the whole
# bucket: IAM Conditions (which could limit it to the v1/ prefix) refuse allUsers, and object ACLs
# are off. So the bucket must hold only files meant for the public, which is all picklock writes.
# legacyObjectReader grants storage.objects.get without storage.objects.list (objectViewer has
# both): anyone can fetch a file by its name, nobody can enumerate the bucket.
resource "google_storage_bucket_iam_member" "public_read" {
  count = var.public_read ? 1 : 0

  bucket = google_storage_bucket.published.name
  role   = "roles/storage.legacyObjectReader"
  member = "allUsers"
  #checkov:skip=CKV_GCP_28:Publishing to the website is the purpose of this bucket; read-only, no listing, see the comment above.
}
