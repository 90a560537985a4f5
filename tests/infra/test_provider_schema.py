"""infra/*.tf against the providers' own schemas, offline: what `terraform validate` would say
about argument names, blocks and required arguments, without downloading a provider.

The schemas are infra/provider-schema/google.json, in the layout of `terraform providers schema
-json` (extracted by tools/provider_schema.py from the npm packages CDK for Terraform generates
from the exact provider versions infra/versions.tf pins; the real command's output may replace
it, see infra/README.md). Each resource, data source and provider block is checked for: a type
the provider lacks; an unknown argument or block at any depth; a block written as an argument
(`x = { ... }`) or an argument written as a block; a block of at most one written twice; an
argument the provider only computes; a missing required argument or block. Meta-arguments are
left alone, and `dynamic "x" { content { ... } }` is checked as block x.

The mutation tests at the end change real infra files as text and expect each kind of mistake
to be reported, naming the file, the resource and the path inside it."""
from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import hcl2
import pytest

from terraform_config import INFRA, unquote_key

SCHEMA_FILE = INFRA / "provider-schema" / "google.json"
REGISTRY = "registry.terraform.io"

# Meta-arguments: Terraform's, not the provider's (arguments, then blocks).
RESOURCE_META = {"count", "for_each", "depends_on", "provider"}, {"lifecycle", "provisioner", "connection"}
DATA_META = {"count", "for_each", "depends_on", "provider"}, {"lifecycle"}
PROVIDER_META = {"alias", "version"}, set()


# -- the check ------------------------------------------------------------------------------------

def is_block(value) -> bool:
    """python-hcl2 (>= 8) marks every block body with __is_block__; blocks of one name are a list of
    bodies, or of {label: body} for labelled ones (dynamic "x", provisioner "local-exec")."""
    return isinstance(value, list) and bool(value) and all(_body(item) for item in value)


def _body(item) -> bool:
    if not isinstance(item, dict):
        return False
    if item.get("__is_block__"):
        return True
    labelled = list(members(item))
    return bool(labelled) and all(_body(body) for _, body in labelled)


def members(body: dict):
    return ((key, value) for key, value in body.items() if not key.startswith("__"))


def flag(attribute: dict, name: str) -> bool:
    return bool(attribute.get(name, False))  # the real command's output leaves out false flags


def suggestion(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def check_block(body: dict, block: dict, path: str, meta=(set(), set())) -> list[str]:
    """Problems of one block body against its schema; each starts with its path."""
    attributes = block.get("attributes", {})
    block_types = block.get("block_types", {})
    meta_arguments, meta_blocks = meta
    problems = []

    def at(name: str) -> str:
        return f"{path}.{name}" if path else name

    written: dict[str, int] = {}
    dynamic: set[str] = set()
    for name, value in members(body):
        if name in meta_arguments and not is_block(value) or name in meta_blocks and is_block(value):
            continue
        if name == "dynamic" and is_block(value):
            for labelled in value:
                for label, spec in members(labelled):
                    label = unquote_key(label)
                    where = at(f"dynamic.{label}")
                    if label not in block_types:
                        problems.append(f"{where}: unknown block {label}{suggestion(label, block_types)}")
                        continue
                    dynamic.add(label)
                    content = spec.get("content") if isinstance(spec, dict) else None
                    if not is_block(content) or len(content) != 1:
                        problems.append(f"{where}: a dynamic block needs exactly one content block")
                        continue
                    problems += check_block(content[0], block_types[label]["block"], f"{where}.content")
            continue
        if name in attributes:
            attribute = attributes[name]
            if is_block(value):
                problems.append(f"{at(name)}: {name} is an argument, written as a block (write {name} = ...)")
            elif not flag(attribute, "optional") and not flag(attribute, "required"):
                problems.append(f"{at(name)}: {name} is computed by the provider and cannot be set")
            continue
        if name in block_types:
            spec = block_types[name]
            if not is_block(value):
                problems.append(f"{at(name)}: {name} is a block, written as an argument (write {name} {{ ... }})")
                continue
            written[name] = len(value)
            limit = 1 if spec["nesting_mode"] == "single" else spec.get("max_items")
            if limit and len(value) > limit:
                problems.append(f"{at(name)}: block {name} is written {len(value)} times; at most {limit} allowed")
            for index, item in enumerate(value):
                problems += check_block(item, spec["block"], at(f"{name}[{index}]"))
            continue
        kind = "block" if is_block(value) else "argument"
        problems.append(f"{at(name)}: unknown {kind} {name}{suggestion(name, {**attributes, **block_types})}")

    for name, attribute in attributes.items():
        if flag(attribute, "required") and name not in body:
            problems.append(f"{at(name)}: missing required argument {name}")
    for name, spec in block_types.items():
        least = spec.get("min_items", 0) or 0
        if least and name not in dynamic and written.get(name, 0) < least:
            problems.append(f"{at(name)}: missing required block {name} (at least {least})")
    return problems


@functools.lru_cache(maxsize=None)
def parse(text: str) -> dict:
    """python-hcl2's parse, once per text: a mutation re-parses only the file it changes (the
    result is shared, and nothing here changes it)."""
    return hcl2.loads(text)


@dataclass(frozen=True)
class Config:
    files: dict[str, dict]  # file name -> python-hcl2's parse

    @classmethod
    def of(cls, texts: dict[str, str]) -> "Config":
        return cls({name: parse(text) for name, text in texts.items()})

    def sources(self) -> dict[str, str]:
        """{local provider name: source address} of required_providers."""
        found = {}
        for parsed in self.files.values():
            for terraform in parsed.get("terraform", []):
                for required in terraform.get("required_providers", []):
                    for name, spec in members(required):
                        found[name] = f"{REGISTRY}/{unquote_key(spec['source']).lower()}"
        return found

    def pins(self) -> dict[str, str]:
        """{source address: version constraint} of required_providers."""
        found = {}
        for parsed in self.files.values():
            for terraform in parsed.get("terraform", []):
                for required in terraform.get("required_providers", []):
                    for _, spec in members(required):
                        found[f"{REGISTRY}/{unquote_key(spec['source']).lower()}"] = unquote_key(
                            str(spec.get("version", "")))
        return found


def provider_of(local: str, sources: dict[str, str]) -> str:
    return sources.get(local, f"{REGISTRY}/hashicorp/{local}")


def local_provider(body: dict, type_: str) -> str:
    """The provider meta-argument's local name (google-beta for "${google-beta.x}"), or Terraform's
    default: the type's prefix."""
    value = body.get("provider")
    if isinstance(value, str):
        match = re.fullmatch(r"\$\{([\w-]+)(?:\.[\w-]+)?\}", value)
        return match[1] if match else unquote_key(value)
    return type_.split("_")[0]


def check_config(config: Config, schema: dict) -> list[str]:
    """Every problem of every file: `file: resource type.name: path: problem`."""
    providers = schema["provider_schemas"]
    sources = config.sources()
    problems = []
    for file, parsed in sorted(config.files.items()):
        for kind, key, meta in (("resource", "resource_schemas", RESOURCE_META),
                                ("data", "data_source_schemas", DATA_META)):
            for block in parsed.get(kind, []):
                for type_, named in members(block):
                    type_ = unquote_key(type_)
                    for name, body in members(named):
                        where = f"{file}: {kind} {type_}.{unquote_key(name)}"
                        address = provider_of(local_provider(body, type_), sources)
                        known = providers.get(address, {}).get(key, {})
                        if type_ not in known:
                            problems.append(
                                f"{where}: unknown {kind} type {type_} of provider {address}"
                                f"{suggestion(type_, known)} (or missing from {SCHEMA_FILE.name}: regenerate "
                                "it with tools/provider_schema.py, infra/README.md)")
                            continue
                        problems += [f"{where}: {p}" for p in check_block(body, known[type_]["block"], "", meta)]
        for block in parsed.get("provider", []):
            for local, body in members(block):
                local = unquote_key(local)
                address = provider_of(local, sources)
                if address not in providers or "provider" not in providers[address]:
                    problems.append(f"{file}: provider {local}: no schema for provider {address}")
                    continue
                problems += [f"{file}: provider {local}: {p}" for p in
                             check_block(body, providers[address]["provider"]["block"], "", PROVIDER_META)]
    return problems


# References: `google_x.name[key].attr`, `.block[0].attr` must name what the schema has (what
# `terraform validate` reports as "Unsupported attribute").
_REFERENCE = re.compile(r"(?<![\w.])(data\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([a-z_][a-z0-9_-]*)"
                        r"(?:\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\])?((?:\.[a-z_][a-z0-9_]*(?:\[\d+\])?)*)")


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in members(value):
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def check_references(config: Config, schema: dict) -> list[str]:
    """Every `type.name.attribute...` of a resource or data source declared in infra/ against the
    schema of its type: `file: reference: problem`."""
    providers = schema["provider_schemas"]
    sources = config.sources()
    declared = {}  # (kind, type, name) -> block schema
    for parsed in config.files.values():
        for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            for block in parsed.get(kind, []):
                for type_, named in members(block):
                    type_ = unquote_key(type_)
                    for name, body in members(named):
                        known = providers.get(provider_of(local_provider(body, type_), sources), {}).get(key, {})
                        if type_ in known:
                            declared[(kind, type_, unquote_key(name))] = known[type_]["block"]
    problems = []
    for file, parsed in sorted(config.files.items()):
        for text in sorted(set(strings(parsed))):
            for match in _REFERENCE.finditer(text):
                kind = "data" if match[1] else "resource"
                block = declared.get((kind, match[2], match[3]))
                if block is None:
                    continue  # not a resource of infra/ (a local, a variable...) or checked elsewhere
                reference = match[0]
                for step in re.findall(r"\.([a-z_][a-z0-9_]*)(\[\d+\])?", match[4]):
                    name, index = step
                    if name in block.get("attributes", {}):
                        break  # a value: what lies beyond is the value's own structure
                    if name in block.get("block_types", {}):
                        block = block["block_types"][name]["block"]
                        continue
                    known = {**block.get("attributes", {}), **block.get("block_types", {})}
                    problems.append(f"{file}: {reference}: no attribute {name}{suggestion(name, known)}")
                    break
    return problems


# -- infra/ as it is ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(INFRA.glob("*.tf"))}


@pytest.fixture(scope="module")
def config(texts) -> Config:
    return Config.of(texts)


def test_schema_file_has_the_layout_of_terraform_providers_schema(schema):
    assert schema["format_version"] == "1.0"
    for address, provider in schema["provider_schemas"].items():
        assert address.startswith(f"{REGISTRY}/"), address
        assert "block" in provider["provider"]
        for type_, resource in provider.get("resource_schemas", {}).items():
            assert set(resource["block"]) <= {"attributes", "block_types", "description", "description_kind",
                                              "deprecated"}, type_
            for nested in resource["block"].get("block_types", {}).values():
                assert nested["nesting_mode"] in {"single", "list", "set", "map", "group"}


def test_every_provider_is_pinned_to_the_version_its_schema_comes_from(config, schema):
    """A schema checks only the version it was taken from: infra/ must pin exactly that one."""
    pins = config.pins()
    used = set(config.sources().values())
    assert used <= set(schema["provider_schemas"]), "a provider of infra/ has no schema: regenerate it"
    for address in used:
        assert re.fullmatch(r"=?\s*\d+\.\d+\.\d+", pins[address]), \
            f"{address}: pin one exact version, not {pins[address]!r}"
    # tools/provider_schema.py records where each schema came from; the output of the real
    # `terraform providers schema -json` has no such record (it is always the installed version).
    for address, origin in schema.get("generated_from", {}).items():
        assert pins[address].lstrip("= ") == origin["version"], (address, pins[address], origin)


def test_infra_matches_the_provider_schemas(config, schema):
    problems = check_config(config, schema)
    assert not problems, "\n".join(problems)


def test_references_name_attributes_the_providers_have(config, schema):
    problems = check_references(config, schema)
    assert not problems, "\n".join(problems)


def test_schema_covers_every_resource_type_infra_uses_and_no_other(config, schema):
    """The committed file stays small: exactly the types infra/ uses (tools/provider_schema.py)."""
    used = {(kind, unquote_key(type_)) for parsed in config.files.values() for kind in ("resource", "data")
            for block in parsed.get(kind, []) for type_, _ in members(block)}
    extracted = {(kind, type_) for provider in schema["provider_schemas"].values()
                 for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas"))
                 for type_ in provider.get(key, {})}
    if "generated_from" in schema:  # the real command lists every type of the provider
        assert extracted == used


# -- the check catches each kind of mistake (mutations of the real files) -------------------------

def mutate(texts: dict[str, str], file: str, old: str, new: str) -> Config:
    assert old in texts[file], f"the mutation no longer applies to {file}: {old!r}"
    return Config.of({**texts, file: texts[file].replace(old, new, 1)})


MUTATIONS = {
    "rename an argument": (
        "storage.tf", "  uniform_bucket_level_access = true\n  public_access_prevention    = var.public_read",
        "  uniform_bucket_access = true\n  public_access_prevention    = var.public_read",
        "storage.tf: resource google_storage_bucket.published: uniform_bucket_access: unknown argument "
        "uniform_bucket_access (did you mean uniform_bucket_level_access?)"),
    "rename a nested block's argument": (
        "pubsub.tf", "    oidc_token {\n      service_account_email",
        "    oidc_token {\n      service_account_mail",
        "pubsub.tf: resource google_pubsub_subscription.push: push_config[0].oidc_token[0].service_account_mail: "
        "unknown argument service_account_mail (did you mean service_account_email?)"),
    "rename a nested block": (
        "functions.tf", "      storage_source {", "      storage {",
        "functions.tf: resource google_cloudfunctions2_function.handler: build_config[0].source[0].storage: "
        "unknown block storage"),
    "turn a block into an argument": (
        "storage.tf", "  versioning {\n    enabled = true\n  }\n\n  lifecycle_rule {\n    condition {\n"
                      "      days_since_noncurrent_time = var.noncurrent",
        "  versioning = {\n    enabled = true\n  }\n\n  lifecycle_rule {\n    condition {\n"
        "      days_since_noncurrent_time = var.noncurrent",
        "storage.tf: resource google_storage_bucket.published: versioning: versioning is a block, written as an "
        "argument"),
    "turn an argument into a block": (
        "bigquery.tf", "  keepers = {\n", "  keepers {\n",
        "bigquery.tf: resource random_id.ddl_run: keepers: keepers is an argument, written as a block"),
    "duplicate a block of at most one": (
        "functions.tf", "  service_config {\n",
        "  service_config {\n    available_memory = var.function_memory\n  }\n  service_config {\n",
        "functions.tf: resource google_cloudfunctions2_function.handler: service_config: block service_config "
        "is written 2 times; at most 1 allowed"),
    "duplicate a single block": (
        "pubsub.tf", "  name   = \"${each.key}-push\"\n",
        "  name   = \"${each.key}-push\"\n  timeouts {\n    create = \"5m\"\n  }\n  timeouts {\n"
        "    create = \"6m\"\n  }\n",
        "pubsub.tf: resource google_pubsub_subscription.push: timeouts: block timeouts is written 2 times; "
        "at most 1 allowed"),
    "drop a required argument": (
        "bigquery.tf", "    query          = each.value\n", "",
        "bigquery.tf: resource google_bigquery_job.create_table: query[0].query: missing required argument query"),
    "drop a required top-level argument": (
        "pubsub.tf", "  name   = \"${each.key}-dead-letter\"\n", "",
        "pubsub.tf: resource google_pubsub_topic.dead_letter: name: missing required argument name"),
    "drop a required block": (
        "storage.tf", "    action {\n      type = \"Delete\"\n    }\n", "",
        "storage.tf: resource google_storage_bucket.published: lifecycle_rule[0].action: missing required "
        "block action"),
    "unknown resource type": (
        "pubsub.tf", "resource \"google_pubsub_topic\" \"trigger\"", "resource \"google_pubsub_topics\" \"trigger\"",
        "pubsub.tf: resource google_pubsub_topics.trigger: unknown resource type google_pubsub_topics of provider "
        "registry.terraform.io/hashicorp/google (did you mean google_pubsub_topic?)"),
    "set an attribute the provider computes": (
        "functions.tf", "    ingress_settings = \"ALLOW_INTERNAL_ONLY\"\n",
        "    ingress_settings = \"ALLOW_INTERNAL_ONLY\"\n    uri = \"https://example.invalid\"\n",
        "functions.tf: resource google_cloudfunctions2_function.handler: service_config[0].uri: uri is computed "
        "by the provider and cannot be set"),
    "a beta-only type on the default provider": (
        "main.tf", "  provider = google-beta\n\n", "",
        "main.tf: resource google_project_service_identity.pubsub: unknown resource type "
        "google_project_service_identity of provider registry.terraform.io/hashicorp/google"),
    "misspell a provider argument": (
        "versions.tf", "  region  = var.region\n", "  regoin  = var.region\n",
        "versions.tf: provider google: regoin: unknown argument regoin (did you mean region?)"),
    "misspell inside a dynamic block's content": (
        "storage.tf", "  cors {\n    origin          = [var.website_origin]\n",
        "  dynamic \"cors\" {\n    for_each = [1]\n    content {\n      origins = [var.website_origin]\n    }\n  }\n"
        "  cors {\n    origin          = [var.website_origin]\n",
        "storage.tf: resource google_storage_bucket.published: dynamic.cors.content.origins: unknown argument "
        "origins (did you mean origin?)"),
    "a dynamic block the resource lacks": (
        "storage.tf", "  cors {\n    origin          = [var.website_origin]\n",
        "  dynamic \"cros\" {\n    for_each = [1]\n    content {\n      origin = [var.website_origin]\n    }\n  }\n"
        "  cors {\n    origin          = [var.website_origin]\n",
        "storage.tf: resource google_storage_bucket.published: dynamic.cros: unknown block cros (did you mean cors?)"),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_each_kind_of_mistake_is_reported_with_file_resource_and_path(texts, schema, mutation):
    file, old, new, expected = MUTATIONS[mutation]
    problems = check_config(mutate(texts, file, old, new), schema)
    assert any(problem.startswith(expected) for problem in problems), "\n".join(problems) or "no problem found"


def test_valid_dynamic_blocks_and_meta_arguments_pass(texts, schema):
    """dynamic "x" { content { ... } } stands for block x; lifecycle, provisioner, count... are Terraform's."""
    config = mutate(texts, "storage.tf", "  cors {\n    origin          = [var.website_origin]\n",
                    "  dynamic \"cors\" {\n    for_each = [1]\n    content {\n      origin = [var.website_origin]\n"
                    "    }\n  }\n  lifecycle {\n    prevent_destroy = true\n  }\n  provisioner \"local-exec\" {\n"
                    "    command = \"true\"\n  }\n  cors {\n    origin          = [var.website_origin]\n")
    assert check_config(config, schema) == []


def test_a_mutation_inside_a_second_repeated_block_names_its_index(texts, schema):
    config = mutate(texts, "storage.tf", "      age            = var.history_retention_days",
                    "      ages           = var.history_retention_days")
    assert ("storage.tf: resource google_storage_bucket.published: lifecycle_rule[1].condition[0].ages: "
            "unknown argument ages (did you mean age?)") in check_config(config, schema)


@pytest.mark.parametrize("file, old, new, expected", [
    ("pubsub.tf", "service_config[0].uri", "service_config[0].url",
     "pubsub.tf: google_cloudfunctions2_function.handler[each.key].service_config[0].url: no attribute url "
     "(did you mean uri?)"),
    ("iam.tf", "google_service_account.function[each.key].member", "google_service_account.function[each.key].members",
     "iam.tf: google_service_account.function[each.key].members: no attribute members (did you mean member?)"),
    ("bigquery.tf", "random_id.ddl_run.hex", "random_id.ddl_run.hexa",
     "bigquery.tf: random_id.ddl_run.hexa: no attribute hexa (did you mean hex?)"),
])
def test_a_reference_to_a_missing_attribute_is_reported(texts, schema, file, old, new, expected):
    assert expected in check_references(mutate(texts, file, old, new), schema)
