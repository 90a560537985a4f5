# Alerts, each to the notification channels of var.notification_channels (none by default: the
# policies exist, open incidents in the console, and notify nobody until channels are given).
# Each policy's documentation names its section of docs/RUNBOOK.md: what it means, what to run.
#
#   picklock: dead letters            a message waits on a <topic>-dead-letter-pull subscription
#   picklock: function errors         a function answered more than function_error_threshold 5xx in 10 minutes
#   picklock: <SPORT> all.json stale  no export of the sport succeeded for staleness_minutes while
#                                     its scheduled export job was running (the game window)

locals {
  function_names = [for topic in keys(local.functions) : "picklock-${topic}"]

  # The line a function logs for each export it ran (entrypoints/functions.py, Handlers._log_exports;
  # JSON on stdout, structured_log.py, which Cloud Logging parses into jsonPayload): severity INFO,
  # logger picklock.functions, `outcome` published or unchanged (a notice of the same export is a
  # WARNING with the same fields, hence the severity). tests/infra/test_scheduler_and_monitoring.py
  # runs the handler and matches its line against these clauses.
  export_log_clauses = [
    "resource.type=\"cloud_run_revision\"",
    "resource.labels.service_name=(${join(" OR ", [for name in local.function_names : "\"${name}\""])})",
    "severity=INFO",
    "jsonPayload.logger=\"picklock.functions\"",
    "jsonPayload.outcome=(\"published\" OR \"unchanged\")",
  ]
  # The line carries no sport; its export id does (service_layer/services.py, new_export_id):
  # <date>.<time>.<token> for the default sport, <date>.<time>.<token>.<sport> for the others.
  export_id_patterns = {
    for id in keys(local.sports) : id => (
      id == local.default_sport ? "^[^.]+[.][^.]+[.][^.]+$" : "^[^.]+[.][^.]+[.][^.]+[.]${id}$"
    )
  }

  runbook = "docs/RUNBOOK.md (picklock repository)"
}

# Successful exports per sport, counted from the functions' logs: any trigger, any date.
resource "google_logging_metric" "exports" {
  for_each = local.sports

  name        = "picklock_exports_${each.key}"
  description = "picklock: ${each.value.name} exports that published or found nothing to change (one per export, from the functions' logs)."
  filter      = join("\n", concat(local.export_log_clauses, ["jsonPayload.export_id=~\"${local.export_id_patterns[each.key]}\""]))

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "picklock ${each.value.name} exports"
  }

  depends_on = [google_project_service.required]
}

# Runs of each sport's scheduled export job, counted from Cloud Scheduler's own log (an entry per
# attempt, whether the publish worked or not): the staleness alert's "the window is open".
resource "google_logging_metric" "scheduled_export_runs" {
  for_each = local.export_schedules

  name        = "picklock_scheduled_export_runs_${each.key}"
  description = "picklock: runs of the Cloud Scheduler job ${google_cloud_scheduler_job.export_today[each.key].name} (from its attempt log)."
  filter      = "resource.type=\"cloud_scheduler_job\"\nresource.labels.job_id=\"${google_cloud_scheduler_job.export_today[each.key].name}\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "picklock ${local.sports[each.key].name} scheduled export runs"
  }

  depends_on = [google_project_service.required]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  display_name          = "picklock: dead letters"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = var.labels

  documentation {
    mime_type = "text/markdown"
    subject   = "picklock: a message is parked on a dead-letter topic"
    content   = "A message could not be applied and was parked: its topic's function refused it (bad input) or failed 5 times. Nothing it asked for happened. See \"Dead letters\" in ${local.runbook}."
  }

  conditions {
    display_name = "undelivered messages on a dead-letter pull subscription"

    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = one_of(${join(", ", [for subscription in google_pubsub_subscription.dead_letter : "\"${subscription.name}\""])}) AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"

      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }

      trigger {
        count = 1
      }
    }
  }

  depends_on = [google_project_service.required]
}

resource "google_monitoring_alert_policy" "function_errors" {
  display_name          = "picklock: function errors"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = var.labels

  documentation {
    mime_type = "text/markdown"
    subject   = "picklock: a function keeps failing"
    content   = "A picklock function answered more than ${var.function_error_threshold} pushes with a 5xx in 10 minutes (an exception: BigQuery, Cloud Storage, or an export that kept losing races). Pub/Sub retries each message, then parks it. See \"Function errors\" in ${local.runbook}."
  }

  conditions {
    display_name = "5xx responses of a picklock function, per 10 minutes"

    condition_threshold {
      # A 2nd gen function is a Cloud Run service of the same name; a raised exception is a 500.
      filter          = "resource.type = \"cloud_run_revision\" AND resource.labels.service_name = one_of(${join(", ", [for name in local.function_names : "\"${name}\""])}) AND metric.type = \"run.googleapis.com/request_count\" AND metric.labels.response_code_class = \"5xx\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.function_error_threshold
      duration        = "0s"

      aggregations {
        alignment_period     = "600s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["resource.label.service_name"]
      }

      trigger {
        count = 1
      }
    }
  }

  depends_on = [google_project_service.required]
}

# One per sport that has a scheduled export. An absence condition alone would also fire every
# night, when the window is closed and nothing exports; so it is ANDed with "the sport's scheduled
# export job ran in the last staleness_minutes / 2": stale means the job keeps asking for exports
# and none succeeds. (A paused job, or one whose cron is "", keeps it quiet.)
resource "google_monitoring_alert_policy" "all_json_stale" {
  for_each = local.export_schedules

  display_name          = "picklock: ${local.sports[each.key].name} all.json stale"
  combiner              = "AND"
  severity              = "ERROR"
  notification_channels = var.notification_channels
  user_labels           = var.labels

  documentation {
    mime_type = "text/markdown"
    subject   = "picklock: ${local.sports[each.key].name} all.json is stale"
    content   = "No ${local.sports[each.key].name} export has published or confirmed the files for ${var.staleness_minutes} minutes, while the job ${google_cloud_scheduler_job.export_today[each.key].name} kept asking for one (it runs every few minutes of the game window). The website may show what it showed ${var.staleness_minutes} minutes ago. See \"all.json stale\" in ${local.runbook}."
  }

  conditions {
    display_name = "no ${local.sports[each.key].name} export published or unchanged for ${var.staleness_minutes} minutes"

    condition_absent {
      filter   = "resource.type = \"cloud_run_revision\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.exports[each.key].name}\""
      duration = "${var.staleness_minutes * 60}s"

      # One series for the sport, whatever the revision: a deploy must not look like an absence.
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "the window is open: ${google_cloud_scheduler_job.export_today[each.key].name} ran in the last ${var.staleness_minutes / 2} minutes"

    condition_threshold {
      filter          = "resource.type = \"cloud_scheduler_job\" AND metric.type = \"logging.googleapis.com/user/${google_logging_metric.scheduled_export_runs[each.key].name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      # Open for that long too: when the window opens, the first exports get their chance before
      # the night's absence of exports counts.
      duration = "${var.staleness_minutes * 30}s"

      aggregations {
        alignment_period     = "${var.staleness_minutes * 30}s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }

      trigger {
        count = 1
      }
    }
  }

  depends_on = [google_project_service.required]
}
