"""Trim Digital River's OpenAPI document to what the customer family needs.

Reads DR's OpenAPI 3.0.1 document (``openapi-2021-12-13.json``) and writes
``tests/fixtures/dr-openapi-2021-12-13.trimmed.json``: the customer, source, tax-identifier and
file paths, the component schemas they reach through ``$ref`` (transitively), the security
schemes, and nothing else. Descriptions, summaries and examples are dropped; a schema *property*
that happens to be called ``description``, ``summary`` or ``example`` is kept.

The output is deterministic (sorted keys, indent 1, trailing newline), so re-running the script
on the same input gives the same bytes. ``--check`` compares instead of writing.

    .venv/bin/python scripts/trim_dr_openapi.py [SOURCE] [--output PATH] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "digitalriver" / "openapi-2021-12-13.json"
DEFAULT_OUTPUT = REPO / "tests" / "fixtures" / "dr-openapi-2021-12-13.trimmed.json"

KEPT_PATHS = (
    "/customers",
    "/customers/{id}",
    "/customers/{id}/sources/{sourceId}",
    "/customers/{id}/tax-identifiers/{taxId}",
    "/sources",
    "/sources/{id}",
    "/tax-identifiers",
    "/tax-identifiers/{id}",
    "/files",
    "/files/{id}",
    "/files/{id}/content",
)

# Documentation-only keywords. Removed wherever they are keywords, never where they are names.
PROSE_KEYWORDS = frozenset({"description", "summary", "example", "examples", "externalDocs"})

# Objects whose keys are names chosen by the document's author (property names, status codes,
# media types, header names, ...), not OpenAPI keywords: their keys are never removed.
NAME_MAPS = frozenset(
    {
        "paths",
        "properties",
        "patternProperties",
        "responses",
        "content",
        "headers",
        "encoding",
        "schemas",
        "securitySchemes",
        "parameters",  # components.parameters; operation parameters are a list
        "requestBodies",
        "links",
        "callbacks",
        "variables",
        "mapping",
    }
)

COMPONENT_SCHEMA_PREFIX = "#/components/schemas/"


def strip_prose(node: Any) -> Any:
    """A copy of ``node`` without documentation keywords."""
    if isinstance(node, list):
        return [strip_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE_KEYWORDS:
            continue
        if key in NAME_MAPS and isinstance(value, dict):
            result[key] = {name: strip_prose(child) for name, child in value.items()}
        else:
            result[key] = strip_prose(value)
    return result


def refs_in(node: Any) -> set[str]:
    """Every ``$ref`` value inside ``node``."""
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key == "$ref" and isinstance(value, str):
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(current)
    return found


def reachable_schemas(document: dict[str, Any], roots: Any) -> set[str]:
    """Names of the component schemas that ``roots`` reaches, transitively."""
    schemas = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    pending = sorted(refs_in(roots))
    while pending:
        ref = pending.pop()
        if not ref.startswith(COMPONENT_SCHEMA_PREFIX):
            raise ValueError(
                f"unsupported $ref {ref!r}: only {COMPONENT_SCHEMA_PREFIX}* is handled"
            )
        name = ref.removeprefix(COMPONENT_SCHEMA_PREFIX)
        if name in seen:
            continue
        if name not in schemas:
            raise ValueError(f"$ref {ref!r} points at a schema the document lacks")
        seen.add(name)
        pending.extend(sorted(refs_in(schemas[name])))
    return seen


def trim(document: dict[str, Any], source_sha256: str | None = None) -> dict[str, Any]:
    """The trimmed document."""
    missing = [path for path in KEPT_PATHS if path not in document.get("paths", {})]
    if missing:
        raise ValueError(f"the document lacks the paths {missing}")
    paths = {path: strip_prose(document["paths"][path]) for path in KEPT_PATHS}
    names = reachable_schemas(document, paths)
    components = document.get("components", {})
    trimmed: dict[str, Any] = {
        "openapi": document["openapi"],
        "info": {
            "title": document.get("info", {}).get("title", ""),
            "version": document.get("info", {}).get("version", ""),
        },
        "servers": [{"url": "https://api.digitalriver.com"}],
        "paths": paths,
        "components": {
            "schemas": {name: strip_prose(components["schemas"][name]) for name in sorted(names)},
            "securitySchemes": strip_prose(components.get("securitySchemes", {})),
        },
    }
    if source_sha256:
        trimmed["x-trimmed-from"] = {
            "file": "openapi-2021-12-13.json",
            "sha256": source_sha256,
            "by": "scripts/trim_dr_openapi.py",
        }
    return trimmed


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the output file is not up to date"
    )
    args = parser.parse_args(argv)

    raw = args.source.read_bytes()
    text = render(trim(json.loads(raw), hashlib.sha256(raw).hexdigest()))
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is out of date; run {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(text)} characters)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
