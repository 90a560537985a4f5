"""Terraform (infra/) against the code it deploys: topic and subscription names, entry points,
environment variables, tables and published paths must be the ones the code uses. Each test reads
the code's own constants, never a copy of them, so renaming either side alone fails here.

Offline: the .tf files are parsed (python-hcl2); no provider, no plan."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from picklock import topics
from picklock.adapters import ddl
from picklock.adapters.gcs_publisher import IMMUTABLE_PREFIXES
from picklock.adapters.pubsub import RetryPolicy
from picklock.config import Config
from tests.harness.nba_paths import ALL_JSON
from probe_entry_points import cloud_event_entry_points, isolated_environment
from terraform_config import INFRA, REPO, literal, load, reference, render

HERE = Path(__file__).resolve().parent
MAIN_PY = REPO / "functions" / "main.py"
# Variables the platform sets on every 2nd gen function, stated in Terraform to avoid plan noise.
PLATFORM_VARIABLES = {"LOG_EXECUTION_ID"}
# Read by picklock.config but meant for emulators, tests and the embedded backend, never production.
NOT_FOR_PRODUCTION = {"PICKLOCK_HOME", "PICKLOCK_NOW", "PICKLOCK_BIGQUERY_ENDPOINT",
                      "PUBSUB_EMULATOR_HOST", "STORAGE_EMULATOR_HOST"}


@pytest.fixture(scope="module")
def tf():
    return load()


@pytest.fixture(scope="module")
def functions(tf) -> dict[str, str]:
    """{topic: entry point}, as Terraform deploys them."""
    return {literal(topic): literal(spec["entry_point"]) for topic, spec in tf.locals["functions"].items()}


# -- topics, subscriptions, entry points -------------------------------------------------------

def test_one_function_per_topic_of_the_code(functions):
    assert sorted(functions) == sorted(topics.TOPICS)


def test_entry_points_are_the_cloud_event_functions_of_main_py(functions):
    assert sorted(functions.values()) == sorted(cloud_event_entry_points(MAIN_PY))


def test_each_entry_point_handles_the_topic_terraform_pushes_to_it(functions, tmp_path):
    """Served by functions-framework, each entry point parks a poison message on the dead-letter
    topic of the topic it handles: that topic must be the one whose subscription pushes to it."""
    report = tmp_path / "parked.json"
    subprocess.run([sys.executable, str(HERE / "probe_entry_points.py"), str(MAIN_PY), str(tmp_path / "home"),
                    str(report)], check=True, capture_output=True, timeout=120, env=isolated_environment())
    parked = json.loads(report.read_text())
    assert parked == {entry_point: [topics.dead_letter_topic(topic)] for topic, entry_point in functions.items()}


@pytest.mark.parametrize("topic", topics.TOPICS)
def test_topic_and_subscription_names_are_picklock_topics(tf, topic):
    def name(kind, resource):
        return render(tf.resource(kind, resource)["name"], each_key=topic)

    assert name("google_pubsub_topic", "trigger") == topic
    assert name("google_pubsub_topic", "dead_letter") == topics.dead_letter_topic(topic)
    assert name("google_pubsub_subscription", "push") == topics.push_subscription(topic)
    assert name("google_pubsub_subscription", "dead_letter") == topics.dead_letter_subscription(topic)


def test_subscriptions_connect_the_topics_they_are_named_after(tf):
    push = tf.resource("google_pubsub_subscription", "push")
    assert reference(push["topic"]) == "google_pubsub_topic.trigger[each.key].id"
    assert reference(push["dead_letter_policy"][0]["dead_letter_topic"]) == "google_pubsub_topic.dead_letter[each.key].id"
    assert reference(push["push_config"][0]["push_endpoint"]) == \
        "google_cloudfunctions2_function.handler[each.key].service_config[0].uri"
    parked = tf.resource("google_pubsub_subscription", "dead_letter")
    assert reference(parked["topic"]) == "google_pubsub_topic.dead_letter[each.key].id"


def test_delivery_policy_is_the_local_stacks(tf):
    """Production retries and parks like the emulator set-up the end-to-end tests run on."""
    assert tf.locals["max_delivery_attempts"] == topics.MAX_DELIVERY_ATTEMPTS
    assert literal(tf.locals["push_minimum_backoff"]) == f"{RetryPolicy().minimum_backoff_seconds:g}s"
    assert literal(tf.locals["push_maximum_backoff"]) == f"{RetryPolicy().maximum_backoff_seconds:g}s"


def test_push_ack_deadline_covers_a_whole_function_run(tf):
    push = tf.resource("google_pubsub_subscription", "push")
    function = tf.resource("google_cloudfunctions2_function", "handler")
    assert push["ack_deadline_seconds"] == function["service_config"][0]["timeout_seconds"] == \
        "${var.function_timeout_seconds}"


# -- environment -------------------------------------------------------------------------------

def _deployed_environment(tf, project="acme-prod", dataset="picks", bucket="acme-picks") -> dict[str, str]:
    return {name: render(value, var_project=project, var_dataset=dataset, local_bucket=bucket)
            for name, value in tf.locals["function_environment"].items()}


def test_function_environment_configures_the_gcp_backend(tf):
    config = Config.from_env(_deployed_environment(tf, "acme-prod", "picks", "acme-picks"))
    assert (config.backend, config.project, config.dataset, config.bucket) == ("gcp", "acme-prod", "picks", "acme-picks")
    assert config.bigquery_endpoint is None and config.now is None


def test_function_environment_names_are_read_by_config(tf):
    config_source = (REPO / "shared" / "picklock" / "config.py").read_text(encoding="utf-8")
    read_by_config = set(re.findall(r'"(PICKLOCK_[A-Z_]+)"', config_source))
    names = set(tf.locals["function_environment"])
    assert names - PLATFORM_VARIABLES <= read_by_config
    assert not names & NOT_FOR_PRODUCTION


def test_functions_get_their_environment_from_the_one_map(tf):
    function = tf.resource("google_cloudfunctions2_function", "handler")
    assert reference(function["service_config"][0]["environment_variables"]) == "local.function_environment"


def test_default_dataset_is_configs_default(tf):
    assert literal(tf.variables["dataset"]["default"]) == Config().dataset


# -- BigQuery ----------------------------------------------------------------------------------

def test_tables_come_from_the_ddl_directory_the_code_reads(tf):
    directory = render(tf.locals["ddl_directory"], path_module=str(INFRA))
    assert Path(directory).resolve() == Path(ddl.schema_root(), "bigquery").resolve()


def test_terraform_fills_the_ddl_placeholder_the_code_uses(tf):
    assert f'"{ddl.DATASET_PLACEHOLDER}"' in tf.locals["ddl"]
    assert render(tf.locals["dataset_ref"], var_project="p", var_dataset="d") == "p.d"


def test_terraform_tells_views_from_tables_as_the_ddl_parser_does(tf):
    # RE2 (Terraform's regexes) and Python agree on this pattern's syntax.
    view_statement = re.compile(literal(tf.locals["view_statement"]))
    for name, schema in ddl.load_schema().items():
        assert bool(view_statement.search(schema.render("p.d"))) == schema.is_view, name


def test_views_are_created_after_tables(tf):
    tables = tf.resource("google_bigquery_job", "create_table")
    views = tf.resource("google_bigquery_job", "create_view")
    assert reference(tables["for_each"]) == "local.ddl_tables"
    assert reference(views["for_each"]) == "local.ddl_views"
    assert "${google_bigquery_job.create_table}" in views["depends_on"]


def test_every_table_name_in_terraform_is_a_ddl_table(tf):
    mentioned = set(re.findall(r"\b(best_bets_\w+|signal_best_bets_\w+|player_game_\w+)\b", tf.text))
    assert mentioned <= set(ddl.load_schema())


# -- Cloud Storage and the functions' source ---------------------------------------------------

def test_history_lifecycle_rule_covers_every_sports_immutable_prefix(tf):
    """Terraform reads the sports catalogue the publisher reads, so a new sport's snapshots are
    covered without a change to infra/."""
    expression = tf.locals["history_prefixes"]
    assert "schemas/sports.json" in expression and "${sport.path_prefix}/history/" in expression
    catalogue = json.loads((REPO / "schemas" / "sports.json").read_text())
    assert IMMUTABLE_PREFIXES == tuple(f"{s['path_prefix']}/history/" for s in catalogue["sports"])
    rules = tf.resource("google_storage_bucket", "published")["lifecycle_rule"]
    prefixes = [rule["condition"][0].get("matches_prefix") for rule in rules]
    assert "${local.history_prefixes}" in prefixes


def test_all_json_url_points_at_the_file_the_service_writes(tf):
    assert literal(tf.locals["all_json_object"]) == ALL_JSON
    assert tf.outputs["all_json_url"]["value"] == \
        '"https://storage.googleapis.com/${google_storage_bucket.published.name}/${local.all_json_object}"'


def test_functions_run_the_python_the_bundle_was_pinned_with(tf):
    """tools/bundle.py pins the versions of this interpreter's environment (.venv)."""
    build = tf.resource("google_cloudfunctions2_function", "handler")["build_config"][0]
    assert literal(build["runtime"]) == f"python{sys.version_info.major}{sys.version_info.minor}"


def test_function_source_is_the_bundle_make_bundle_builds(tf):
    assert reference(tf.locals["bundle_zip"]) == "coalesce(var.bundle_zip, local.default_bundle_zip)"
    default_zip = render(tf.locals["default_bundle_zip"], path_module=str(INFRA))
    assert Path(default_zip).resolve() == REPO / "build" / "bundle.zip"


# -- checkov -----------------------------------------------------------------------------------

def test_every_skipped_check_says_why():
    for path in sorted(INFRA.glob("*.tf")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "checkov:skip" in line:
                assert re.search(r"#checkov:skip=CKV2?_[A-Z]+_\d+:\S.{10,}", line), f"{path.name}: {line.strip()}"
