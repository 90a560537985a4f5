"""The scheduled safety net (infra/scheduler.tf) and the alerts (infra/monitoring.tf) against the
code: one job of each kind per sport of schemas/sports.json with a valid cron in the sport's zone,
publishing to the right topic a message the function applies (audited `scheduled`, on the sport's
today or yesterday); every alert to the notification-channel variable, and documented in
docs/RUNBOOK.md; the log-based metric's filter matching the line the function really logs for an
export of its sport, and no other sport's.

Offline: the .tf files are parsed (python-hcl2); the messages go through the real handlers on the
embedded backend."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from picklock import topics
from picklock.adapters import ddl
from picklock.adapters.sports_file import SPORTS_FILE, default_catalogue
from picklock.bootstrap import bootstrap, message_publisher
from picklock.config import Config
from picklock.domain.export import TRIGGERS
from picklock.domain.sports import DEFAULT_SPORT
from picklock.entrypoints.functions import Handlers
from picklock.structured_log import CONTEXT_FIELDS, configure
from picklock.topics import encode_message
from terraform_config import INFRA, REPO, literal, load, reference, render

SPORTS_JSON = REPO / "schemas" / "sports.json"
RUNBOOK = REPO / "docs" / "RUNBOOK.md"
# (job resource, its schedules local, the variables it reads, its message local, topic, days back)
JOBS = [
    ("export_today", "export_schedules", ("export_schedules", "export_schedule"), "scheduled_export_message",
     topics.SIGNAL_UPDATED, 0),
    ("grading_catch_up", "grading_catch_up_schedules", ("grading_catch_up_schedules", "grading_catch_up_schedule"),
     "grading_catch_up_message", topics.GRADING_COMPLETE, 1),
]
CRON_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))  # minute hour day-of-month month day-of-week


@pytest.fixture(scope="module")
def tf():
    return load()


@pytest.fixture(scope="module")
def sports() -> list[dict]:
    return json.loads(SPORTS_JSON.read_text(encoding="utf-8"))["sports"]


def cron_problem(expression: str) -> str | None:
    """Why a unix-cron expression (the form Cloud Scheduler takes) is invalid; None if valid."""
    fields = expression.split(" ")
    if len(fields) != 5:
        return f"{len(fields)} fields, not 5"
    for field, (low, high) in zip(fields, CRON_FIELDS):
        for item in field.split(","):
            match = re.fullmatch(r"(\*|(\d+)(?:-(\d+))?)(?:/(\d+))?", item)
            if not match:
                return f"{item!r} is not *, N, N-M, or one of them /STEP"
            first, last, step = match[2], match[3] or match[2], match[4]
            if first is not None and not low <= int(first) <= int(last) <= high:
                return f"{item!r} is outside {low}-{high}"
            if step is not None and int(step) < 1:
                return f"{item!r} has a step of 0"
    return None


def message_of(tf, local: str, sport: str) -> dict:
    """What a job publishes: base64encode(jsonencode(merge(local.<message>, { sport = each.key })))."""
    return {**{name: literal(value) for name, value in tf.locals[local].items()}, "sport": sport}


# -- the jobs ----------------------------------------------------------------------------------

def test_the_jobs_read_the_sports_catalogue_the_code_reads(tf, sports):
    path = re.fullmatch(r'\$\{jsondecode\(file\("([^"]+)"\)\)\.sports\}', tf.locals["sports_catalogue"])
    assert path, tf.locals["sports_catalogue"]
    catalogue_file = render(f'"{path[1]}"', path_module=str(INFRA))
    assert Path(catalogue_file).resolve() == Path(ddl.schema_root(), SPORTS_FILE).resolve() == SPORTS_JSON
    assert tf.locals["sports"] == "${{for sport in local.sports_catalogue : sport.id => sport}}"
    # The first sport is the default (messages without `sport`), whose export ids carry none.
    assert tf.locals["default_sport"] == "${local.sports_catalogue[0].id}"
    assert [sport.id for sport in default_catalogue().sports] == [sport["id"] for sport in sports]
    assert DEFAULT_SPORT == sports[0]["id"]


@pytest.mark.parametrize("job, schedules, variables, message, topic, days_back", JOBS, ids=[j[0] for j in JOBS])
def test_one_job_per_sport_with_a_valid_cron_to_its_topic(tf, sports, job, schedules, variables, message, topic,
                                                          days_back):
    per_sport, default = variables
    resource = tf.resource("google_cloud_scheduler_job", job)
    # Every sport of the catalogue, with its own cron or the default; "" leaves a sport out.
    assert reference(resource["for_each"]) == f"local.{schedules}"
    assert tf.locals[schedules] == (
        f"${{{{for id, sport in local.sports : id => lookup(var.{per_sport}, id, var.{default}) "
        f"if lookup(var.{per_sport}, id, var.{default}) != \"\"}}}}")
    assert tf.variables[per_sport]["default"] == {}
    cron = literal(tf.variables[default]["default"])
    assert cron_problem(cron) is None, cron
    # Terraform's own check of a cron (RE2, the same syntax in Python here) takes the default.
    check = re.search(r'regex\("((?:[^"\\]|\\.)*)", var\.' + default, tf.variables[default]["validation"][0]["condition"])
    assert re.search(literal(f'"{check[1]}"'), cron)
    assert reference(resource["schedule"]) == "each.value"
    assert reference(resource["time_zone"]) == "local.sports[each.key].time_zone"
    names = [render(resource["name"], each_key=sport["id"]) for sport in sports]
    assert len(set(names)) == len(sports)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,500}", name) for name in names)  # Cloud Scheduler job ids
    for sport in sports:
        ZoneInfo(sport["time_zone"])  # a zone Cloud Scheduler and the code both know
    target = resource["pubsub_target"][0]
    assert target["topic_name"] == f'${{google_pubsub_topic.trigger["{topic}"].id}}'
    assert target["data"] == f"${{base64encode(jsonencode(merge(local.{message}, {{sport = each.key}})))}}"
    assert reference(tf.resource("google_pubsub_topic", "trigger")["for_each"]) == "local.functions"


def test_cron_check_refuses_what_cloud_scheduler_would():
    assert cron_problem("*/10 12-23,0-2 * * *") is None and cron_problem("0 9 * * 1-5") is None
    for bad in ("*/10 12-23 * *", "60 * * * *", "0 24 * * *", "0 9 0 * *", "every 10 minutes", "*/0 * * * *"):
        assert cron_problem(bad), bad


def test_the_apis_the_jobs_and_alerts_need_are_enabled(tf):
    apis = {literal(api) for api in re.findall(r'"[a-z]+\.googleapis\.com"', tf.locals["required_apis"])}
    assert {"cloudscheduler.googleapis.com", "monitoring.googleapis.com", "logging.googleapis.com"} <= apis
    for job in ("export_today", "grading_catch_up"):
        assert "${google_project_service.required}" in tf.resource("google_cloud_scheduler_job", job)["depends_on"]


# -- the messages, through the real handlers ---------------------------------------------------

def handlers_at(tmp_path, now: str) -> Handlers:
    config = Config(home=tmp_path / "home", now=now)
    configure()
    return Handlers(bootstrap(config), message_publisher(config))


def pushed(body: bytes, message_id: str) -> SimpleNamespace:
    """A CloudEvent as functions-framework builds it from a Pub/Sub push."""
    return SimpleNamespace(data={"message": {"data": base64.b64encode(body).decode("ascii"), "messageId": message_id,
                                             "attributes": {}}, "subscription": "projects/p/subscriptions/s"})


def logged_exports(capsys) -> list[dict]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("export_id")]


@pytest.mark.parametrize("job, schedules, variables, message, topic, days_back", JOBS, ids=[j[0] for j in JOBS])
def test_each_jobs_message_is_applied_for_its_sport_on_its_date(tf, sports, tmp_path, capsys, job, schedules,
                                                                 variables, message, topic, days_back):
    """At 23:30 in New York (already tomorrow in UTC), for every sport: nothing parked, the export
    is of the sport's today (or yesterday), and the scheduled export is audited as scheduled."""
    handlers = handlers_at(tmp_path, "2026-02-28T23:30:00-05:00")
    handle = {topics.SIGNAL_UPDATED: handlers.on_signal_updated, topics.GRADING_COMPLETE: handlers.on_grading_complete}
    for sport in sports:
        body = encode_message(message_of(tf, message, sport["id"]))
        handle[topic](pushed(body, f"m-{sport['id']}"))

        today = datetime(2026, 3, 1, 4, 30, tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(sport["time_zone"])).date()
        expected = today - timedelta(days=days_back)
        records = handlers.service.audit_records(expected, sport["id"])
        assert records, f"{job} of {sport['id']}: nothing exported for {expected}"
        if topic == topics.SIGNAL_UPDATED:
            assert [r.trigger_source for r in records] == ["scheduled"]
    assert handlers.dead_letters.messages(topics.dead_letter_topic(topic)) == []
    assert message_of(tf, message, DEFAULT_SPORT)["trigger"] in TRIGGERS  # the audit's own word
    assert logged_exports(capsys)


# -- the log-based metric ----------------------------------------------------------------------

def _clauses(tf) -> dict[str, str]:
    """{field: clause} of the export log filter's clauses."""
    clauses = {}
    for clause in tf.locals["export_log_clauses"]:
        text = clause[1:-1]  # the HCL string's body, escapes kept
        field = re.match(r"[\w.]+", text)[0]
        clauses[field] = text.replace('\\"', '"')
    return clauses


def _quoted(text: str) -> set[str]:
    return set(re.findall(r'"([^"$]*)"', text))


def _export_id_patterns(tf, sports) -> dict[str, str]:
    expression = tf.locals["export_id_patterns"]
    match = re.fullmatch(r'\$\{\{for id in keys\(local\.sports\) : id => \(id == local\.default_sport \? '
                         r'"([^"]+)" : "([^"]+)"\)\}\}', expression)
    assert match, expression
    default, other = match[1], match[2]
    return {sport["id"]: default if index == 0 else other.replace("${id}", sport["id"])
            for index, sport in enumerate(sports)}


def test_the_export_metric_counts_the_line_the_function_logs_for_its_sport_only(tf, sports, tmp_path, capsys):
    clauses = _clauses(tf)
    assert set(clauses) == {"resource.type", "resource.labels.service_name", "severity", "jsonPayload.logger",
                            "jsonPayload.outcome"}
    payload_fields = {name.removeprefix("jsonPayload.") for name in clauses if name.startswith("jsonPayload.")}
    assert payload_fields | {"export_id"} <= set(CONTEXT_FIELDS) | {"logger", "message"}
    patterns = _export_id_patterns(tf, sports)

    handlers = handlers_at(tmp_path, "2026-02-28T20:00:00-05:00")
    for sport in sports:
        body = encode_message(message_of(tf, "scheduled_export_message", sport["id"]))
        handlers.on_signal_updated(pushed(body, f"m-{sport['id']}"))
        handlers.on_signal_updated(pushed(body, f"m-{sport['id']}-again"))  # unchanged: counted too
    lines = logged_exports(capsys)
    assert {line["outcome"] for line in lines} == {"published", "unchanged"}

    exporting = [sport["id"] for sport in sports for _ in range(2)]  # each sport twice, in that order
    assert [line["severity"] for line in lines] == ["INFO"] * len(exporting)  # no notice in these exports
    for sport, line in zip(exporting, lines, strict=True):
        assert clauses["severity"] == f"severity={line['severity']}"
        assert line["logger"] in _quoted(clauses["jsonPayload.logger"])
        assert line["outcome"] in _quoted(clauses["jsonPayload.outcome"])
        matching = {other for other, pattern in patterns.items() if re.search(pattern, line["export_id"])}
        assert matching == {sport}, (line["export_id"], matching)


def test_the_export_metric_watches_the_functions_terraform_deploys(tf):
    services = _clauses(tf)["resource.labels.service_name"]
    assert "local.function_names" in services
    assert tf.locals["function_names"] == '${[for topic in keys(local.functions) : "picklock-${topic}"]}'
    assert tf.resource("google_cloudfunctions2_function", "handler")["name"] == '"picklock-${each.key}"'
    metric = tf.resource("google_logging_metric", "exports")
    assert reference(metric["for_each"]) == "local.sports"
    assert "local.export_log_clauses" in metric["filter"] and "local.export_id_patterns[each.key]" in metric["filter"]
    assert literal(metric["metric_descriptor"][0]["metric_kind"]) == "DELTA"


# -- the alerts --------------------------------------------------------------------------------

def test_every_alert_notifies_the_channel_variable_which_defaults_to_none(tf):
    policies = tf.resources_of("google_monitoring_alert_policy")
    assert set(policies) == {"dead_letters", "function_errors", "all_json_stale"}
    for name, policy in policies.items():
        assert reference(policy["notification_channels"]) == "var.notification_channels", name
    variable = tf.variables["notification_channels"]
    assert variable["type"] == "${list(string)}" and variable["default"] == []


def test_every_alert_names_its_runbook_section_and_the_section_exists(tf):
    headings = {line.lstrip("#").strip() for line in RUNBOOK.read_text(encoding="utf-8").splitlines()
                if line.startswith("## ")}
    for name, policy in tf.resources_of("google_monitoring_alert_policy").items():
        content = policy["documentation"][0]["content"]
        section = re.search(r'See \\"([^"\\]+)\\" in \$\{local\.runbook\}', content)
        assert section, f"{name}: no runbook section named"
        assert section[1] in headings, f"{name}: docs/RUNBOOK.md has no section '## {section[1]}'"


def test_the_dead_letter_alert_watches_every_dead_letter_subscription(tf):
    condition = tf.resource("google_monitoring_alert_policy", "dead_letters")["conditions"][0]["condition_threshold"][0]
    assert "for subscription in google_pubsub_subscription.dead_letter" in condition["filter"]
    assert "pubsub.googleapis.com/subscription/num_undelivered_messages" in condition["filter"]
    assert reference(tf.resource("google_pubsub_subscription", "dead_letter")["for_each"]) == "local.functions"
    assert (literal(condition["comparison"]), condition["threshold_value"]) == ("COMPARISON_GT", 0)


def test_the_function_error_alert_watches_every_function(tf):
    condition = tf.resource("google_monitoring_alert_policy", "function_errors")["conditions"][0]["condition_threshold"][0]
    assert "for name in local.function_names" in condition["filter"]
    assert 'metric.labels.response_code_class = \\"5xx\\"' in condition["filter"]
    assert reference(condition["threshold_value"]) == "var.function_error_threshold"


def test_the_staleness_alert_is_per_scheduled_sport_and_quiet_outside_the_window(tf):
    policy = tf.resource("google_monitoring_alert_policy", "all_json_stale")
    assert reference(policy["for_each"]) == "local.export_schedules"
    assert literal(policy["combiner"]) == "AND"
    absent, window = policy["conditions"]
    assert "google_logging_metric.exports[each.key].name" in absent["condition_absent"][0]["filter"]
    assert absent["condition_absent"][0]["duration"] == '"${var.staleness_minutes * 60}s"'
    # "The window is open": the sport's own job ran, counted from Cloud Scheduler's log of that job.
    gate = window["condition_threshold"][0]
    assert "google_logging_metric.scheduled_export_runs[each.key].name" in gate["filter"]
    runs = tf.resource("google_logging_metric", "scheduled_export_runs")
    assert reference(runs["for_each"]) == "local.export_schedules"
    assert '\\"cloud_scheduler_job\\"' in runs["filter"]
    assert "resource.labels.job_id=" in runs["filter"]
    assert "${google_cloud_scheduler_job.export_today[each.key].name}" in runs["filter"]
    # It looks back half the staleness, and must have held that long: longer than the default
    # interval between runs (it stays open all window long), shorter than the absence (it closes
    # before the night's absence counts), and the first runs of the day get their chance.
    assert gate["aggregations"][0]["alignment_period"] == '"${var.staleness_minutes * 30}s"'
    assert gate["duration"] == '"${var.staleness_minutes * 30}s"'
    staleness = tf.variables["staleness_minutes"]["default"]
    interval = int(re.match(r"\*/(\d+) ", literal(tf.variables["export_schedule"]["default"]))[1])
    assert interval < staleness / 2 < staleness
