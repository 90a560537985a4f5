"""infra/variables.tf: each default passes its own validation, as far as a regex decides it.

Terraform's regex() is RE2, which refuses a repetition count over 1000 where Python's re does not;
inside can(...) the refusal is a false condition, so a variable would refuse every value, its default
included, and `terraform plan` would stop on it. Offline: the .tf text is parsed (python-hcl2)."""
from __future__ import annotations

import re

import pytest

from terraform_config import literal, load

RE2_MAX_REPEAT = 1000
_REGEX = re.compile(r'regex\("((?:[^"\\]|\\.)*)",\s*([^)]+)\)')


@pytest.fixture(scope="module")
def tf():
    return load()


def regexes(text: str) -> list[tuple[str, str]]:
    """(pattern, subject expression) of each regex(...) call in an HCL expression."""
    return [(literal(f'"{pattern}"'), subject.strip()) for pattern, subject in _REGEX.findall(text)]


def test_no_regex_repeats_more_than_re2_allows(tf):
    found = regexes(tf.text)
    assert found, "no regex() in infra/"
    for pattern, _ in found:
        for counts in re.findall(r"\{(\d+)(?:,(\d*))?\}", pattern):
            assert all(not n or int(n) <= RE2_MAX_REPEAT for n in counts), pattern


def test_each_string_default_matches_the_regex_of_its_validation(tf):
    checked = 0
    for name, variable in tf.variables.items():
        default = variable.get("default")
        if not isinstance(default, str) or default in ('""', "${null}") or not default.startswith('"'):
            continue
        value = literal(default)
        for validation in variable.get("validation", []):
            for pattern, subject in regexes(validation["condition"]):
                if subject == f"var.{name}":
                    allowed_empty = f'var.{name} == ""' in validation["condition"] and value == ""
                    assert allowed_empty or re.search(pattern, value), f"{name}: default {value!r} fails {pattern!r}"
                    checked += 1
    assert checked >= 3  # dataset, export_schedule, grading_catch_up_schedule
