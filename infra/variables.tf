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
    condition     = can(regex("^[A-Za-z0-9_]{1,1024}$", var.dataset))
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
