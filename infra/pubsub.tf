# Each topic is pushed to its function by a subscription declared here, not by an Eventarc trigger.
#
# Why: an Eventarc trigger (event_trigger on the function) creates and owns its own Pub/Sub
# subscription. Terraform cannot declare that subscription's dead-letter policy, and changing it
# by hand is drift that the next deploy of the trigger undoes. Owning the push subscription gives,
# reviewable in this file: the dead-letter topic after max_delivery_attempts, exponential backoff
# between retries (what RETRY_POLICY_RETRY gives a trigger), the ack deadline, and an OIDC identity
# allowed to invoke this one function and nothing else. functions-framework turns the pushed
# body into the same CloudEvent an Eventarc trigger would deliver, and the local stack and the
# end-to-end tests use exactly this push path (picklock.adapters.pubsub.provision_topic).

resource "google_pubsub_topic" "trigger" {
  for_each = local.functions

  name   = each.key
  labels = var.labels

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_83:Messages are triggers and manual commands, no secrets; Google-managed encryption at rest suffices.
}

# Parked messages: those that failed max_delivery_attempts pushes (parked by Pub/Sub) and poison
# messages the handler refuses at once (parked by the function itself).
resource "google_pubsub_topic" "dead_letter" {
  for_each = local.functions

  name   = "${each.key}-dead-letter"
  labels = var.labels

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_83:Parked copies of the trigger messages, no secrets; Google-managed encryption at rest suffices.
}

# Pub/Sub drops messages published to a topic without subscriptions: this one keeps dead letters
# for an operator to read (`gcloud pubsub subscriptions pull`), acknowledged ones included.
resource "google_pubsub_subscription" "dead_letter" {
  for_each = local.functions

  name                       = "${each.key}-dead-letter-pull"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  message_retention_duration = local.dead_letter_retention
  retain_acked_messages      = true
  ack_deadline_seconds       = 60
  labels                     = var.labels

  # Subscriptions expire after 31 idle days by default; a quiet dead-letter queue is the good case.
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.functions

  name   = "${each.key}-push"
  topic  = google_pubsub_topic.trigger[each.key].id
  labels = var.labels

  # A push is outstanding for as long as the function may run on it.
  ack_deadline_seconds = var.function_timeout_seconds

  push_config {
    # The run.app URL: pushes to it from this project pass the functions' internal-only ingress.
    push_endpoint = google_cloudfunctions2_function.handler[each.key].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.push[each.key].email
    }
  }

  retry_policy {
    minimum_backoff = local.push_minimum_backoff
    maximum_backoff = local.push_maximum_backoff
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = local.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  # Dead-lettering and authenticated push both need the Pub/Sub service agent's grants first.
  depends_on = [
    google_pubsub_topic_iam_member.pubsub_agent_publishes_dead_letters,
    google_service_account_iam_member.pubsub_agent_signs_push_tokens,
    google_cloud_run_service_iam_member.push_invokes_function,
  ]
}

# Every change of a published pick, once (domain/feed.py): attributes event_type, event_id (the
# idempotency key: a re-run export yields the same ids) and sport, so subscribers filter and dedupe.
resource "google_pubsub_topic" "pick_events" {
  name   = "pick-events"
  labels = var.labels

  # Subscribers that come late can still read a week back.
  message_retention_duration = "604800s"

  depends_on = [google_project_service.required]
  #checkov:skip=CKV_GCP_83:Public pick events (they are also in the public feeds); Google-managed encryption at rest suffices.
}
