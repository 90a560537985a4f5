output "topics" {
  description = "Topic to publish to, by message kind."
  value       = { for topic, resource in google_pubsub_topic.trigger : topic => resource.name }
}

output "pick_events_topic" {
  description = "Every change of a published pick, for subscribers (attributes event_type, event_id, sport)."
  value       = google_pubsub_topic.pick_events.name
}

output "dead_letter_topics" {
  description = "Where messages of each topic are parked."
  value       = { for topic, resource in google_pubsub_topic.dead_letter : topic => resource.name }
}

output "dead_letter_subscriptions" {
  description = "Pull subscriptions that keep the parked messages for inspection."
  value       = { for topic, resource in google_pubsub_subscription.dead_letter : topic => resource.name }
}

output "functions" {
  description = "Cloud Function name by topic."
  value       = { for topic, resource in google_cloudfunctions2_function.handler : topic => resource.name }
}

output "dataset" {
  description = "project.dataset of the tables (PICKLOCK_PROJECT, PICKLOCK_DATASET)."
  value       = local.dataset_ref
}

output "bucket" {
  description = "Bucket of the published files (PICKLOCK_BUCKET)."
  value       = google_storage_bucket.published.name
}

output "all_json_url" {
  description = "Public URL of all.json, for the website."
  value       = "https://storage.googleapis.com/${google_storage_bucket.published.name}/${local.all_json_object}"
}

output "scheduler_jobs" {
  description = "Cloud Scheduler jobs of the safety net, by sport: the export of today and the grading catch-up of yesterday."
  value = {
    for id in keys(local.sports) : id => {
      export_today     = try(google_cloud_scheduler_job.export_today[id].name, null)
      grading_catch_up = try(google_cloud_scheduler_job.grading_catch_up[id].name, null)
    }
  }
}

output "alert_policies" {
  description = "Alert policy ids (docs/RUNBOOK.md says what each means and what to run)."
  value = merge(
    {
      dead_letters    = google_monitoring_alert_policy.dead_letters.name
      function_errors = google_monitoring_alert_policy.function_errors.name
    },
    { for id, policy in google_monitoring_alert_policy.all_json_stale : "all_json_stale_${id}" => policy.name },
  )
}
