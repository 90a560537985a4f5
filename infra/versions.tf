terraform {
  required_version = ">= 1.5"

  # Exact versions: tests/infra/test_provider_schema.py checks infra/ against the schemas of these
  # versions (provider-schema/google.json; to upgrade, see README.md, "The providers' schemas").
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "6.50.0"
    }
    # Only for google_project_service_identity (the Pub/Sub service agent), which is beta-only.
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "6.50.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.7.2"
    }
  }
}

provider "google" {
  project = var.project
  region  = var.region
}

provider "google-beta" {
  project = var.project
  region  = var.region
}
