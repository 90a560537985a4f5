# The scheduled safety net: Cloud Scheduler publishes, per sport of schemas/sports.json,
#
#   - every few minutes of the sport's game window, an export of today to signal-updated, so a lost
#     or late signal-updated message (or one that was parked) costs minutes, not the evening;
#   - each morning, a grading of yesterday to grading-complete, in case the grader's message never came.
#
# Both are idempotent: an export that changes nothing writes no file (it is audited as unchanged),
# and grading a graded date changes nothing. Cloud Scheduler cannot compute a date, so the messages
# say "today" / "yesterday", which the function resolves in the sport's time zone on its own clock
# (schemas/messages/*.schema.json); the jobs run in that same zone, so their windows are local too.
#
# Publishing needs no grant here: Cloud Scheduler publishes as its service agent, whose role
# (roles/cloudscheduler.serviceAgent, given when the API is enabled) includes pubsub.topics.publish
# on the project's topics. infra/README.md says how to check it on an older project.

locals {
  # The catalogue the code reads: a new sport gets its jobs (and alerts) with no change here. Its
  # first sport is the default, whose export ids carry no sport (monitoring.tf).
  sports_catalogue = jsondecode(file("${path.module}/../schemas/sports.json")).sports
  sports           = { for sport in local.sports_catalogue : sport.id => sport }
  default_sport    = local.sports_catalogue[0].id

  # What the jobs publish, before `sport`; tests/infra/test_scheduler_and_monitoring.py feeds
  # each job's message to the function's own validation.
  scheduled_export_message = {
    game_date = "today"
    trigger   = "scheduled"
  }
  grading_catch_up_message = {
    game_date = "yesterday"
    trigger   = "scheduled"
  }

  # sport id => cron; "" turns a sport's job off (and its staleness alert with it).
  export_schedules = {
    for id, sport in local.sports : id => lookup(var.export_schedules, id, var.export_schedule)
    if lookup(var.export_schedules, id, var.export_schedule) != ""
  }
  grading_catch_up_schedules = {
    for id, sport in local.sports : id => lookup(var.grading_catch_up_schedules, id, var.grading_catch_up_schedule)
    if lookup(var.grading_catch_up_schedules, id, var.grading_catch_up_schedule) != ""
  }
  unknown_scheduled_sports = setsubtract(
    setunion(keys(var.export_schedules), keys(var.grading_catch_up_schedules)), keys(local.sports)
  )
}

resource "google_cloud_scheduler_job" "export_today" {
  for_each = local.export_schedules

  name        = "picklock-export-today-${each.key}"
  description = "picklock safety net: export today's ${local.sports[each.key].name} picks (signal-updated, trigger scheduled)."
  region      = var.region
  schedule    = each.value
  time_zone   = local.sports[each.key].time_zone

  # A failed publish is not retried: the next run is minutes away.
  retry_config {
    retry_count = 0
  }

  pubsub_target {
    topic_name = google_pubsub_topic.trigger["signal-updated"].id
    data       = base64encode(jsonencode(merge(local.scheduled_export_message, { sport = each.key })))
  }

  lifecycle {
    precondition {
      condition     = length(local.unknown_scheduled_sports) == 0
      error_message = "export_schedules / grading_catch_up_schedules name sports that schemas/sports.json lacks: ${join(", ", local.unknown_scheduled_sports)}."
    }
  }

  depends_on = [google_project_service.required]
}

resource "google_cloud_scheduler_job" "grading_catch_up" {
  for_each = local.grading_catch_up_schedules

  name        = "picklock-grading-catch-up-${each.key}"
  description = "picklock safety net: grade yesterday's ${local.sports[each.key].name} picks (grading-complete, trigger scheduled)."
  region      = var.region
  schedule    = each.value
  time_zone   = local.sports[each.key].time_zone

  # Once a day: worth a few retries if the publish itself fails.
  retry_config {
    retry_count          = 3
    min_backoff_duration = "60s"
    max_backoff_duration = "600s"
  }

  pubsub_target {
    topic_name = google_pubsub_topic.trigger["grading-complete"].id
    data       = base64encode(jsonencode(merge(local.grading_catch_up_message, { sport = each.key })))
  }

  lifecycle {
    precondition {
      condition     = length(local.unknown_scheduled_sports) == 0
      error_message = "export_schedules / grading_catch_up_schedules name sports that schemas/sports.json lacks: ${join(", ", local.unknown_scheduled_sports)}."
    }
  }

  depends_on = [google_project_service.required]
}
