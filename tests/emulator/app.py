"""A local stand-in for Digital River's customers family (customers, sources, tax identifiers,
files), as a WSGI app: ``DigitalRiverEmulator``.

It keeps DR's documented rules and marks its own choices where DR documents nothing (see
``ASSUMPTIONS``). Every request it receives and every response it returns is checked against
DR's OpenAPI document (``tests.emulator.schema``); violations collect in ``schema_violations``.
Faults (errors, 429s, slow, malformed and dropped responses) are injected through Python
methods, either before the change is applied (nothing stored) or after it (stored, but the
client is told otherwise or nothing).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import random
import re
import socket
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from .schema import NO_BODY, OpenApiSchema, Problem, default_schema, is_date_time

TEST_API_KEY = "sk_test_emulator_3f6c1d2a9b8e4f70a1c2"
LIVE_API_KEY = "sk_emulator_live_8d2b7e61c0f94a35b7d4"
DR_BASE_URL = "https://api.digitalriver.com"

CUSTOMER_ID_MAX_LENGTH = 40
METADATA_MAX_KEYS = 20
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
LIST_LIMIT_DEFAULT = 10
LIST_LIMIT_MAX = 100

ERROR_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    429: "too_many_requests",
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
UNAUTHORIZED_BODY = {
    "type": "unauthorized",
    "errors": [{"message": "An authorization error has occurred."}],
}

# ASSUMPTION: payment methods whose sources can be saved to a customer. DR says only that some
# methods don't support reuse (409 nonreusable_source) and that customerCredit never does.
REUSABLE_SOURCE_TYPES = frozenset(
    {"creditCard", "payPalBilling", "directDebit", "klarnaCreditRecurring"}
)
SOURCE_STATES = (
    "pending_funds",
    "pending_redirect",
    "requires_action",
    "chargeable",
    "consumed",
    "cancelled",
    "failed",
)

_TAX_IDENTIFIER_TYPES_TEXT = (  # as DR's tax-identifier page lists them
    "ae at au be bg bh br br_ie br_natural by ca ch cl co cy cz de dk ee es fi fr gr hr hu id "
    "ie in is it it_cf it_natural jp jp_offshore ke kr_offshore lt lu lv mt mx_natural my nl "
    "no nz ph pl pt pt_nif ro ru ru_natural sa se sg si sk th tr tw tw_offshore ua uk za"
)
TAX_IDENTIFIER_TYPES = frozenset(_TAX_IDENTIFIER_TYPES_TEXT.split())
# Test-mode values DR documents as verifying.
VERIFYING_TEST_TAX_IDS = {
    "be": {"BE0000000000", "BE1234567890"},
    "de": {"DE000000000", "DE123456789"},
    "it": {"IT00000000000", "IT12345678901"},
    "it_natural": {"IT00000000000", "IT12345678901"},
}
# Formats for the types with documented examples; others get a loose check (ASSUMPTION).
_TAX_ID_FORMATS = {
    "be": re.compile(r"^BE\d{10}$"),
    "de": re.compile(r"^DE\d{9}$"),
    "it": re.compile(r"^IT\d{11}$"),
    "it_natural": re.compile(r"^IT\d{11}$"),
}
_TAX_ID_LOOSE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/]{3,29}$")

FILE_PURPOSES = ("tax_document_customer_upload", "customer_invoice", "customer_credit_memo")
TAX_DOCUMENT_TYPES = ("pdf", "jpg", "png")
_FILE_MIME = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}

_LOCALE = re.compile(r"^[a-z]{2}_[A-Z]{2}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_US_STATE = re.compile(r"^[A-Z]{2}$")
_BAD_ID_CHARACTER = re.compile(r"[\s/\x00-\x1f\x7f]")

ASSUMPTIONS = """
Choices the emulator makes where DR documents nothing (or only examples):
- Generated customer ids: 12-digit numeric strings ending in 0336 (as in DR's examples).
- Customer id: empty, longer than 40 characters, or with whitespace, control characters or '/'
  -> 400 invalid_parameter (parameter id). Duplicate -> 409 already_exists (parameter id,
  "Customer '<id>' already exists.").
- Unknown customer -> 404 not_found, parameter id, "Customer '<id>' not found.".
- Any field the request schema does not declare -> 400 unknown_parameter, "'<name>' is an
  unknown parameter." (requestToBeForgotten on create, id on update). Schema type/enum/format
  problems -> 400 invalid_parameter (invalid_boolean for booleans, email_invalid for emails,
  invalid_format for a body that is not a JSON object); a missing required member -> 400
  missing_parameter with the dotted path (shipping.address.country when an address has no
  country).
- Email: syntax as checked by email-validator (no deliverability check; special-use domains
  such as .local are accepted, as DR does) -> 400 email_invalid,
  parameter email / shipping.email.
- Locale must look like ll_CC and country like US, else 400 invalid_parameter.
- null members of shipping are dropped (treated as unset); shipping is replaced wholesale on
  update.
- Metadata: keys merge on update, "" or null removes a key; an empty key or one over 40
  characters -> invalid_metadata_key (parameter metadata); a string value over 500 characters
  -> invalid_metadata_value (parameter metadata.<key>); more than 20 keys after the merge ->
  too_many_metadata_pairs (parameter metadata). Values may be any JSON.
- requestToBeForgotten is sticky: sending false after true -> 400 invalid_parameter
  (parameter requestToBeForgotten); true again is accepted and changes nothing.
- defaultSourceId (create or update) must be one of the customer's attached sources, else 400
  invalid_parameter (parameter defaultSourceId). On create that is never the case.
- List: limit outside 1..100 or not an integer, an unknown cursor, a bad time filter or an
  undeclared query parameter -> 400 (invalid_parameter / unknown_parameter). email matches
  exactly and case-sensitively. A customer never updated has no updatedTime and matches no
  updatedTime filter. hasMore after endingBefore means "more newer objects exist".
- Sources: unknown or other-mode source -> 404 not_found (parameter sourceId). Attaching a source
  already on this customer returns 200 and changes nothing; one attached to another customer ->
  409 source_in_use. Detaching the default source clears defaultSourceId (nothing is promoted);
  the next source attached while there is no default becomes the default. Detaching a source
  the customer doesn't hold -> 404. Deleting a customer cancels its sources and unlinks its tax
  identifiers.
- Tax identifiers: a customer holds at most one per type -> 409 already_exists (parameter type).
  Attaching one already on this customer returns 200. In test mode DR's verifying values are
  verified at once (the 201 already says verified); all other values stay pending.
- Files: the type comes from the content (PDF/PNG/JPEG signature), then the file name's
  extension; tax_document_customer_upload accepts pdf, jpg and png only (400 invalid_parameter,
  parameter file). taxCertificate.fileId must name an uploaded file of the same mode (400
  invalid_parameter); its taxAuthority must be two capital letters. A file's url points at the
  host that served the upload (the emulator), as DR's points at api.digitalriver.com.
- Auth: Bearer <key>, or Basic with the key as user name. Public (pk_) and unknown keys -> 401.
- Saveable payment methods (REUSABLE_SOURCE_TYPES): creditCard, payPalBilling, directDebit,
  klarnaCreditRecurring; customerCredit never. POST /sources creates customerCredit only.
- Sources inside a customer's sources[] carry no customerId (as in DR's example); the attach
  answer and GET /sources/{id} do.
- Unknown path -> 404 not_found; a method the path lacks -> 405 method_not_allowed.
- GET /tax-identifiers accepts but does not apply the pending/verified/not_valid filters.
"""


class DRError(Exception):
    """An error answer with DR's body."""

    def __init__(self, status: int, errors: list[dict[str, str]], body: Any = None):
        super().__init__(status, errors)
        self.status = status
        self.body = body if body is not None else {"type": ERROR_TYPES[status], "errors": errors}


def dr_error(status: int, code: str, message: str, parameter: str | None = None) -> DRError:
    error = {"code": code}
    if parameter is not None:
        error["parameter"] = parameter
    error["message"] = message
    return DRError(status, [error])


def not_found(thing: str, identifier: str, parameter: str = "id") -> DRError:
    return dr_error(404, "not_found", f"{thing} '{identifier}' not found.", parameter)


@dataclass
class RecordedRequest:
    """One request the emulator received."""

    method: str
    path: str
    query_string: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any  # the parsed JSON body, or None (no body, not JSON, multipart)
    request_id: str
    live_mode: bool | None = None  # None: not authenticated
    status: int | None = None  # what the client was sent (None: not answered yet)
    fault: str | None = None  # the injected fault, if any


@dataclass
class Fault:
    kind: str  # fail | rate_limit | slow | malformed | drop
    times: int
    method: str | None
    path_prefix: str | None
    applied: bool
    status: int | None = None
    seconds: float = 0.0
    retry_after: int | None = None
    body: Any = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path_prefix and not path.startswith(self.path_prefix))

    def describe(self) -> str:
        return f"{self.kind}({'after' if self.applied else 'before'} applying)"


@dataclass
class _Store:
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    tax_identifiers: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Call:
    """What a handler gets."""

    request: Request
    live: bool
    store: _Store
    params: dict[str, str]
    body: Any  # parsed JSON / form fields, or NO_BODY
    body_problems: list[Problem]
    query_problems: list[Problem]

    @property
    def args(self) -> MultiDict[str, str]:
        return self.request.args

    def json_object(self) -> dict[str, Any]:
        """The body as an object, after DR's checks of the schema problems."""
        if self.body_problems:
            raise DRError(400, errors_from_problems(self.body_problems))
        if self.body is NO_BODY or self.body is None:
            return {}
        return dict(self.body)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def midnight(text: str) -> str:
    return parse_time(text).strftime("%Y-%m-%dT00:00:00Z")


def errors_from_problems(problems: Iterable[Problem]) -> list[dict[str, str]]:
    """DR error entries for schema problems of a request."""
    errors = []
    for problem in problems:
        base = ""
        if problem.where.startswith("query '") or problem.where.startswith("path '"):
            base = problem.where.split("'")[1]
        parameter = ".".join(part for part in (base, problem.dotted) if part)
        if problem.keyword == "required":
            name = ".".join(part for part in (parameter, *problem.names) if part)
            errors.append(
                {"code": "missing_parameter", "parameter": name, "message": f"'{name}' is missing."}
            )
        elif problem.keyword in ("additionalProperties", "query", "readOnly") and (
            problem.names or problem.keyword != "additionalProperties"
        ):
            if problem.keyword == "query" and "not a declared" not in problem.message:
                errors.append(
                    {"code": "invalid_parameter", "parameter": parameter, "message": str(problem)}
                )
                continue
            name = ".".join(part for part in (parameter, *problem.names) if part)
            errors.append(
                {
                    "code": "unknown_parameter",
                    "parameter": name,
                    "message": f"'{name}' is an unknown parameter.",
                }
            )
        elif problem.keyword == "format" and problem.value == "email":
            errors.append(
                {
                    "code": "email_invalid",
                    "parameter": parameter,
                    "message": "The email address is invalid.",
                }
            )
        elif problem.keyword == "json" or (problem.keyword == "type" and not parameter):
            errors.append(
                {"code": "invalid_format", "message": "The request body must be a JSON object."}
            )
        elif problem.keyword == "type" and problem.value == "boolean":
            errors.append(
                {
                    "code": "invalid_boolean",
                    "parameter": parameter,
                    "message": f"'{parameter}' must be true or false.",
                }
            )
        elif problem.keyword == "content-type":
            errors.append({"code": "invalid_format", "message": problem.message})
        else:
            errors.append(
                {
                    "code": "invalid_parameter",
                    "parameter": parameter,
                    "message": f"'{parameter}' is invalid: {problem.message}.",
                }
            )
    for error in errors:
        if not error.get("parameter"):
            error.pop("parameter", None)
    return errors


def _strip_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    return value


def _file_type(content: bytes, file_name: str) -> str | None:
    if content.startswith(b"%PDF"):
        return "pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpg"
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    return {"jpeg": "jpg"}.get(extension, extension) or None


class DigitalRiverEmulator:
    """WSGI app emulating DR's customers, sources, tax identifiers and files.

    ``api_keys``: the secret keys it accepts (default: any key starting ``sk_``); a key
    starting ``sk_test_`` works in test mode, any other ``sk_`` key in live mode, each with its
    own store. ``seed`` makes generated ids repeatable.

    Python API (``live=False`` picks the test-mode store):

    - state: ``add_customer(**fields)``, ``customer(id)``, ``customers()``,
      ``customer_count()``, ``add_source(type=, state=, supports_reuse=, ...)``, ``source(id)``,
      ``add_file(content, file_name, purpose)``, ``file(id)``, ``add_tax_identifier(type,
      value)``, ``tax_identifier(id)``, ``set_tax_identifier_state(id, state)``, ``reset()``;
      ``verify_later = True`` keeps DR's verifying test values pending until
      ``finish_tax_verifications()`` (DR's asynchronous verification).
    - time: ``now()``, ``freeze_time(moment)``, ``advance_time(seconds)``, ``unfreeze_time()``.
    - faults (each takes ``times``, ``method``, ``path_prefix``): ``fail_next(status,
      applied=False, body=None, retry_after=None)``, ``rate_limit_next(retry_after)``,
      ``slow_next(seconds, applied=True)``, ``malformed_next(applied=True)``,
      ``drop_next(applied=True)``; ``clear_faults()``, ``pending_faults``.
    - checks: ``requests`` (``RecordedRequest`` log), ``requests_to(method, path_prefix)``,
      ``schema_violations`` (= ``request_violations`` + ``response_violations``),
      ``expect_invalid_requests()``, ``take_violations()``, ``unexpected_violations()``,
      ``crashes``.
    """

    def __init__(
        self,
        *,
        api_keys: Iterable[str] | None = None,
        schema: OpenApiSchema | None = None,
        seed: int = 0,
        base_url: str = DR_BASE_URL,
    ):
        self.api_keys = set(api_keys) if api_keys is not None else None
        self.schema = schema or default_schema()
        self.base_url = base_url.rstrip("/")
        self.requests: list[RecordedRequest] = []
        self.schema_violations: list[str] = []
        self.request_violations: list[str] = []
        self.response_violations: list[str] = []
        self.invalid_requests_expected = False
        self.crashes: list[str] = []  # tracebacks of emulator bugs
        self.verify_later = False  # test tax ids verify at once, or on finish_tax_verifications
        self._random = random.Random(seed)
        self._lock = threading.RLock()
        self._closing = threading.Event()
        self._faults: list[Fault] = []
        self._stores = {False: _Store(), True: _Store()}
        self._sequence = 0
        self._frozen: datetime | None = None
        self._offset = timedelta()
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ Python API: state

    def reset(self) -> None:
        """Forget every object, request, fault and violation."""
        with self._lock:
            self._stores = {False: _Store(), True: _Store()}
            self._faults.clear()
            self.requests.clear()
            self.schema_violations.clear()
            self.request_violations.clear()
            self.response_violations.clear()
            self.invalid_requests_expected = False
            self.verify_later = False

    def customer_count(self, live: bool = False) -> int:
        with self._lock:
            return len(self._stores[live].customers)

    def customer(self, customer_id: str, live: bool = False) -> dict[str, Any] | None:
        """The customer as DR would return it, or None."""
        with self._lock:
            store = self._stores[live]
            record = store.customers.get(customer_id)
            return None if record is None else self._render_customer(store, record)

    def customers(self, live: bool = False) -> list[dict[str, Any]]:
        """Every customer, newest first."""
        with self._lock:
            store = self._stores[live]
            records = sorted(store.customers.values(), key=_order_key, reverse=True)
            return [self._render_customer(store, record) for record in records]

    def add_customer(self, live: bool = False, **fields: Any) -> dict[str, Any]:
        """Store a customer directly (no request, no checks beyond the id). ``fields`` are DR's
        (id, email, shipping, metadata, locale, type, enabled, requestToBeForgotten); a
        ``createdTime`` (datetime or ISO string) places it in time."""
        with self._lock:
            store = self._stores[live]
            customer_id = fields.pop("id", None) or self._new_customer_id(store)
            if customer_id in store.customers:
                raise ValueError(f"customer {customer_id!r} exists")
            created = fields.pop("createdTime", None)
            created_text = iso(created) if isinstance(created, datetime) else created
            record = {
                "id": customer_id,
                "createdTime": created_text or iso(self.now()),
                "enabled": fields.pop("enabled", True),
                "requestToBeForgotten": fields.pop("requestToBeForgotten", False),
                "liveMode": live,
                "_sources": [],
                "_taxIdentifiers": [],
                "taxCertificates": [],
                "_seq": self._next_sequence(),
            }
            record.update({k: v for k, v in fields.items() if v is not None})
            store.customers[customer_id] = record
            return self._render_customer(store, record)

    def add_source(
        self,
        live: bool = False,
        *,
        id: str | None = None,  # noqa: A002 - DR's field name
        type: str = "creditCard",  # noqa: A002
        state: str = "chargeable",
        reusable: bool = False,
        supports_reuse: bool | None = None,
        owner: Mapping[str, Any] | None = None,
        currency: str = "USD",
        amount: float | None = None,
        details: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Create a source as DigitalRiver.js/Drop-in would (single use, not attached).

        ``supports_reuse`` defaults to ``type in REUSABLE_SOURCE_TYPES``; ``details`` is the
        type-specific object (default for creditCard: a Visa ending 1111). Returns the source.
        """
        if state not in SOURCE_STATES:
            raise ValueError(f"state must be one of {SOURCE_STATES}")
        with self._lock:
            store = self._stores[live]
            source_id = id or self._uuid()
            if source_id in store.sources:
                raise ValueError(f"source {source_id!r} exists")
            record: dict[str, Any] = {
                "id": source_id,
                "createdTime": iso(self.now()),
                "type": type,
                "currency": currency,
                "reusable": reusable,
                "state": state,
                "flow": "standard",
                "clientSecret": f"{source_id}_{self._uuid()}",
                "liveMode": live,
                "_supportsReuse": (
                    type in REUSABLE_SOURCE_TYPES if supports_reuse is None else supports_reuse
                )
                and type != "customerCredit",
                "_seq": self._next_sequence(),
            }
            if amount is not None:
                record["amount"] = amount
            if owner is not None:
                record["owner"] = dict(owner)
            if details is None and type == "creditCard":
                details = {
                    "brand": "Visa",
                    "expirationMonth": 7,
                    "expirationYear": 2027,
                    "lastFourDigits": "1111",
                }
            if details is not None:
                record[type] = dict(details)
            record.update(extra)
            store.sources[source_id] = record
            return self._render_source(record)

    def source(self, source_id: str, live: bool = False) -> dict[str, Any] | None:
        with self._lock:
            record = self._stores[live].sources.get(source_id)
            return None if record is None else self._render_source(record)

    def add_file(
        self,
        content: bytes = b"%PDF-1.4\n% emulator test document\n%%EOF\n",
        file_name: str = "certificate.pdf",
        purpose: str = "tax_document_customer_upload",
        live: bool = False,
        title: str | None = None,
    ) -> dict[str, Any]:
        """Store an uploaded file directly; returns the File object."""
        with self._lock:
            record = self._store_file(
                self._stores[live], live, content, file_name, purpose, title, self.base_url
            )
            return self._render_file(record)

    def file(self, file_id: str, live: bool = False) -> dict[str, Any] | None:
        with self._lock:
            record = self._stores[live].files.get(file_id)
            return None if record is None else self._render_file(record)

    def add_tax_identifier(self, type: str, value: str, live: bool = False) -> dict[str, Any]:  # noqa: A002
        """Create a tax identifier directly (DR's state rules apply); returns it."""
        with self._lock:
            record = self._new_tax_identifier(self._stores[live], live, type, value)
            return self._render_tax_identifier(record)

    def tax_identifier(self, tax_id: str, live: bool = False) -> dict[str, Any] | None:
        with self._lock:
            record = self._stores[live].tax_identifiers.get(tax_id)
            return None if record is None else self._render_tax_identifier(record)

    def finish_tax_verifications(self, live: bool = False) -> list[str]:
        """With ``verify_later`` set, DR's test values stay ``pending`` when created; this is
        DR's asynchronous verification coming back: each pending test value becomes
        ``verified`` (the tax identifier's own times move; the customer's updatedTime does
        not). Returns the ids verified."""
        with self._lock:
            done = []
            for record in self._stores[live].tax_identifiers.values():
                verifying = VERIFYING_TEST_TAX_IDS.get(record["type"], ())
                if record["state"] == "pending" and record["value"] in verifying:
                    done.append(record["id"])
        for tax_id in done:
            self.set_tax_identifier_state(tax_id, "verified", live)
        return done

    def set_tax_identifier_state(self, tax_id: str, state: str, live: bool = False) -> None:
        """Move a tax identifier to pending, verified or not_valid (as VIES would)."""
        if state not in ("pending", "verified", "not_valid"):
            raise ValueError("state must be pending, verified or not_valid")
        with self._lock:
            record = self._stores[live].tax_identifiers[tax_id]
            now = iso(self.now())
            record["state"] = state
            record["stateTransitions"][state] = now
            record["updatedTime"] = now

    # ------------------------------------------------------------------ Python API: time

    def now(self) -> datetime:
        """The emulator's clock (UTC, whole seconds)."""
        moment = self._frozen or (datetime.now(UTC) + self._offset)
        return moment.replace(microsecond=0)

    def freeze_time(self, moment: datetime | str) -> None:
        self._frozen = parse_time(moment) if isinstance(moment, str) else moment.astimezone(UTC)

    def advance_time(self, seconds: float) -> None:
        if self._frozen is not None:
            self._frozen += timedelta(seconds=seconds)
        else:
            self._offset += timedelta(seconds=seconds)

    def unfreeze_time(self) -> None:
        self._frozen = None

    # ------------------------------------------------------------------ Python API: faults

    def fail_next(
        self,
        status: int = 503,
        times: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        *,
        applied: bool = False,
        body: Any = None,
        retry_after: int | None = None,
    ) -> None:
        """The next ``times`` matching requests get ``status`` with DR's error body (or
        ``body``). ``applied=False``: nothing is changed; ``applied=True``: the request is
        carried out first (e.g. the customer is stored) and the client still gets the error."""
        if status not in ERROR_TYPES:
            raise ValueError(f"status must be one of {sorted(ERROR_TYPES)}")
        self._add_fault(
            Fault(
                "fail",
                times,
                method,
                path_prefix,
                applied,
                status,
                body=body,
                retry_after=retry_after,
            )
        )

    def rate_limit_next(
        self,
        retry_after: int = 1,
        times: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> None:
        """The next ``times`` matching requests get 429 with ``Retry-After`` (never applied)."""
        self._add_fault(
            Fault("rate_limit", times, method, path_prefix, False, 429, retry_after=retry_after)
        )

    def slow_next(
        self,
        seconds: float,
        times: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        *,
        applied: bool = True,
    ) -> None:
        """Delay the next ``times`` matching responses by ``seconds``. ``applied=True``: the
        request is carried out at once and its real answer comes late (a client that timed out
        never sees it, yet the change is stored). ``applied=False``: nothing is changed and a
        504 comes after the delay."""
        self._add_fault(Fault("slow", times, method, path_prefix, applied, seconds=seconds))

    def malformed_next(
        self,
        times: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        *,
        applied: bool = True,
    ) -> None:
        """The next ``times`` matching responses carry a body that is not JSON, with the real
        status (200/201; a 204 becomes 200). ``applied=False`` answers 200 with the broken body
        without carrying the request out."""
        self._add_fault(Fault("malformed", times, method, path_prefix, applied))

    def drop_next(
        self,
        times: int = 1,
        method: str | None = None,
        path_prefix: str | None = None,
        *,
        applied: bool = True,
    ) -> None:
        """Close the connection without any answer to the next ``times`` matching requests
        (the client sees the server disconnect). ``applied=True``: the request is carried out
        first."""
        self._add_fault(Fault("drop", times, method, path_prefix, applied))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def _add_fault(self, fault: Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # ------------------------------------------------------------------ Python API: checks

    def expect_invalid_requests(self) -> None:
        """This test sends requests that break the schema on purpose: the fixture then only
        insists that the *responses* conform."""
        self.invalid_requests_expected = True

    def take_violations(self) -> list[str]:
        """Return and forget the violations collected so far."""
        with self._lock:
            taken = list(self.schema_violations)
            self.schema_violations.clear()
            self.request_violations.clear()
            self.response_violations.clear()
            return taken

    def unexpected_violations(self) -> list[str]:
        """What the fixture asserts is empty at teardown."""
        if self.invalid_requests_expected:
            return list(self.response_violations)
        return list(self.schema_violations)

    def requests_to(
        self, method: str | None = None, path_prefix: str | None = None
    ) -> list[RecordedRequest]:
        """The recorded requests with this method and path prefix."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path_prefix is None or r.path.startswith(path_prefix))
            ]

    def close(self) -> None:
        """Wake any response still being delayed (the server is going away)."""
        self._closing.set()

    # ------------------------------------------------------------------ WSGI

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self._handle(request)
        except Exception:  # an emulator bug: report it rather than hide it in a 500
            with self._lock:
                self.crashes.append(f"{request.method} {request.path}: {traceback.format_exc()}")
            body = {
                "type": "internal_server_error",
                "errors": [{"code": "unknown_error", "message": "The emulator crashed."}],
            }
            response = Response(json.dumps(body), status=500, content_type="application/json")
        finally:
            request.close()  # closes uploaded files' temporary files
        if response is _DROP:
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            start_response("500 Connection Dropped", [])
            return []
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        raw = request.get_data(cache=True)
        content_type = request.headers.get("Content-Type")
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query_string=request.query_string.decode("latin-1"),
            query={key: request.args.getlist(key) for key in request.args},
            headers={key.lower(): value for key, value in request.headers.items()},
            body=raw,
            json=None,
            request_id=request_id,
        )
        with self._lock:
            self.requests.append(record)

        body, parse_problem = self._parse_body(request, raw)
        if request.mimetype != "multipart/form-data" and body is not NO_BODY:
            record.json = body
        problems = self.schema.check_request(
            request.method,
            request.path,
            query=record.query_string,
            body=body,
            content_type=content_type,
        )
        if parse_problem is not None:
            problems = [parse_problem, *[p for p in problems if p.where != "request body"]]
        self._violations(
            "request",
            [f"{request.method} {request.path}: {problem}" for problem in problems],
        )

        live = self._authenticate(request)
        if live is None:
            return self._finish(request, record, 401, UNAUTHORIZED_BODY)
        record.live_mode = live

        route = self._route(request.method, request.path)
        if isinstance(route, DRError):
            return self._finish(request, record, route.status, route.body, validate=False)
        handler, params = route

        fault = self._take_fault(request.method, request.path)
        if fault is not None:
            record.fault = fault.describe()
        if fault is not None and not fault.applied:
            return self._unapplied_fault(request, record, fault)

        call = _Call(
            request=request,
            live=live,
            store=self._stores[live],
            params=params,
            body=body,
            body_problems=[parse_problem]
            if parse_problem
            else [p for p in problems if p.where == "request body"],
            query_problems=[p for p in problems if p.where.startswith("query ")],
        )
        try:
            with self._lock:
                status, payload = handler(call)
        except DRError as error:
            status, payload = error.status, error.body

        if fault is None:
            return self._finish(request, record, status, payload)
        if fault.kind == "fail":
            # the change is stored; the client hears otherwise
            return self._finish(
                request,
                record,
                fault.status or 500,
                self._fault_body(fault),
                undeclared_ok=True,
                retry_after=fault.retry_after,
            )
        if fault.kind == "slow":
            self._closing.wait(fault.seconds)
            return self._finish(request, record, status, payload)
        if fault.kind == "drop":
            return _DROP
        return self._malformed(request, record, status)

    def _unapplied_fault(self, request: Request, record: RecordedRequest, fault: Fault) -> Response:
        if fault.kind == "drop":
            return _DROP
        if fault.kind == "slow":
            self._closing.wait(fault.seconds)
            body = {
                "type": "gateway_timeout",
                "errors": [
                    {"code": "gateway_timeout", "message": "The upstream service timed out."}
                ],
            }
            return self._finish(request, record, 504, body, undeclared_ok=True)
        if fault.kind == "malformed":
            return self._malformed(request, record, 200)
        return self._finish(
            request,
            record,
            fault.status or 500,
            self._fault_body(fault),
            undeclared_ok=True,
            retry_after=fault.retry_after,
        )

    @staticmethod
    def _fault_body(fault: Fault) -> Any:
        if fault.body is not None:
            return fault.body
        status = fault.status or 500
        if status == 401:
            return UNAUTHORIZED_BODY
        kind = ERROR_TYPES[status]
        message = {
            429: "Too many requests. Retry after the time in the Retry-After header.",
        }.get(status, f"Injected {status} {kind.replace('_', ' ')}.")
        return {"type": kind, "errors": [{"code": kind, "message": message}]}

    def _malformed(self, request: Request, record: RecordedRequest, status: int) -> Response:
        status = 200 if status == 204 else status
        response = Response(b'{"id": "trunc', status=status, content_type="application/json")
        response.headers["x-dr-requestid"] = record.request_id
        record.status = status
        return response

    def _finish(
        self,
        request: Request,
        record: RecordedRequest,
        status: int,
        payload: Any,
        *,
        validate: bool = True,
        undeclared_ok: bool = False,
        retry_after: int | None = None,
    ) -> Response:
        if isinstance(payload, _Raw):
            response = Response(payload.content, status=status, content_type=payload.content_type)
            for name, value in payload.headers.items():
                response.headers[name] = value
            body: Any = payload.content
            content_type = payload.content_type
        elif payload is None:
            response = Response(status=status)
            response.headers.pop("Content-Type", None)
            body, content_type = NO_BODY, None
        else:
            response = Response(json.dumps(payload), status=status, content_type="application/json")
            body, content_type = payload, "application/json"
        response.headers["x-dr-requestid"] = record.request_id
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        if validate and self.schema.operation(request.method, request.path) is not None:
            problems = self.schema.check_response(
                request.method,
                request.path,
                status,
                body=body,
                content_type=content_type,
                allow_undeclared_status=undeclared_ok,
            )
            self._violations(
                "response",
                [f"{request.method} {request.path} -> {status}: {problem}" for problem in problems],
            )
        record.status = status
        return response

    def _violations(self, kind: str, violations: list[str]) -> None:
        if not violations:
            return
        with self._lock:
            self.schema_violations.extend(violations)
            (self.request_violations if kind == "request" else self.response_violations).extend(
                violations
            )

    def _parse_body(self, request: Request, raw: bytes) -> tuple[Any, Problem | None]:
        if request.mimetype == "multipart/form-data":
            fields: dict[str, Any] = {key: request.form.get(key) for key in request.form}
            for key in request.files:
                fields[key] = f"<binary {request.files[key].filename or 'upload'}>"
            return fields, None
        if not raw.strip():
            return NO_BODY, None
        try:
            return json.loads(raw), None
        except (ValueError, UnicodeDecodeError):
            return NO_BODY, Problem("request body", "json", "is not valid JSON")

    def _authenticate(self, request: Request) -> bool | None:
        header = request.headers.get("Authorization", "")
        scheme, _, credentials = header.partition(" ")
        key = ""
        if scheme.lower() == "bearer":
            key = credentials.strip()
        elif scheme.lower() == "basic":
            try:
                key = base64.b64decode(credentials.strip(), validate=True).decode().split(":", 1)[0]
            except (binascii.Error, UnicodeDecodeError):
                return None
        if not key.startswith("sk_") or key in ("sk_", "sk_test_"):
            return None
        if self.api_keys is not None and key not in self.api_keys:
            return None
        return not key.startswith("sk_test_")

    # ------------------------------------------------------------------ routing

    def _build_routes(
        self,
    ) -> list[tuple[re.Pattern[str], dict[str, Callable[[_Call], tuple[int, Any]]]]]:
        table = [
            ("/customers", {"GET": self._list_customers, "POST": self._create_customer}),
            (
                "/customers/{id}",
                {
                    "GET": self._get_customer,
                    "POST": self._update_customer,
                    "DELETE": self._delete_customer,
                },
            ),
            (
                "/customers/{id}/sources/{sourceId}",
                {"POST": self._attach_source, "DELETE": self._detach_source},
            ),
            ("/customers/{id}/tax-identifiers/{taxId}", {"POST": self._attach_tax_identifier}),
            ("/sources", {"POST": self._create_credit_source}),
            ("/sources/{id}", {"GET": self._get_source}),
            (
                "/tax-identifiers",
                {"GET": self._list_tax_identifiers, "POST": self._create_tax_identifier},
            ),
            (
                "/tax-identifiers/{id}",
                {"GET": self._get_tax_identifier, "DELETE": self._delete_tax_identifier},
            ),
            ("/files", {"GET": self._list_files, "POST": self._create_file}),
            ("/files/{id}", {"GET": self._get_file, "DELETE": self._delete_file}),
            ("/files/{id}/content", {"GET": self._download_file}),
        ]
        routes = []
        for template, methods in table:
            pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
            routes.append((re.compile(f"^{pattern}$"), methods))
        return routes

    def _route(
        self, method: str, path: str
    ) -> tuple[Callable[[_Call], tuple[int, Any]], dict[str, str]] | DRError:
        for pattern, methods in self._routes:
            found = pattern.match(path)
            if not found:
                continue
            handler = methods.get(method.upper())
            if handler is None:
                return dr_error(
                    405, "method_not_allowed", f"The method {method.upper()} is not allowed here."
                )
            return handler, found.groupdict()
        return dr_error(404, "not_found", f"No resource at {path}.")

    # ------------------------------------------------------------------ helpers

    def _next_sequence(self) -> int:
        self._sequence += 1
        return self._sequence

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _new_customer_id(self, store: _Store) -> str:
        while True:
            candidate = f"{self._random.randint(10_000_000, 99_999_999)}0336"
            if candidate not in store.customers:
                return candidate

    def _customer_record(self, call: _Call) -> dict[str, Any]:
        customer_id = call.params["id"]
        record = call.store.customers.get(customer_id)
        if record is None:
            raise not_found("Customer", customer_id)
        return record

    # ------------------------------------------------------------------ rendering

    @staticmethod
    def _public(record: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in record.items() if not k.startswith("_")}

    def _render_source(self, record: Mapping[str, Any], *, nested: bool = False) -> dict[str, Any]:
        source = self._public(record)
        if nested:
            source.pop("customerId", None)  # as in DR's example of a customer's sources[]
        return json.loads(json.dumps(source))

    def _render_tax_identifier(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return json.loads(json.dumps(self._public(record)))

    def _render_file(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return json.loads(json.dumps(self._public(record)))

    def _render_customer(self, store: _Store, record: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": record["id"], "createdTime": record["createdTime"]}
        for key in ("updatedTime", "email", "shipping", "defaultSourceId"):
            if record.get(key) is not None:
                out[key] = record[key]
        sources = [store.sources[s] for s in record["_sources"] if s in store.sources]
        if sources:
            out["sources"] = [self._render_source(s, nested=True) for s in sources]
        tax_ids = [
            store.tax_identifiers[t]
            for t in record["_taxIdentifiers"]
            if t in store.tax_identifiers
        ]
        if tax_ids:
            out["taxIdentifiers"] = [self._render_tax_identifier(t) for t in tax_ids]
        if record["taxCertificates"]:
            out["taxCertificates"] = record["taxCertificates"]
        out["enabled"] = record["enabled"]
        out["requestToBeForgotten"] = record["requestToBeForgotten"]
        for key in ("metadata", "locale", "type"):
            if record.get(key):
                out[key] = record[key]
        out["liveMode"] = record["liveMode"]
        return json.loads(json.dumps(out))

    # ------------------------------------------------------------------ customers

    def _check_customer_fields(
        self, call: _Call, body: Mapping[str, Any], record: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """DR's checks beyond the schema; returns the changes to apply."""
        errors: list[dict[str, str]] = []
        changes: dict[str, Any] = {k: body[k] for k in ("email", "type", "enabled") if k in body}

        def problem(code: str, parameter: str, message: str) -> None:
            errors.append({"code": code, "parameter": parameter, "message": message})

        if "locale" in body:
            if not _LOCALE.match(body["locale"]):
                problem("invalid_parameter", "locale", "The locale must look like en_US.")
            changes["locale"] = body["locale"]
        if "shipping" in body:
            shipping = _strip_none(body["shipping"])
            country = shipping.get("address", {}).get("country")
            if country is not None and not _COUNTRY.match(country):
                problem(
                    "invalid_parameter",
                    "shipping.address.country",
                    f"Country '{country}' is not an ISO 3166-1 alpha-2 code.",
                )
            changes["shipping"] = shipping or None
        if "metadata" in body:
            merged = dict((record or {}).get("metadata") or {})
            for key, value in body["metadata"].items():
                if not key or len(key) > METADATA_MAX_KEY_LENGTH:
                    problem(
                        "invalid_metadata_key",
                        "metadata",
                        f"Metadata keys must be 1 to {METADATA_MAX_KEY_LENGTH} characters long.",
                    )
                elif isinstance(value, str) and len(value) > METADATA_MAX_VALUE_LENGTH:
                    problem(
                        "invalid_metadata_value",
                        f"metadata.{key}",
                        f"Metadata values can be {METADATA_MAX_VALUE_LENGTH} characters long.",
                    )
                elif value is None or value == "":
                    merged.pop(key, None)
                else:
                    merged[key] = value
            if len(merged) > METADATA_MAX_KEYS:
                problem(
                    "too_many_metadata_pairs",
                    "metadata",
                    f"A customer can hold at most {METADATA_MAX_KEYS} metadata keys.",
                )
            changes["metadata"] = merged or None
        if "defaultSourceId" in body:
            source_id = body["defaultSourceId"]
            if record is None or source_id not in record["_sources"]:
                problem(
                    "invalid_parameter",
                    "defaultSourceId",
                    f"Source '{source_id}' is not attached to this customer.",
                )
            changes["defaultSourceId"] = source_id
        if "taxCertificate" in body:
            certificate = body["taxCertificate"]
            if not _US_STATE.match(certificate["taxAuthority"]):
                problem(
                    "invalid_parameter",
                    "taxCertificate.taxAuthority",
                    "taxAuthority must be a two-letter US state code.",
                )
            if certificate["fileId"] not in call.store.files:
                problem(
                    "invalid_parameter",
                    "taxCertificate.fileId",
                    f"File '{certificate['fileId']}' not found.",
                )
            changes["taxCertificate"] = {
                "companyName": certificate["companyName"],
                "taxAuthority": certificate["taxAuthority"],
                "startDate": midnight(certificate["startDate"]),
                "endDate": midnight(certificate["endDate"]),
                "fileId": certificate["fileId"],
            }
        if errors:
            raise DRError(400, errors)
        return changes

    @staticmethod
    def _apply(record: dict[str, Any], changes: Mapping[str, Any]) -> None:
        for key, value in changes.items():
            if key == "taxCertificate":
                record["taxCertificates"].append(value)
            elif value is None:
                record.pop(key, None)
            else:
                record[key] = value

    def _create_customer(self, call: _Call) -> tuple[int, Any]:
        body = call.json_object()
        store = call.store
        customer_id = body.get("id")
        if customer_id is not None:
            if customer_id == "" or len(customer_id) > CUSTOMER_ID_MAX_LENGTH:
                raise dr_error(
                    400,
                    "invalid_parameter",
                    f"The id must be 1 to {CUSTOMER_ID_MAX_LENGTH} characters long.",
                    "id",
                )
            if _BAD_ID_CHARACTER.search(customer_id):
                raise dr_error(
                    400,
                    "invalid_parameter",
                    "The id cannot contain whitespace, control characters or '/'.",
                    "id",
                )
            if customer_id in store.customers:
                raise dr_error(
                    409, "already_exists", f"Customer '{customer_id}' already exists.", "id"
                )
        changes = self._check_customer_fields(call, body, None)
        record: dict[str, Any] = {
            "id": customer_id or self._new_customer_id(store),
            "createdTime": iso(self.now()),
            "enabled": True,
            "requestToBeForgotten": False,
            "liveMode": call.live,
            "_sources": [],
            "_taxIdentifiers": [],
            "taxCertificates": [],
            "_seq": self._next_sequence(),
        }
        self._apply(record, changes)
        store.customers[record["id"]] = record
        return 201, self._render_customer(store, record)

    def _get_customer(self, call: _Call) -> tuple[int, Any]:
        return 200, self._render_customer(call.store, self._customer_record(call))

    def _update_customer(self, call: _Call) -> tuple[int, Any]:
        record = self._customer_record(call)
        body = call.json_object()
        changes = self._check_customer_fields(call, body, record)
        if "requestToBeForgotten" in body:
            wanted = body["requestToBeForgotten"]
            if record["requestToBeForgotten"] and not wanted:
                raise dr_error(
                    400,
                    "invalid_parameter",
                    "A request to be forgotten cannot be withdrawn.",
                    "requestToBeForgotten",
                )
            changes["requestToBeForgotten"] = wanted
        self._apply(record, changes)
        record["updatedTime"] = iso(self.now())
        return 200, self._render_customer(call.store, record)

    def _delete_customer(self, call: _Call) -> tuple[int, Any]:
        record = self._customer_record(call)
        for source_id in record["_sources"]:
            source = call.store.sources.get(source_id)
            if source is not None:
                source["state"] = "cancelled"
                source.pop("customerId", None)
        for tax_id in record["_taxIdentifiers"]:
            tax = call.store.tax_identifiers.get(tax_id)
            if tax is not None:
                tax.pop("customerId", None)
        del call.store.customers[record["id"]]
        return 204, None

    def _list_customers(self, call: _Call) -> tuple[int, Any]:
        self._reject_query_problems(call)
        args = call.args
        records = list(call.store.customers.values())
        if "ids" in args:
            wanted = {part for raw in args.getlist("ids") for part in raw.split(",") if part}
            records = [r for r in records if r["id"] in wanted]
        if "email" in args:
            records = [r for r in records if r.get("email") == args["email"]]
        if "requestToBeForgotten" in args:
            flag = args["requestToBeForgotten"] == "true"
            records = [r for r in records if r["requestToBeForgotten"] is flag]
        records = _time_filters(records, args, ("createdTime", "updatedTime"))
        page, has_more = _paginate(records, args, call.store.customers, "Customer")
        return 200, {
            "hasMore": has_more,
            "data": [self._render_customer(call.store, r) for r in page],
        }

    @staticmethod
    def _reject_query_problems(call: _Call) -> None:
        if call.query_problems:
            raise DRError(400, errors_from_problems(call.query_problems))

    # ------------------------------------------------------------------ sources

    def _source_record(self, call: _Call, key: str = "sourceId") -> dict[str, Any]:
        source_id = call.params[key]
        record = call.store.sources.get(source_id)
        if record is None:
            raise not_found("Source", source_id, key)
        return record

    def _attach_source(self, call: _Call) -> tuple[int, Any]:
        customer = self._customer_record(call)
        source = self._source_record(call)
        source_id = source["id"]
        if source_id in customer["_sources"]:
            return 200, self._render_source(source)
        if not source["_supportsReuse"]:
            raise dr_error(
                409, "nonreusable_source", "Only a reusable source may be attached to a customer."
            )
        owner = source.get("customerId")
        if owner and owner != customer["id"] and owner in call.store.customers:
            raise dr_error(
                409,
                "source_in_use",
                f"Source '{source_id}' is attached to a different customer.",
                "sourceId",
            )
        if source["state"] != "chargeable":
            raise dr_error(
                409, "source_not_chargeable", f"Source '{source_id}' is not chargeable.", "sourceId"
            )
        source["reusable"] = True
        source["customerId"] = customer["id"]
        customer["_sources"].append(source_id)
        if not customer.get("defaultSourceId"):
            customer["defaultSourceId"] = source_id
        return 200, self._render_source(source)

    def _detach_source(self, call: _Call) -> tuple[int, Any]:
        customer = self._customer_record(call)
        source_id = call.params["sourceId"]
        if source_id not in customer["_sources"] or source_id not in call.store.sources:
            raise not_found("Source", source_id, "sourceId")
        source = call.store.sources[source_id]
        source["state"] = "cancelled"
        source.pop("customerId", None)
        customer["_sources"].remove(source_id)
        if customer.get("defaultSourceId") == source_id:
            customer.pop("defaultSourceId")
        return 204, None

    def _get_source(self, call: _Call) -> tuple[int, Any]:
        return 200, self._render_source(self._source_record(call, "id"))

    def _create_credit_source(self, call: _Call) -> tuple[int, Any]:
        body = call.json_object()
        if body.get("type") != "customerCredit":
            raise dr_error(
                400,
                "invalid_parameter",
                "Only customerCredit sources can be created with a secret key.",
                "type",
            )
        source = self.add_source(
            call.live,
            type="customerCredit",
            supports_reuse=False,
            currency=body.get("currency", "USD"),
            amount=body.get("amount"),
            owner=body.get("owner"),
            details=body.get("customerCredit", {}),
            **(
                {"paymentSessionId": body["paymentSessionId"]} if "paymentSessionId" in body else {}
            ),
        )
        return 201, source

    # ------------------------------------------------------------------ tax identifiers

    def _new_tax_identifier(
        self, store: _Store, live: bool, kind: str, value: str
    ) -> dict[str, Any]:
        if kind not in TAX_IDENTIFIER_TYPES:
            raise dr_error(
                400, "invalid_parameter", f"Tax identifier type '{kind}' is not supported.", "type"
            )
        pattern = _TAX_ID_FORMATS.get(kind, _TAX_ID_LOOSE)
        if not pattern.match(value):
            raise dr_error(400, "invalid_parameter", f"Tax identifier '{value}' invalid.", "value")
        now = iso(self.now())
        record: dict[str, Any] = {
            "id": self._uuid(),
            "createdTime": now,
            "updatedTime": now,
            "type": kind,
            "value": value,
            "state": "pending",
            "stateTransitions": {"pending": now},
            "liveMode": live,
            "_seq": self._next_sequence(),
        }
        if not live and value in VERIFYING_TEST_TAX_IDS.get(kind, ()) and not self.verify_later:
            record["state"] = "verified"
            record["stateTransitions"]["verified"] = now
        store.tax_identifiers[record["id"]] = record
        return record

    def _create_tax_identifier(self, call: _Call) -> tuple[int, Any]:
        body = call.json_object()
        record = self._new_tax_identifier(call.store, call.live, body["type"], body["value"])
        return 201, self._render_tax_identifier(record)

    def _tax_record(self, call: _Call, key: str) -> dict[str, Any]:
        tax_id = call.params[key]
        record = call.store.tax_identifiers.get(tax_id)
        if record is None:
            raise not_found("Tax identifier", tax_id)  # DR documents parameter "id" here
        return record

    def _get_tax_identifier(self, call: _Call) -> tuple[int, Any]:
        return 200, self._render_tax_identifier(self._tax_record(call, "id"))

    def _delete_tax_identifier(self, call: _Call) -> tuple[int, Any]:
        record = self._tax_record(call, "id")
        customer = call.store.customers.get(record.get("customerId", ""))
        if customer is not None and record["id"] in customer["_taxIdentifiers"]:
            customer["_taxIdentifiers"].remove(record["id"])
        del call.store.tax_identifiers[record["id"]]
        return 204, None

    def _attach_tax_identifier(self, call: _Call) -> tuple[int, Any]:
        customer = self._customer_record(call)
        record = self._tax_record(call, "taxId")
        if record["id"] in customer["_taxIdentifiers"]:
            return 200, self._render_tax_identifier(record)
        if record.get("customerId") and record["customerId"] != customer["id"]:
            raise dr_error(
                409,
                "customer_not_updateable",
                "You cannot replace a tax identifier's customer id.",
                "customerId",
            )
        for held in customer["_taxIdentifiers"]:
            other = call.store.tax_identifiers.get(held)
            if other is not None and other["type"] == record["type"]:
                raise dr_error(
                    409,
                    "already_exists",
                    f"Customer '{customer['id']}' already has a '{record['type']}' tax identifier.",
                    "type",
                )
        record["customerId"] = customer["id"]
        record["updatedTime"] = iso(self.now())
        customer["_taxIdentifiers"].append(record["id"])
        return 200, self._render_tax_identifier(record)

    def _list_tax_identifiers(self, call: _Call) -> tuple[int, Any]:
        self._reject_query_problems(call)
        args = call.args
        records = list(call.store.tax_identifiers.values())
        if "ids" in args:
            wanted = {part for raw in args.getlist("ids") for part in raw.split(",") if part}
            records = [r for r in records if r["id"] in wanted]
        for name in ("customerId", "type", "value", "state"):
            if name in args:
                records = [r for r in records if r.get(name) == args[name]]
        records = _time_filters(records, args, ("createdTime", "updatedTime"))
        page, has_more = _paginate(records, args, call.store.tax_identifiers, "Tax identifier")
        return 200, {"hasMore": has_more, "data": [self._render_tax_identifier(r) for r in page]}

    # ------------------------------------------------------------------ files

    def _store_file(
        self,
        store: _Store,
        live: bool,
        content: bytes,
        file_name: str,
        purpose: str,
        title: str | None,
        base_url: str,
    ) -> dict[str, Any]:
        kind = _file_type(content, file_name)
        if purpose == "tax_document_customer_upload" and kind not in TAX_DOCUMENT_TYPES:
            raise dr_error(
                400, "invalid_parameter", "A tax document must be a PDF, JPG or PNG file.", "file"
            )
        file_id = self._uuid()
        record: dict[str, Any] = {
            "id": file_id,
            "createdTime": iso(self.now()),
            "fileName": file_name,
            "purpose": purpose,
            "size": len(content),
            "type": kind or "unknown",
            "url": f"{base_url.rstrip('/')}/files/{file_id}/content",
            "liveMode": live,
            "_content": content,
            "_seq": self._next_sequence(),
        }
        if title is not None:
            record["title"] = title
        store.files[file_id] = record
        return record

    def _create_file(self, call: _Call) -> tuple[int, Any]:
        if call.body_problems:
            raise DRError(400, errors_from_problems(call.body_problems))
        request = call.request
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("file")
            content = upload.read() if upload is not None else b""
            file_name = (
                request.form.get("fileName") or (upload.filename if upload else "") or "upload"
            )
            purpose = request.form.get("purpose", "")
            title = request.form.get("title")
        else:
            body = call.json_object()
            try:
                content = base64.b64decode(body.get("file", ""), validate=True)
            except (binascii.Error, ValueError):
                raise dr_error(
                    400, "invalid_parameter", "The file must be base64-encoded.", "file"
                ) from None
            file_name, purpose, title = (
                body.get("fileName", ""),
                body.get("purpose", ""),
                body.get("title"),
            )
        if not content:
            raise dr_error(400, "invalid_parameter", "The file is empty.", "file")
        record = self._store_file(
            call.store, call.live, content, file_name, purpose, title, request.host_url
        )
        return 201, self._render_file(record)

    def _file_record(self, call: _Call) -> dict[str, Any]:
        record = call.store.files.get(call.params["id"])
        if record is None:
            raise not_found("File", call.params["id"])
        return record

    def _get_file(self, call: _Call) -> tuple[int, Any]:
        return 200, self._render_file(self._file_record(call))

    def _delete_file(self, call: _Call) -> tuple[int, Any]:
        record = self._file_record(call)
        del call.store.files[record["id"]]
        return 204, None

    def _download_file(self, call: _Call) -> tuple[int, Any]:
        record = self._file_record(call)
        mime = _FILE_MIME.get(record["type"], "application/octet-stream")
        disposition = f'attachment; filename="{record["fileName"]}"'
        return 200, _Raw(record["_content"], mime, {"Content-Disposition": disposition})

    def _list_files(self, call: _Call) -> tuple[int, Any]:
        self._reject_query_problems(call)
        args = call.args
        records = list(call.store.files.values())
        if "ids" in args:
            wanted = {part for raw in args.getlist("ids") for part in raw.split(",") if part}
            records = [r for r in records if r["id"] in wanted]
        for name in ("purpose", "fileName", "title", "type"):
            if name in args:
                records = [r for r in records if r.get(name) == args[name]]
        records = _time_filters(records, args, ("createdTime",))
        page, has_more = _paginate(records, args, call.store.files, "File")
        return 200, {"hasMore": has_more, "data": [self._render_file(r) for r in page]}


_DROP: Any = Response(status=500)  # marker: close the connection without answering


@dataclass(frozen=True)
class _Raw:
    """A non-JSON response body."""

    content: bytes
    content_type: str
    headers: Mapping[str, str]


def _order_key(record: Mapping[str, Any]) -> tuple[str, int]:
    return (record["createdTime"], record["_seq"])


_COMPARE: dict[str, Callable[[datetime, datetime], bool]] = {
    "eq": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _time_filters(
    records: list[dict[str, Any]], args: MultiDict[str, str], names: tuple[str, ...]
) -> list[dict[str, Any]]:
    for name in names:
        conditions: list[tuple[str, datetime]] = []
        for key in args:
            found = re.fullmatch(rf"{name}(?:\[(\w*)\])?", key)
            if not found:
                continue
            operator = found[1] or "eq"
            text = args[key]
            if operator not in _COMPARE or not is_date_time(text):
                raise dr_error(
                    400,
                    "invalid_parameter",
                    f"'{key}' must be an ISO-8601 date-time with eq, gt, gte, lt or lte.",
                    key,
                )
            conditions.append((operator, parse_time(text)))
        for operator, moment in conditions:
            records = [
                r
                for r in records
                if r.get(name) is not None and _COMPARE[operator](parse_time(r[name]), moment)
            ]
    return records


def _paginate(
    records: list[dict[str, Any]],
    args: MultiDict[str, str],
    everything: Mapping[str, Mapping[str, Any]],
    thing: str,
) -> tuple[list[dict[str, Any]], bool]:
    raw_limit = args.get("limit", str(LIST_LIMIT_DEFAULT))
    if not re.fullmatch(r"\d+", raw_limit) or not 1 <= int(raw_limit) <= LIST_LIMIT_MAX:
        raise dr_error(
            400, "invalid_parameter", f"The limit must be between 1 and {LIST_LIMIT_MAX}.", "limit"
        )
    limit = int(raw_limit)
    ordered = sorted(records, key=_order_key, reverse=True)
    for name in ("endingBefore", "startingAfter"):  # endingBefore wins
        if name not in args:
            continue
        cursor = everything.get(args[name])
        if cursor is None:
            raise dr_error(400, "invalid_parameter", f"{thing} '{args[name]}' not found.", name)
        pivot = _order_key(cursor)
        if name == "endingBefore":
            newer = [r for r in ordered if _order_key(r) > pivot]
            return newer[-limit:], len(newer) > limit
        older = [r for r in ordered if _order_key(r) < pivot]
        return older[:limit], len(older) > limit
    return ordered[:limit], len(ordered) > limit
