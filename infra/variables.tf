variable "project" {
  description = "Google Cloud project id to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the functions, their build repository and the function source bucket."
  type        = string
  default     = "us-central1"
}

variable "dataset" {
  description = "BigQuery dataset holding picklock's tables and the upstream ones (PICKLOCK_DATASET)."
  type        = string
  default     = "nba_predictions"

  validation {
    # Not {1,1024}: Terraform's regex (RE2) refuses repeat counts over 1000, and can() makes that false.
    condition     = can(regex("^[A-Za-z0-9_]+$", var.dataset)) && length(var.dataset) <= 1024
    error_message = "A BigQuery dataset id has only letters, digits and underscores."
  }
}

variable "dataset_location" {
  description = "BigQuery location of the dataset (and of the jobs that create its tables)."
  type        = string
  default     = "US"
}

variable "bucket" {
  description = "Name of the bucket the published files go to (PICKLOCK_BUCKET); null: <project>-picklock."
  type        = string
  default     = null
}

variable "bucket_location" {
  description = "Location of the published-files bucket."
  type        = string
  default     = "US"
}

variable "website_origin" {
  description = "Origin of the website that fetches all.json, for CORS, e.g. https://bets.example.com."
  type        = string

  validation {
    condition     = can(regex("^https?://[^/]+$", var.website_origin))
    error_message = "An origin is scheme://host[:port], with no path and no trailing slash."
  }
}

variable "public_read" {
  description = "Let anyone read the published files. With uniform access this covers every object in the bucket (see README)."
  type        = bool
  default     = true
}

variable "history_retention_days" {
  description = "Age after which snapshots under v1/best-bets/history/ are deleted (the audit table keeps every version)."
  type        = number
  default     = 400

  validation {
    condition     = var.history_retention_days >= 1
    error_message = "At least one day."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version is kept (all.json is rewritten many times a day)."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "At least one day."
  }
}

variable "function_max_instances" {
  description = "Upper bound on instances per function. Exports of one date serialise on Cloud Storage generations anyway."
  type        = number
  default     = 3

  validation {
    condition     = var.function_max_instances >= 1 && var.function_max_instances <= 100
    error_message = "Between 1 and 100."
  }
}

variable "function_memory" {
  description = "Memory of each function instance."
  type        = string
  default     = "256M"
}

variable "function_timeout_seconds" {
  description = "Longest a function may run on one message; also the push ack deadline. An export takes seconds."
  type        = number
  default     = 60

  validation {
    # Pub/Sub's longest ack deadline is 600 s; a push that outlives it is redelivered while it runs.
    condition     = var.function_timeout_seconds >= 10 && var.function_timeout_seconds <= 600
    error_message = "Between 10 and 600 seconds."
  }
}

variable "bundle_zip" {
  description = "The deploy bundle built by `make bundle`."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels put on every resource that takes them."
  type        = map(string)
  default     = { app = "picklock" }
}

# -- the scheduled safety net (scheduler.tf) -----------------------------------------------------

variable "export_schedule" {
  description = "Cron (in each sport's time_zone of schemas/sports.json) of the scheduled export of today, for every sport export_schedules does not name. Default: every 10 minutes from 12:00 to 02:59."
  type        = string
  default     = "*/10 12-23,0-2 * * *"

  validation {
    condition     = var.export_schedule == "" || can(regex("^\\S+( \\S+){4}$", var.export_schedule))
    error_message = "A unix-cron schedule of five fields (minute hour day-of-month month day-of-week), or \"\" for none."
  }
}

variable "export_schedules" {
  description = "Per sport id, a cron replacing export_schedule for that sport; \"\" means no scheduled export (and no staleness alert), e.g. off season."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for schedule in values(var.export_schedules) : schedule == "" || can(regex("^\\S+( \\S+){4}$", schedule))])
    error_message = "Each schedule is a unix-cron schedule of five fields, or \"\" for none."
  }
}

variable "grading_catch_up_schedule" {
  description = "Cron (in each sport's time_zone) of the morning grading of yesterday, for every sport grading_catch_up_schedules does not name. Default: 09:00."
  type        = string
  default     = "0 9 * * *"

  validation {
    condition     = var.grading_catch_up_schedule == "" || can(regex("^\\S+( \\S+){4}$", var.grading_catch_up_schedule))
    error_message = "A unix-cron schedule of five fields, or \"\" for none."
  }
}

variable "grading_catch_up_schedules" {
  description = "Per sport id, a cron replacing grading_catch_up_schedule for that sport; \"\" means no catch-up."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for schedule in values(var.grading_catch_up_schedules) : schedule == "" || can(regex("^\\S+( \\S+){4}$", schedule))])
    error_message = "Each schedule is a unix-cron schedule of five fields, or \"\" for none."
  }
}

# -- alerting (monitoring.tf) --------------------------------------------------------------------

variable "notification_channels" {
  description = "Notification channels every alert notifies, as projects/<project>/notificationChannels/<id>. Empty: the alert policies are created and open incidents, but notify nobody."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for channel in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", channel))])
    error_message = "Each channel is projects/<project>/notificationChannels/<numeric id> (gcloud beta monitoring channels list)."
  }
}

variable "staleness_minutes" {
  description = "Minutes without a successful export of a sport, while exports are being asked for, before its all.json staleness alert opens. At least twice the scheduled export's interval."
  type        = number
  default     = 30

  validation {
    condition     = var.staleness_minutes >= 10 && var.staleness_minutes <= 720 && floor(var.staleness_minutes) == var.staleness_minutes
    error_message = "Whole minutes, between 10 and 720."
  }
}

variable "function_error_threshold" {
  description = "5xx responses of one function within 10 minutes above which the function errors alert opens. Pub/Sub retries each failed push, so a lone transient error is expected now and then."
  type        = number
  default     = 5

  validation {
    condition     = var.function_error_threshold >= 0
    error_message = "Zero or more."
  }
}
