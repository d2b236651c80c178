"""Check requests and responses against Digital River's OpenAPI document (trimmed fixture).

The fixture ``tests/fixtures/dr-openapi-2021-12-13.trimmed.json`` is written by
``scripts/trim_dr_openapi.py`` from DR's OpenAPI 3.0.1 document. Nothing here reads anything
outside the repository.

OpenAPI 3.0 is translated to JSON Schema (validated with ``jsonschema``'s Draft 7 validator,
whose ``$ref`` semantics -- siblings ignored -- match OpenAPI 3.0):

- ``nullable: true`` adds ``null`` to ``type`` (and to ``enum``).
- ``$ref: "#/components/schemas/X"`` resolves into the document's component schemas.
- ``readOnly`` properties must not appear in a request; ``writeOnly`` ones not in a response.
  Neither counts as ``required`` where it may not appear.
- ``additionalProperties`` is honoured as declared. In *requests* an object schema that lists
  ``properties`` but says nothing about ``additionalProperties`` is closed
  (``strict_request_properties``, on by default): DR answers an undeclared field with
  ``400 unknown_parameter`` ("'price' is an unknown parameter."), so sending one is a client bug.
  Responses stay open: DR adds fields without a new API version, and a client must tolerate them.
- ``format``: ``date-time`` (RFC 3339; DR writes UTC with ``Z``), ``email`` (the project's
  ``email-validator``, syntax only), ``uuid`` (8-4-4-4-12 hex), ``integer`` (DR's own format on
  ``number`` fields: a whole number), ``int32``/``int64`` (ranges). Other formats (``double``,
  ``binary``) are not checked.
- Query parameters are decoded by ``style``/``explode``: ``deepObject`` (``createdTime[gt]=...``;
  a bare ``createdTime=...`` is also accepted, as DR documents, and the operators of a date-time
  filter must be ``eq``/``gt``/``gte``/``lt``/``lte``), ``form`` arrays (comma list when
  ``explode: false``, repeated names otherwise), integers, numbers and booleans
  (``true``/``false``).
  Undeclared query parameters and repeated scalar ones are reported.

Known gaps in DR's document, accepted on purpose (see ``KNOWN_SPEC_GAPS``):

- ``GET /files/{id}/content`` declares a JSON ``FileContent`` body for 200, but DR returns the
  file itself (its own ``content-type`` and a ``content-disposition``); any non-JSON body passes.
- ``GET /files/{id}/content`` declares no 401, although DR documents a 401 for a wrong key.

Two layers: ``check_request``/``check_response`` return ``Problem`` objects (with the keyword,
location and names that the emulator turns into DR error bodies); ``validate_request`` and
``validate_response`` return plain violation strings.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

from email_validator import EmailNotValidError, validate_email
from jsonschema import Draft7Validator, FormatChecker, ValidationError, validators
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "dr-openapi-2021-12-13.trimmed.json"

REQUEST = "request"
RESPONSE = "response"
_BASE_URI = {REQUEST: "urn:dr-openapi:request", RESPONSE: "urn:dr-openapi:response"}
_COMPONENT_PREFIX = "#/components/schemas/"
_HIDDEN = "x-dr-hidden"  # our keyword: the property may not appear in this direction
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# (operationId, status) pairs DR's document gets wrong; see the module docstring.
KNOWN_SPEC_GAPS: dict[tuple[str, int], str] = {
    ("downloadFiles", 200): "any-content-type",
    ("downloadFiles", 401): "errors-body",
}
DATE_TIME_OPERATORS = frozenset({"eq", "gt", "gte", "lt", "lte"})


class _NoBody:
    """Marks an absent body (JSON ``null`` is a body)."""

    def __repr__(self) -> str:
        return "NO_BODY"


NO_BODY: Any = _NoBody()


@dataclass(frozen=True)
class Problem:
    """One way a request or response breaks the document."""

    where: str  # "request body", "query 'limit'", "path 'sourceId'", "response 201 body", ...
    keyword: str  # the JSON Schema keyword, or: operation, status, content-type, body, query
    message: str
    location: tuple[str | int, ...] = ()
    names: tuple[str, ...] = ()  # required: the missing name; additionalProperties: unexpected
    value: Any = field(default=None, compare=False)  # the keyword's value (format name, type...)

    @property
    def dotted(self) -> str:
        """The location as DR writes parameters: ``shipping.address.country``."""
        return dotted(self.location)

    def __str__(self) -> str:
        at = f" at {self.dotted}" if self.location else ""
        return f"{self.where}{at}: {self.message}"


def dotted(location: Iterable[str | int]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


# --- formats ---------------------------------------------------------------------------------

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def is_date_time(value: str) -> bool:
    """RFC 3339 date-time (what OpenAPI's ``date-time`` means)."""
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_email(value: str) -> bool:
    """DR's ``format: email``: the syntax of an address; DR holds addresses at special-use
    domains (``orders@warehouse.local``), which email-validator refuses by itself."""
    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        return "special-use or reserved name" in str(error)
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def _date_time(instance: object) -> bool:
        return not isinstance(instance, str) or is_date_time(instance)

    @checker.checks("email")
    def _email(instance: object) -> bool:
        return not isinstance(instance, str) or is_email(instance)

    @checker.checks("uuid")
    def _uuid(instance: object) -> bool:
        return not isinstance(instance, str) or bool(_UUID.match(instance))

    @checker.checks("integer")
    def _integer(instance: object) -> bool:
        if isinstance(instance, bool) or not isinstance(instance, int | float):
            return True
        return float(instance).is_integer()

    @checker.checks("int32")
    def _int32(instance: object) -> bool:
        if isinstance(instance, bool) or not isinstance(instance, int):
            return True
        return -(2**31) <= instance < 2**31

    @checker.checks("int64")
    def _int64(instance: object) -> bool:
        if isinstance(instance, bool) or not isinstance(instance, int):
            return True
        return -(2**63) <= instance < 2**63

    return checker


def _hidden(validator: Any, reason: str, instance: Any, schema: Any) -> Iterable[ValidationError]:
    yield ValidationError(f"is {reason}")


_Validator = validators.extend(Draft7Validator, {_HIDDEN: _hidden})


# --- the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    template: str  # "/customers/{id}"
    spec: Mapping[str, Any]
    path_params: Mapping[str, str]

    @property
    def operation_id(self) -> str:
        return str(self.spec.get("operationId", f"{self.method} {self.template}"))

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"


class OpenApiSchema:
    """DR's (trimmed) OpenAPI document, ready to check traffic."""

    def __init__(self, document: Mapping[str, Any], *, strict_request_properties: bool = True):
        self.document = document
        self.strict_request_properties = strict_request_properties
        self._components: Mapping[str, Any] = document.get("components", {}).get("schemas", {})
        self._checker = _format_checker()
        resources = []
        for mode in (REQUEST, RESPONSE):
            converted = {
                name: self._convert(schema, mode) for name, schema in self._components.items()
            }
            contents = {"components": {"schemas": converted}}
            resources.append((_BASE_URI[mode], Resource(contents=contents, specification=DRAFT7)))
        self._registry: Registry = Registry().with_resources(resources)
        self._validators: dict[tuple[str, str], Any] = {}
        self._routes = self._build_routes(document.get("paths", {}))

    @classmethod
    def load(cls, path: Path = FIXTURE, **options: Any) -> OpenApiSchema:
        return cls(json.loads(path.read_text(encoding="utf-8")), **options)

    # -- OpenAPI -> JSON Schema

    def _deref(self, schema: Any) -> Any:
        while isinstance(schema, Mapping) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith(_COMPONENT_PREFIX):
                return schema
            schema = self._components.get(ref.removeprefix(_COMPONENT_PREFIX), {})
        return schema

    def _convert(self, schema: Any, mode: str) -> Any:
        if not isinstance(schema, Mapping):
            return schema
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key == "$ref":
                if not value.startswith(_COMPONENT_PREFIX):
                    raise ValueError(f"unsupported $ref {value!r}")
                out[key] = _BASE_URI[mode] + value
            elif key == "properties":
                out[key] = {name: self._convert(sub, mode) for name, sub in value.items()}
            elif key in ("items", "not") or (key == "additionalProperties" and value is not True):
                out[key] = self._convert(value, mode)
            elif key in ("allOf", "anyOf", "oneOf"):
                out[key] = [self._convert(sub, mode) for sub in value]
            elif key in ("nullable", "readOnly", "writeOnly", "discriminator", "xml", "deprecated"):
                continue
            else:
                out[key] = copy.deepcopy(value)
        if schema.get("nullable") is True:
            if "$ref" in out:
                out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
            if isinstance(out.get("type"), str):
                out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            flag = "readOnly" if mode == REQUEST else "writeOnly"
            reason = (
                "read-only and must not be sent in a request"
                if mode == REQUEST
                else "write-only and must not appear in a response"
            )
            hidden = [n for n, sub in properties.items() if self._deref(sub).get(flag) is True]
            for name in hidden:
                out["properties"][name] = {_HIDDEN: reason}
            if hidden and "required" in out:
                out["required"] = [n for n in out["required"] if n not in hidden]
            if (
                mode == REQUEST
                and self.strict_request_properties
                and "additionalProperties" not in schema
            ):
                out["additionalProperties"] = False
        return out

    def _validator(self, schema: Mapping[str, Any], mode: str) -> Any:
        key = (json.dumps(schema, sort_keys=True), mode)
        validator = self._validators.get(key)
        if validator is None:
            validator = _Validator(
                self._convert(schema, mode),
                registry=self._registry,
                format_checker=self._checker,
            )
            self._validators[key] = validator
        return validator

    def schema_problems(
        self, schema: Mapping[str, Any], instance: Any, *, mode: str, where: str
    ) -> list[Problem]:
        """Problems of ``instance`` against an OpenAPI ``schema`` (request or response rules)."""
        problems = []
        for error in self._validator(schema, mode).iter_errors(instance):
            problems.extend(_problems_from(error, where))
        return sorted(problems, key=lambda p: (p.where, dotted(p.location), p.message))

    def component(self, name: str) -> Mapping[str, Any]:
        return {"$ref": _COMPONENT_PREFIX + name}

    # -- routing

    @staticmethod
    def _build_routes(paths: Mapping[str, Any]) -> list[tuple[re.Pattern[str], str]]:
        routes = []
        for template in paths:
            pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            routes.append((re.compile(f"^{pattern}$"), template))
        # literal segments beat parameters: fewer parameters first
        routes.sort(key=lambda route: (route[1].count("{"), route[1]))
        return routes

    def match_path(self, path: str) -> tuple[str, dict[str, str]] | None:
        for pattern, template in self._routes:
            found = pattern.match(path)
            if found:
                return template, {k: unquote(v) for k, v in found.groupdict().items()}
        return None

    def operation(self, method: str, path: str) -> Operation | None:
        matched = self.match_path(path)
        if matched is None:
            return None
        template, params = matched
        spec = self.document["paths"][template].get(method.lower())
        if spec is None:
            return None
        return Operation(method.upper(), template, spec, params)

    def _operation_problems(self, method: str, path: str) -> tuple[Operation | None, list[Problem]]:
        matched = self.match_path(path)
        if matched is None:
            return None, [
                Problem("operation", "operation", f"no path in the document matches {path}")
            ]
        template, params = matched
        item = self.document["paths"][template]
        spec = item.get(method.lower())
        if spec is None:
            allowed = ", ".join(m.upper() for m in _HTTP_METHODS if m in item)
            return None, [
                Problem(
                    "operation",
                    "operation",
                    f"{method.upper()} {template} is not declared (allowed: {allowed})",
                )
            ]
        return Operation(method.upper(), template, spec, params), []

    # -- requests

    def check_request(
        self,
        method: str,
        path: str,
        *,
        query: str | Mapping[str, Any] | Iterable[tuple[str, str]] | None = None,
        body: Any = NO_BODY,
        content_type: str | None = "application/json",
    ) -> list[Problem]:
        """Problems of one request. ``body`` is the parsed JSON (or, for multipart, the form
        fields with files as strings); leave it out when the request has no body."""
        operation, problems = self._operation_problems(method, path)
        if operation is None:
            return problems
        parameters = [*operation.spec.get("parameters", [])]
        for parameter in parameters:
            if parameter.get("in") != "path":
                continue
            name = parameter["name"]
            if name not in operation.path_params:
                problems.append(Problem(f"path '{name}'", "required", "is missing"))
                continue
            problems += self.schema_problems(
                parameter.get("schema", {}),
                operation.path_params[name],
                mode=REQUEST,
                where=f"path '{name}'",
            )
        problems += self._query_problems(parameters, _query_pairs(query))
        problems += self._request_body_problems(operation, body, content_type)
        return problems

    def _query_problems(
        self, parameters: list[Mapping[str, Any]], pairs: list[tuple[str, str]]
    ) -> list[Problem]:
        declared = {p["name"]: p for p in parameters if p.get("in") == "query"}
        grouped: dict[str, list[tuple[str | None, str]]] = {}
        problems: list[Problem] = []
        for key, value in pairs:
            deep = re.fullmatch(r"([^\[\]]+)\[([^\[\]]*)\]", key)
            if deep and declared.get(deep[1], {}).get("style") == "deepObject":
                grouped.setdefault(deep[1], []).append((deep[2], value))
            else:
                grouped.setdefault(key, []).append((None, value))
        for name in grouped:
            if name not in declared:
                problems.append(
                    Problem(f"query '{name}'", "query", "is not a declared query parameter")
                )
        for name, parameter in declared.items():
            where = f"query '{name}'"
            if name not in grouped:
                if parameter.get("required"):
                    problems.append(Problem(where, "required", "is required"))
                continue
            instance, decode_problems = _decode_query(parameter, grouped[name], where)
            problems += decode_problems
            if decode_problems:
                continue
            schema = parameter.get("schema", {})
            if isinstance(instance, _Bare):
                schema = schema.get("additionalProperties", {})
                instance = instance.value
            found = self.schema_problems(schema, instance, mode=REQUEST, where=where)
            if parameter.get("style") == "deepObject":  # createdTime[gt], as the client wrote it
                found = [
                    replace(p, where=f"query '{name}[{p.location[0]}]'", location=p.location[1:])
                    if p.location
                    else p
                    for p in found
                ]
            problems += found
        return problems

    def _request_body_problems(
        self, operation: Operation, body: Any, content_type: str | None
    ) -> list[Problem]:
        request_body = operation.spec.get("requestBody")
        if body is NO_BODY:
            if request_body and request_body.get("required"):
                return [Problem("request body", "body", "is required but missing")]
            return []
        if not request_body:
            return [Problem("request body", "body", f"{operation.label} takes no request body")]
        media = _media_type(content_type)
        content = {k.lower(): v for k, v in request_body.get("content", {}).items()}
        if media not in content:
            return [
                Problem(
                    "request body",
                    "content-type",
                    f"content type {content_type!r} is not declared "
                    f"(declared: {', '.join(sorted(content))})",
                )
            ]
        schema = content[media].get("schema")
        if schema is None:
            return []
        return self.schema_problems(schema, body, mode=REQUEST, where="request body")

    # -- responses

    def check_response(
        self,
        method: str,
        path: str,
        status: int,
        *,
        body: Any = NO_BODY,
        content_type: str | None = "application/json",
        allow_undeclared_status: bool = False,
    ) -> list[Problem]:
        """Problems of one response. ``body`` is the parsed JSON (raw bytes for a non-JSON
        body); leave it out for an empty body. With ``allow_undeclared_status`` a status the
        operation does not declare is accepted as long as the body is DR's ``Errors``."""
        operation = self.operation(method, path)
        if operation is None:
            return [Problem("operation", "operation", f"{method.upper()} {path} is not declared")]
        responses = operation.spec.get("responses", {})
        where = f"response {status}"
        declared = None
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                declared = responses[key]
                break
        gap = KNOWN_SPEC_GAPS.get((operation.operation_id, status))
        if declared is None:
            if not (allow_undeclared_status or gap == "errors-body"):
                return [
                    Problem(
                        where,
                        "status",
                        f"status {status} is not declared for {operation.label} "
                        f"(declared: {', '.join(sorted(responses))})",
                    )
                ]
            declared = {"content": {"application/json": {"schema": self.component("Errors")}}}
        content = {k.lower(): v for k, v in (declared.get("content") or {}).items()}
        if not content:
            if body is NO_BODY or body in (b"", ""):
                return []
            return [Problem(f"{where} body", "body", "must be empty")]
        if body is NO_BODY:
            return [Problem(f"{where} body", "body", "is missing")]
        media = _media_type(content_type)
        if media not in content:
            if gap == "any-content-type" and media != "application/json":
                return []
            return [
                Problem(
                    f"{where} body",
                    "content-type",
                    f"content type {content_type!r} is not declared "
                    f"(declared: {', '.join(sorted(content))})",
                )
            ]
        schema = content[media].get("schema")
        if schema is None:
            return []
        return self.schema_problems(schema, body, mode=RESPONSE, where=f"{where} body")

    # -- strings

    def validate_request(self, method: str, path: str, **kwargs: Any) -> list[str]:
        """Violations (strings) of one request; see ``check_request``."""
        prefix = f"{method.upper()} {path}"
        return [f"{prefix}: {p}" for p in self.check_request(method, path, **kwargs)]

    def validate_response(self, method: str, path: str, status: int, **kwargs: Any) -> list[str]:
        """Violations (strings) of one response; see ``check_response``."""
        prefix = f"{method.upper()} {path} -> {status}"
        return [f"{prefix}: {p}" for p in self.check_response(method, path, status, **kwargs)]


# --- helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bare:
    """A deepObject parameter sent as a bare value (``createdTime=...``)."""

    value: Any


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _query_pairs(query: Any) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    if isinstance(query, str):
        return parse_qsl(query, keep_blank_values=True)
    if isinstance(query, Mapping):
        pairs = []
        for key, value in query.items():
            values = value if isinstance(value, list | tuple) else [value]
            pairs += [(key, str(v)) for v in values]
        return pairs
    return [(str(k), str(v)) for k, v in query]


def _scalar(schema: Mapping[str, Any], raw: str, where: str) -> tuple[Any, list[Problem]]:
    kind = schema.get("type")
    if kind == "integer":
        if re.fullmatch(r"-?\d+", raw):
            return int(raw), []
        return raw, [Problem(where, "type", f"{raw!r} is not an integer", value="integer")]
    if kind == "number":
        try:
            return float(raw), []
        except ValueError:
            return raw, [Problem(where, "type", f"{raw!r} is not a number", value="number")]
    if kind == "boolean":
        if raw in ("true", "false"):
            return raw == "true", []
        return raw, [Problem(where, "type", f"{raw!r} is not true or false", value="boolean")]
    return raw, []


def _decode_query(
    parameter: Mapping[str, Any], entries: list[tuple[str | None, str]], where: str
) -> tuple[Any, list[Problem]]:
    schema = parameter.get("schema", {})
    style = parameter.get("style", "form")
    explode = parameter.get("explode", style == "form")
    kind = schema.get("type")
    problems: list[Problem] = []
    if style == "deepObject":
        bare = [value for key, value in entries if key is None]
        keyed = [(key, value) for key, value in entries if key is not None]
        if bare and keyed:
            return None, [Problem(where, "query", "mixes a bare value with [operator] values")]
        if len(bare) > 1:
            return None, [Problem(where, "query", f"is given {len(bare)} times")]
        extra = schema.get("additionalProperties")
        item_schema = extra if isinstance(extra, Mapping) else {}
        if bare:
            value, problems = _scalar(item_schema, bare[0], where)
            return _Bare(value), problems
        result: dict[str, Any] = {}
        for key, raw in keyed:
            if key in result:
                problems.append(Problem(where, "query", f"[{key}] is given more than once"))
            item_where = f"{where[:-1]}[{key}]'"
            if item_schema.get("format") == "date-time" and key not in DATE_TIME_OPERATORS:
                problems.append(
                    Problem(
                        item_where,
                        "query",
                        f"is not one of {', '.join(sorted(DATE_TIME_OPERATORS))}",
                    )
                )
            result[key], scalar_problems = _scalar(item_schema, raw, item_where)
            problems += scalar_problems
        return result, problems
    if kind == "array":
        items = schema.get("items", {})
        raws = [value for _, value in entries]
        if not explode:
            if len(raws) > 1:
                problems.append(
                    Problem(where, "query", f"is given {len(raws)} times; send one comma list")
                )
            raws = [part for raw in raws for part in raw.split(",")]
        values = []
        for raw in raws:
            value, scalar_problems = _scalar(items, raw, where)
            values.append(value)
            problems += scalar_problems
        return values, problems
    if len(entries) > 1:
        return None, [Problem(where, "query", f"is given {len(entries)} times")]
    return _scalar(schema, entries[0][1], where)


def _problems_from(error: ValidationError, where: str) -> list[Problem]:
    location = tuple(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "required":
        match = re.match(r"^'(.*)' is a required property$", error.message)
        names = (match[1],) if match else ()
        return [Problem(where, keyword, error.message, location, names, error.validator_value)]
    if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
        known = set(error.schema.get("properties", {}))
        extras = tuple(sorted(k for k in error.instance if k not in known))
        return [
            Problem(where, keyword, f"{name!r} is not a declared property", location, (name,))
            for name in extras
        ] or [Problem(where, keyword, error.message, location)]
    if keyword == _HIDDEN:
        return [Problem(where, "readOnly", error.message, location, (), error.validator_value)]
    return [Problem(where, keyword, error.message, location, (), error.validator_value)]


@lru_cache(maxsize=1)
def default_schema() -> OpenApiSchema:
    """The fixture, loaded once."""
    return OpenApiSchema.load()


def validate_request(method: str, path: str, **kwargs: Any) -> list[str]:
    """Violations of one request against the fixture; see ``OpenApiSchema.check_request``."""
    return default_schema().validate_request(method, path, **kwargs)


def validate_response(method: str, path: str, status: int, **kwargs: Any) -> list[str]:
    """Violations of one response against the fixture; see ``OpenApiSchema.check_response``."""
    return default_schema().validate_response(method, path, status, **kwargs)
