"""infra/*.tf as data (python-hcl2), plus the little evaluation the drift tests need: string
literals and templates such as "${each.key}-push". No provider is involved: this reads the text."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import hcl2

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"

_INTERPOLATION = re.compile(r"\$\{([^{}]+)\}")
_ESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass(frozen=True)
class TerraformConfig:
    locals: dict
    resources: dict[tuple[str, str], dict]
    variables: dict[str, dict]
    outputs: dict[str, dict]
    text: str  # every .tf file, concatenated

    def resource(self, kind: str, name: str) -> dict:
        return self.resources[(kind, name)]

    def resources_of(self, kind: str) -> dict[str, dict]:
        return {name: body for (k, name), body in self.resources.items() if k == kind}


def load(directory: Path = INFRA) -> TerraformConfig:
    locals_, resources, variables, outputs, texts = {}, {}, {}, {}, []
    for path in sorted(directory.glob("*.tf")):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        parsed = hcl2.loads(text)
        for block in parsed.get("locals", []):
            locals_.update({name: value for name, value in block.items() if not name.startswith("__")})
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                for name, body in named.items():
                    resources[(unquote_key(kind), unquote_key(name))] = body
        for block in parsed.get("variable", []):
            variables.update({unquote_key(name): body for name, body in block.items()})
        for block in parsed.get("output", []):
            outputs.update({unquote_key(name): body for name, body in block.items()})
    return TerraformConfig(locals_, resources, variables, outputs, "\n".join(texts))


def unquote_key(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == '"' else key


def literal(value: str) -> str:
    """The string an HCL string literal stands for; refuses anything with an interpolation."""
    if not (isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"'):
        raise ValueError(f"not a string literal: {value!r}")
    body = value[1:-1]
    if "${" in body:
        raise ValueError(f"not a plain literal (it interpolates): {value!r}")
    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[0]), body)


def render(template: str, **references: str) -> str:
    """Evaluate a string template whose interpolations are all plain references, given by name
    with `_` for `.` (each_key="x" stands for ${each.key}); refuses any other expression."""
    if template.startswith('"') and template.endswith('"'):
        body = template[1:-1]
    elif template.startswith("${") and template.endswith("}"):
        body = template  # a bare expression is a template of one interpolation
    else:
        raise ValueError(f"not a string template: {template!r}")
    known = {name.replace("_", ".", 1): value for name, value in references.items()}

    def substitute(match: re.Match) -> str:
        reference = match[1].strip()
        if reference not in known:
            raise KeyError(f"{template!r}: no value given for {reference}")
        return known[reference]

    return _ESCAPE.sub(lambda m: _ESCAPES.get(m[1], m[0]), _INTERPOLATION.sub(substitute, body))


def reference(value: str) -> str:
    """`local.x` for "${local.x}": the expression of a value that is one interpolation."""
    match = re.fullmatch(r"\$\{([^{}]+)\}", value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not a single reference: {value!r}")
    return match[1].strip()
