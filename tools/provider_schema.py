"""Extract the schema of the providers' resource types that infra/ uses into
infra/provider-schema/google.json, in the layout of `terraform providers schema -json`, offline.

`terraform validate` needs the providers downloaded, which this workplace cannot do. The npm
packages of CDK for Terraform are generated from the very same provider schemas, one package
version per provider version (package.json: cdktf.provider.version), and hold, per resource:
  - the jsii manifest (.jsii): each config struct's properties and whether they are optional, and
    whether a nested block is one struct (max_items 1) or a list of them;
  - lib/<resource>/index.js, whose embedded source map carries the generated TypeScript: the
    *ToHclTerraform functions give the exact snake_case names, which of them are blocks and each
    block's nesting (list, set, or struct = single); the generator's comments
    `// name - computed: B, optional: B, required: B` give the computed flag, and the
    attributes that are computed only (which no config may set).

Only the resource types (and data sources) that infra/*.tf uses are extracted, each from the
provider that infra/ gives it (its `provider` meta-argument, or the prefix of its type).
The provider versions are the exact ones pinned in infra/versions.tf; each must be the version
the npm package was generated from, or this refuses to write anything.

    python tools/provider_schema.py                      # npm pack the packages into a temp dir
    python tools/provider_schema.py --packages DIR       # *.tgz from `npm pack`, or unpacked dirs
    python tools/provider_schema.py --package hashicorp/google=@cdktf/provider-google@16.13.0

`terraform providers schema -json` (run in infra/ after `terraform init`) writes the same layout
and may replace the file: tests/infra/test_provider_schema.py reads either.
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parents[1]
INFRA = REPO / "infra"
OUT = INFRA / "provider-schema" / "google.json"

# npm package generated from each provider version that infra/versions.tf pins (checked against
# the package's own package.json before anything is written).
PACKAGES = {
    "hashicorp/google": "@cdktf/provider-google@16.12.1",        # google 6.50.0
    "hashicorp/google-beta": "@cdktf/provider-google-beta@16.12.1",  # google-beta 6.50.0
    "hashicorp/random": "@cdktf/provider-random@12.0.1",         # random 3.7.2
}
REGISTRY = "registry.terraform.io"
# Arguments cdktf adds to every provider config that are Terraform meta-arguments, not schema.
PROVIDER_META = {"alias"}

_COMMENT = re.compile(r"^\s*// (\w+) - computed: (true|false), optional: (true|false), required: (true|false)$",
                      re.M)
_HCL_ENTRY = re.compile(
    r"^\s*(\w+): \{\s*value: (.*?),\s*isBlock: (true|false),\s*type: \"(\w+)\",\s*"
    r"storageClassType: \"(\w+)\",\s*\},", re.M)
_DECLARATION = re.compile(r"^export (?:declare )?(?:abstract )?(class|interface|function) (\w+)", re.M)
_REPRESENTS = re.compile(r"Represents a \{@link https://registry\.terraform\.io/providers/[\w-]+/[\w-]+/[\w.]+/docs"
                         r"(?:/(resources|data-sources)/\w+)? ([\w-]+)\}")
_SIMPLE = {"string": "string", "number": "number", "boolean": "bool"}
_ELEMENT = {"stringList": "string", "numberList": "number", "booleanList": "bool",
            "stringMap": "string", "numberMap": "number", "booleanMap": "bool", "anyMap": "dynamic"}


class SchemaError(Exception):
    pass


# -- what infra/ uses -----------------------------------------------------------------------------

def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def _reference(value) -> str | None:
    """`google-beta` for provider = google-beta ("${google-beta}" once parsed)."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\$\{([\w.-]+)\}", value)
    return (match[1] if match else _unquote(value)).split(".")[0]


def used_types(infra: Path) -> tuple[dict[str, str], dict[str, dict[str, set[str]]]]:
    """({local provider name: source}, {local name: {"resource"|"data": types}})."""
    sources: dict[str, str] = {}
    used: dict[str, dict[str, set[str]]] = {}
    for path in sorted(infra.glob("*.tf")):
        parsed = hcl2.loads(path.read_text(encoding="utf-8"))
        for terraform in parsed.get("terraform", []):
            for required in terraform.get("required_providers", []):
                for name, spec in required.items():
                    if not name.startswith("__") and isinstance(spec, dict):
                        sources[name] = _unquote(spec["source"]).lower()
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for type_, named in block.items():
                    if type_.startswith("__"):
                        continue
                    type_ = _unquote(type_)
                    for body in named.values():
                        if not isinstance(body, dict):
                            continue
                        local = _reference(body.get("provider")) or type_.split("_")[0]
                        used.setdefault(local, {"resource": set(), "data": set()})[kind].add(type_)
    return sources, used


def pinned_versions(infra: Path) -> dict[str, str]:
    """{source: version} of required_providers; each must be an exact version."""
    pins = {}
    for path in sorted(infra.glob("*.tf")):
        for terraform in hcl2.loads(path.read_text(encoding="utf-8")).get("terraform", []):
            for required in terraform.get("required_providers", []):
                for name, spec in required.items():
                    if name.startswith("__") or not isinstance(spec, dict):
                        continue
                    version = _unquote(str(spec.get("version", "")))
                    exact = re.fullmatch(r"=?\s*(\d+\.\d+\.\d+)", version.strip())
                    if not exact:
                        raise SchemaError(f"{path.name}: provider {name} must be pinned to one exact version "
                                          f"(version = \"x.y.z\"), not {version!r}")
                    pins[_unquote(spec["source"]).lower()] = exact[1]
    return pins


# -- the npm packages -----------------------------------------------------------------------------

@dataclass
class Package:
    """One unpacked (or still packed) @cdktf/provider-* package: reads files under package/."""
    root: Path  # an unpacked directory holding package.json, or a .tgz
    _members: dict[str, bytes] = field(default_factory=dict)

    def read(self, path: str) -> bytes:
        if self.root.is_dir():
            return (self.root / path).read_bytes()
        if path not in self._members:
            self._load(lambda name: name == path)
        if path not in self._members:
            raise FileNotFoundError(f"{self.root}: no {path}")
        return self._members[path]

    def read_tree(self, directory: str) -> dict[str, bytes]:
        """Every .js file under directory/ (a resource's index.js and its index-structs/*.js)."""
        if self.root.is_dir():
            return {str(p.relative_to(self.root)): p.read_bytes()
                    for p in sorted((self.root / directory).rglob("*.js"))}
        prefix = directory.rstrip("/") + "/"
        if not any(name.startswith(prefix) for name in self._members):
            self._load(lambda name: name.startswith(prefix) and name.endswith(".js"))
        return {name: data for name, data in sorted(self._members.items()) if name.startswith(prefix)}

    def preload(self, directories: list[str]) -> None:
        """One pass over the archive for every directory still missing."""
        if self.root.is_dir():
            return
        prefixes = tuple(d.rstrip("/") + "/" for d in directories)
        self._load(lambda name: name.startswith(prefixes) and name.endswith(".js"))

    def _load(self, wanted) -> None:
        with tarfile.open(self.root, "r|gz") as archive:
            for member in archive:
                name = member.name.split("/", 1)[1] if "/" in member.name else member.name
                if member.isfile() and wanted(name):
                    self._members[name] = archive.extractfile(member).read()


def find_packages(directory: Path) -> dict[str, Package]:
    """{npm package name: Package} of the *.tgz and unpacked packages in directory."""
    found = {}
    for candidate in sorted(directory.iterdir()):
        if candidate.suffix == ".tgz":
            package = Package(candidate)
        elif (candidate / "package.json").is_file():
            package = Package(candidate)
        elif (candidate / "package" / "package.json").is_file():
            package = Package(candidate / "package")
        else:
            continue
        found[json.loads(package.read("package.json"))["name"]] = package
    return found


def npm_pack(specs: list[str], directory: Path) -> None:
    subprocess.run(["npm", "pack", "--silent", "--pack-destination", str(directory), *specs],
                   check=True, stdout=subprocess.DEVNULL)


# -- the generated TypeScript ---------------------------------------------------------------------

@dataclass
class Source:
    """The TypeScript a resource's package directory was compiled from, split by declaration."""
    sections: dict[str, str]

    @classmethod
    def of(cls, files: dict[str, bytes]) -> "Source":
        sections = {}
        for name, data in files.items():
            match = re.search(rb"sourceMappingURL=data:application/json;base64,([A-Za-z0-9+/=]+)", data)
            if not match:
                continue
            for text in json.loads(base64.b64decode(match[1])).get("sourcesContent") or []:
                starts = list(_DECLARATION.finditer(text))
                for here, after in zip(starts, starts[1:] + [None]):
                    sections[here[2]] = text[here.start(): after.start() if after else len(text)]
        if not sections:
            raise SchemaError(f"no TypeScript source map in {sorted(files)}")
        return cls(sections)

    def section(self, name: str) -> str:
        if name not in self.sections:
            raise SchemaError(f"no declaration {name} in the generated source")
        return self.sections[name]

    def hcl_entries(self, section: str) -> dict[str, tuple[str, bool, str, str]]:
        """{snake name: (value expression, is block, type, storage class)} of a *ToHclTerraform
        function or a synthesizeHclAttributes method."""
        text = self.section(section)
        if "synthesizeHclAttributes" in text:
            text = text[text.index("synthesizeHclAttributes"):]
        return {m[1]: (m[2], m[3] == "true", m[4], m[5]) for m in _HCL_ENTRY.finditer(text)}

    def flags(self, section: str, missing_ok: bool = False) -> dict[str, tuple[bool, bool, bool, str]]:
        """{snake name: (computed, optional, required, code after the comment)} from the
        generator's comments in a resource class or an *OutputReference class (a provider's
        nested blocks have none: nothing can refer to them)."""
        if missing_ok and section not in self.sections:
            return {}
        text = self.section(section)
        found = {}
        for match in _COMMENT.finditer(text):
            following = text[match.end(): match.end() + 600]
            found[match[1]] = (match[2] == "true", match[3] == "true", match[4] == "true", following)
        return found


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


class Extractor:
    def __init__(self, jsii: dict, package: Package, provider: str):
        self.jsii = jsii
        self.package = package
        self.provider = provider
        self.types = jsii["types"]
        self.classes: dict[tuple[str, str], str] = {}  # (kind, terraform type) -> class fqn
        for fqn, spec in self.types.items():
            if spec.get("kind") != "class":
                continue
            match = _REPRESENTS.search(spec.get("docs", {}).get("summary", ""))
            if match:
                kind = {"resources": "resource", "data-sources": "data", None: "provider"}[match[1]]
                self.classes[(kind, match[2])] = fqn

    def directory(self, fqn: str) -> str:
        module = fqn.rsplit(".", 1)[0]
        symbol = self.jsii["submodules"][module]["symbolId"]  # src/pubsub-subscription/index:
        return "lib/" + symbol.split("/")[1]

    def class_of(self, kind: str, type_: str) -> str:
        if (kind, type_) not in self.classes:
            raise SchemaError(f"{self.provider}: no {kind} {type_} in this provider version")
        return self.classes[(kind, type_)]

    def schema(self, kind: str, type_: str) -> dict:
        fqn = self.class_of(kind, type_)
        module, class_name = fqn.rsplit(".", 1)
        source = Source.of(self.package.read_tree(self.directory(fqn)))
        block = self._block(source, module, config=f"{class_name}Config", hcl=class_name, flags=class_name,
                            path=type_, provider=kind == "provider")
        return {"block": block}

    def _block(self, source: Source, module: str, config: str, hcl: str, flags: str, path: str,
               provider: bool = False) -> dict:
        skip = PROVIDER_META if provider else set()
        struct = self.types.get(f"{module}.{config}")
        if struct is None:
            raise SchemaError(f"{path}: no struct {config} in the jsii manifest")
        properties = {p["name"]: p for p in struct.get("properties", [])}
        entries = source.hcl_entries(hcl)
        comments = source.flags(flags, missing_ok=provider and flags.endswith("OutputReference"))
        attributes, block_types = {}, {}
        for name, (value, is_block, kind, storage) in sorted(entries.items()):
            if name in skip:
                continue
            where = f"{path}.{name}"
            camel = re.findall(r"(?:struct!?\.|this\._)(\w+)", value)
            if not camel or camel[-1] not in properties:
                raise SchemaError(f"{where}: no jsii property for {value!r}")
            prop = properties[camel[-1]]
            required = not prop.get("optional", False)
            computed, optional, commented_required, _ = comments.get(name, (False, not required, required, ""))
            if name in comments and commented_required != required:
                raise SchemaError(f"{where}: jsii says required={required}, the source's comment says "
                                  f"{commented_required}")
            if is_block:
                block_types[name] = self._block_type(source, module, value, kind, storage, prop, required, where,
                                                     provider)
            else:
                attributes[name] = {"type": self._input_type(kind, storage, where), "required": required,
                                    "optional": not required, "computed": computed}
        for name, (computed, optional, required, code) in sorted(comments.items()):
            if name in entries or name in skip:
                continue
            if not computed or optional or required:
                raise SchemaError(f"{path}.{name}: commented as settable but absent from {hcl}")
            attributes[name] = {"type": self._computed_type(source, code, f"{path}.{name}"),
                                "required": False, "optional": False, "computed": True}
        block = {}
        if attributes:
            block["attributes"] = dict(sorted(attributes.items()))
        if block_types:
            block["block_types"] = dict(sorted(block_types.items()))
        return block

    def _block_type(self, source: Source, module: str, value: str, kind: str, storage: str, prop: dict,
                    required: bool, where: str, provider: bool) -> dict:
        function = re.search(r"\b(\w+)ToHclTerraform\b", value.replace("cdktf.listMapperHcl(", ""))
        if not function or function[1].startswith("cdktf"):
            raise SchemaError(f"{where}: block without a struct function: {value!r}")
        struct = _upper_first(function[1])
        many = "listMapperHcl(" in value
        # jsii agrees: a block of at most one is a struct property, any other a list of structs.
        jsii_many = "collection" in json.dumps(prop["type"])
        if many != jsii_many:
            raise SchemaError(f"{where}: the source maps {'many' if many else 'one'}, jsii says "
                              f"{'many' if jsii_many else 'one'}")
        if kind == "struct":
            nesting, max_items = "single", None
        elif kind in ("list", "set"):
            nesting, max_items = kind, (None if many else 1)
        else:
            raise SchemaError(f"{where}: unknown block type {kind!r} ({storage})")
        inner = self._block(source, module, config=struct, hcl=function[1] + "ToHclTerraform",
                            flags=f"{struct}OutputReference", path=where, provider=provider)
        result = {"nesting_mode": nesting, "block": inner}
        if nesting != "single":
            if required:
                result["min_items"] = 1
            if max_items:
                result["max_items"] = max_items
        return result

    @staticmethod
    def _input_type(kind: str, storage: str, where: str):
        if kind == "simple" and storage in _SIMPLE:
            return _SIMPLE[storage]
        if kind in ("list", "set") and storage.endswith("List") and storage in _ELEMENT:
            return [kind, _ELEMENT[storage]]
        if kind == "map" and storage in _ELEMENT:
            return ["map", _ELEMENT[storage]]
        raise SchemaError(f"{where}: unknown attribute type {kind!r}/{storage!r}")

    def _computed_type(self, source: Source, code: str, where: str):
        code = code.split("\n  }", 1)[0]  # the getter or field after the comment
        checks = [
            (r"getStringAttribute\(", "string"),
            (r"getNumberAttribute\(", "number"),
            (r"getBooleanAttribute\(", "bool"),
            (r"Fn\.tolist\(this\.getNumberListAttribute\(", ["set", "number"]),
            (r"getNumberListAttribute\(", ["list", "number"]),
            (r"Fn\.tolist\(this\.getListAttribute\(", ["set", "string"]),
            (r"getListAttribute\(", ["list", "string"]),
            (r"new cdktf\.StringMap\(|getStringMapAttribute\(", ["map", "string"]),
            (r"new cdktf\.NumberMap\(|getNumberMapAttribute\(", ["map", "number"]),
            (r"new cdktf\.BooleanMap\(|getBooleanMapAttribute\(", ["map", "bool"]),
            (r"new cdktf\.AnyMap\(|getAnyMapAttribute\(", ["map", "dynamic"]),
        ]
        for pattern, type_ in checks:
            if re.search(pattern, code):
                return type_
        nested = re.search(r"new (\w+)List\(this, \"\w+\", (true|false)\)", code)
        if nested:
            return ["set" if nested[2] == "true" else "list", self._object(source, nested[1], where)]
        single = re.search(r"new (\w+)OutputReference\(this, \"\w+\"\)", code)
        if single:
            return self._object(source, single[1], where)
        raise SchemaError(f"{where}: unknown computed attribute code: {code.strip()[:200]!r}")

    def _object(self, source: Source, struct: str, where: str) -> list:
        members = {}
        for name, (_, _, _, code) in sorted(source.flags(f"{struct}OutputReference").items()):
            members[name] = self._computed_type(source, code, f"{where}.{name}")
        return ["object", members]


# -- the whole file -------------------------------------------------------------------------------

def generate(infra: Path, packages: dict[str, Package], package_specs: dict[str, str]) -> dict:
    sources, used = used_types(infra)
    pins = pinned_versions(infra)
    schemas, generated_from = {}, {}
    for local in sorted(used):
        source = sources.get(local, f"hashicorp/{local}")
        if source not in package_specs:
            raise SchemaError(f"no npm package known for provider {source} (--package {source}=@cdktf/...)")
        spec = package_specs[source]
        name = spec.rsplit("@", 1)[0]
        if name not in packages:
            raise SchemaError(f"package {name} not found among {sorted(packages)}")
        package = packages[name]
        meta = json.loads(package.read("package.json"))
        built_from = meta["cdktf"]["provider"]
        address = f"{REGISTRY}/{source}"
        if built_from["name"] != address:
            raise SchemaError(f"{name} is generated from {built_from['name']}, not {address}")
        if source not in pins:
            raise SchemaError(f"infra/ uses provider {source} without pinning it in required_providers")
        if built_from["version"] != pins[source]:
            raise SchemaError(f"infra/ pins {source} {pins[source]}, but {name}@{meta['version']} is generated "
                              f"from {built_from['version']}: pass the package of that version (--package)")
        jsii = json.loads(package.read(".jsii"))
        extractor = Extractor(jsii, package, source)
        wanted = [("provider", local)] + [(kind, t) for kind in ("resource", "data") for t in sorted(used[local][kind])]
        package.preload([extractor.directory(extractor.class_of(kind, t)) for kind, t in wanted])
        provider_schema = {"provider": extractor.schema("provider", source.split("/")[1])}
        for kind, key in (("resource", "resource_schemas"), ("data", "data_source_schemas")):
            if used[local][kind]:
                provider_schema[key] = {t: extractor.schema(kind, t) for t in sorted(used[local][kind])}
        schemas[address] = provider_schema
        generated_from[address] = {"version": built_from["version"], "npm_package": f"{name}@{meta['version']}"}
    return {"format_version": "1.0", "provider_schemas": schemas, "generated_from": generated_from}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--infra", type=Path, default=INFRA, help="the Terraform directory (default: infra/)")
    parser.add_argument("--out", type=Path, default=OUT, help="the JSON file to write")
    parser.add_argument("--packages", type=Path,
                        help="directory of `npm pack` tarballs or unpacked packages "
                             "(default: npm pack them into a temp dir)")
    parser.add_argument("--package", action="append", default=[], metavar="SOURCE=NPM_SPEC",
                        help="npm package of a provider, e.g. hashicorp/google=@cdktf/provider-google@16.12.1")
    args = parser.parse_args(argv)
    specs = dict(PACKAGES)
    for item in args.package:
        source, _, spec = item.partition("=")
        specs[source.lower()] = spec
    try:
        with tempfile.TemporaryDirectory(prefix="provider-schema-") as temporary:
            directory = args.packages
            if directory is None:
                directory = Path(temporary)
                sources, used = used_types(args.infra)
                needed = sorted({specs[sources.get(local, f"hashicorp/{local}")] for local in used
                                 if sources.get(local, f"hashicorp/{local}") in specs})
                npm_pack(needed, directory)
            document = generate(args.infra, find_packages(directory), specs)
    except SchemaError as error:
        print(f"provider_schema: {error}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    counts = {address: len(s.get("resource_schemas", {})) + len(s.get("data_source_schemas", {}))
              for address, s in document["provider_schemas"].items()}
    shown = args.out.resolve().relative_to(REPO) if args.out.resolve().is_relative_to(REPO) else args.out
    print(f"wrote {shown} ({args.out.stat().st_size // 1024} kB): {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
