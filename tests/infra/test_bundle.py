"""The deploy bundle (tools/bundle.py, `make bundle`): what Cloud Functions receives must be the
one copy of the code, install from its own requirements.txt alone, and serve every entry point.

The install test creates a clean venv and pip-installs the pinned requirements (from pip's cache
when warm: about 20 s; the first run on a new machine downloads them)."""
from __future__ import annotations

import filecmp
import hashlib
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from picklock import topics
from probe_entry_points import isolated_environment

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _load_bundle_tool():
    spec = importlib.util.spec_from_file_location("picklock_bundle_tool", REPO / "tools" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle_tool = _load_bundle_tool()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(bundle directory, zip, sha256), built outside the work tree's build/."""
    build_dir = tmp_path_factory.mktemp("build")
    zip_path, digest = bundle_tool.build(REPO, build_dir)
    return build_dir / "bundle", zip_path, digest


def _relative_files(directory: Path) -> set[str]:
    return {path.relative_to(directory).as_posix() for path in bundle_tool._source_files(directory)}


def test_bundle_holds_main_the_picklock_package_and_the_schemas(built):
    bundle, _, _ = built
    assert filecmp.cmp(bundle / "main.py", REPO / "functions" / "main.py", shallow=False)
    package, schemas = REPO / "shared" / "picklock", REPO / "schemas"
    assert _relative_files(bundle / "picklock") == \
        _relative_files(package) | {f"_schemas/{name}" for name in _relative_files(schemas)}
    for name in _relative_files(package):
        assert filecmp.cmp(bundle / "picklock" / name, package / name, shallow=False), name
    for name in _relative_files(schemas):
        assert filecmp.cmp(bundle / "picklock" / "_schemas" / name, schemas / name, shallow=False), name
    assert not list(bundle.rglob("__pycache__"))


def test_requirements_pin_every_runtime_dependency_at_the_tested_version(built):
    bundle, _, _ = built
    lines = [line for line in (bundle / "requirements.txt").read_text().splitlines() if not line.startswith("#")]
    pins = dict(line.split("==") for line in lines)
    assert list(pins) == sorted(pins)
    for requirement in bundle_tool.runtime_requirements(REPO / "pyproject.toml"):
        name = bundle_tool.canonicalize_name(requirement.name)
        assert pins[name] == importlib.metadata.version(name)
    for name, version in pins.items():
        assert importlib.metadata.version(name) == version
    assert not {"pytest", "hypothesis", "picklock"} & set(pins)


def test_zip_is_the_bundle_directory_and_is_reproducible(built, tmp_path):
    bundle, zip_path, digest = built
    with zipfile.ZipFile(zip_path) as archive:
        entries = archive.infolist()
        names = [entry.filename for entry in entries]
        assert names == sorted(names)
        assert set(names) == _relative_files(bundle)
        assert {entry.date_time for entry in entries} == {bundle_tool.ZIP_TIMESTAMP}
        for entry in entries:
            assert archive.read(entry) == (bundle / entry.filename).read_bytes()
    assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == digest
    _, again = bundle_tool.build(REPO, tmp_path)
    assert again == digest


def test_bundle_installs_in_a_clean_venv_and_serves_every_entry_point(built, tmp_path):
    bundle, _, _ = built
    venv = tmp_path / "venv"
    environment = isolated_environment()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120, env=environment)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q",
         "-r", str(bundle / "requirements.txt")],
        capture_output=True, text=True, timeout=600, env=environment)
    assert install.returncode == 0, install.stdout + install.stderr

    # The package, its schemas and the GCP clients all load from the bundle and the venv alone.
    check = subprocess.run([python, "-c", (
        "import sys, json; sys.path.insert(0, sys.argv[1])\n"
        "import picklock, picklock.adapters.bigquery_store, picklock.adapters.gcs_publisher, picklock.adapters.pubsub\n"
        "from picklock.adapters import ddl\n"
        "print(json.dumps({'package': picklock.__file__, 'schemas': str(ddl.schema_root()), "
        "'tables': sorted(ddl.load_schema())}))"), str(bundle)],
        capture_output=True, text=True, timeout=120, env=environment, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    loaded = json.loads(check.stdout)
    assert Path(loaded["package"]).is_relative_to(bundle)
    assert Path(loaded["schemas"]) == bundle / "picklock" / "_schemas"
    assert loaded["tables"] == sorted(path.stem for path in (REPO / "schemas" / "bigquery").glob("*.sql"))

    # functions-framework serves each entry point of the bundle's main.py; a poison push is parked.
    report = tmp_path / "parked.json"
    probe = subprocess.run([python, str(HERE / "probe_entry_points.py"), str(bundle / "main.py"),
                            str(tmp_path / "home"), str(report)],
                           capture_output=True, text=True, timeout=120, env=environment, cwd=tmp_path)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    parked = json.loads(report.read_text())
    assert len(parked) == len(topics.TOPICS)
    assert sorted(topic for found in parked.values() for topic in found) == \
        sorted(topics.dead_letter_topic(topic) for topic in topics.TOPICS)
