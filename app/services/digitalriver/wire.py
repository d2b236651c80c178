"""Translation between DR's JSON and the domain values, read as a tolerant reader: unknown
fields are ignored, unknown enum values kept as strings, missing ones left empty."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ..customers import (
    AdditionalAddressInfo,
    Address,
    Customer,
    CustomerSummary,
    NewCustomer,
    Shipping,
    Source,
    TaxCertificate,
    TaxIdentifier,
)
from ..errors import ErrorDetail
from ..rules import EMAIL_INVALID

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def format_time(value: dt.datetime) -> str:
    value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def ceil_second(value: dt.datetime) -> dt.datetime:
    """``value`` rounded up to a whole second. DR's times are whole seconds, so a time is at or
    after (or before) ``value`` exactly when it is at or after (before) this one."""
    return value.replace(microsecond=0) + dt.timedelta(seconds=1) if value.microsecond else value


def _str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def shipping_from(data: Any) -> Shipping:
    data = _obj(data)
    address = _obj(data.get("address"))
    extra = _obj(data.get("additionalAddressInfo"))
    return Shipping(
        name=_str(data.get("name")),
        phone=_str(data.get("phone")),
        email=_str(data.get("email")),
        organization=_str(data.get("organization")),
        address=Address(
            line1=_str(address.get("line1")),
            line2=_str(address.get("line2")),
            city=_str(address.get("city")),
            postal_code=_str(address.get("postalCode")),
            state=_str(address.get("state")),
            country=_str(address.get("country")),
        ),
        additional_address_info=AdditionalAddressInfo(
            neighborhood=_str(extra.get("neighborhood")),
            division=_str(extra.get("division")),
            phonetic_name=_str(extra.get("phoneticName")),
        ),
    )


def _source(data: Mapping[str, Any]) -> Source:
    kind = _str(data.get("type")) or "unknown"
    details = _obj(data.get(kind)) or _obj(data.get("creditCard"))
    owner = _obj(data.get("owner"))
    owner_name = " ".join(
        p for p in (_str(owner.get("firstName")), _str(owner.get("lastName"))) if p
    )
    return Source(
        id=_str(data.get("id")) or "",
        type=kind,
        state=_str(data.get("state")) or "unknown",
        reusable=bool(data.get("reusable")),
        created_time=parse_time(data.get("createdTime")) or EPOCH,
        brand=_str(details.get("brand")),
        last_four=_str(details.get("lastFourDigits")),
        expiration_month=_int(details.get("expirationMonth")),
        expiration_year=_int(details.get("expirationYear")),
        currency=_str(data.get("currency")),
        owner_name=owner_name or None,
        owner_email=_str(owner.get("email")),
        flow=_str(data.get("flow")),
    )


def _tax_identifier(data: Mapping[str, Any]) -> TaxIdentifier:
    return TaxIdentifier(
        id=_str(data.get("id")) or "",
        type=_str(data.get("type")) or "",
        value=_str(data.get("value")) or "",
        state=_str(data.get("state")) or "unknown",
        created_time=parse_time(data.get("createdTime")) or EPOCH,
        updated_time=parse_time(data.get("updatedTime")),
    )


def _tax_certificate(data: Mapping[str, Any]) -> TaxCertificate:
    return TaxCertificate(
        company_name=_str(data.get("companyName")) or "",
        tax_authority=_str(data.get("taxAuthority")) or "",
        start_date=parse_time(data.get("startDate")) or EPOCH,
        end_date=parse_time(data.get("endDate")) or EPOCH,
        file_id=_str(data.get("fileId")) or "",
    )


def _ids(items: Any, *members: str) -> list[list[str | None]]:
    """The given members of each object of a list, in a stable order."""
    rows = [[_str(_obj(item).get(m)) for m in members] for item in items or () if _obj(item)]
    return sorted(rows, key=lambda row: [value or "" for value in row])


def editable_content(data: Any) -> dict[str, Any]:
    """What the console's forms change on a DR customer. What DR changes by itself is left
    out: a tax identifier's verification state (pending → verified) and its times, a source's
    state, the customer's updatedTime (which DR may or may not move for those)."""
    data = _obj(data)
    return {
        "email": data.get("email"),
        "shipping": data.get("shipping"),
        "type": data.get("type"),
        "locale": data.get("locale"),
        "metadata": data.get("metadata"),
        "enabled": data.get("enabled"),
        "requestToBeForgotten": data.get("requestToBeForgotten"),
        "defaultSourceId": data.get("defaultSourceId"),
        "sources": _ids(data.get("sources"), "id"),
        "taxIdentifiers": _ids(data.get("taxIdentifiers"), "id", "type", "value"),
        "taxCertificates": data.get("taxCertificates"),
    }


def version_of(data: Any) -> int:
    """DR has no version field: a fingerprint of what the console's forms change stands in
    (56 bits, so at most 17 digits). A form is stale when any of that changed since it was
    shown, whoever changed it, and never because DR verified a tax identifier by itself."""
    content = json.dumps(editable_content(data), sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.blake2b(content, digest_size=7).digest(), "big")


def metadata_from(data: Any) -> tuple[dict[str, str], frozenset[str]]:
    """DR's metadata as text values, and the keys whose value is not text: those are shown
    and edited as JSON (``true``, ``{"lang": "de"}``), never in Python's notation."""
    values: dict[str, str] = {}
    as_json: set[str] = set()
    for key, value in _obj(data).items():
        if value is None or isinstance(value, str):
            values[str(key)] = value or ""
        else:
            values[str(key)] = json.dumps(value, ensure_ascii=False)
            as_json.add(str(key))
    return values, frozenset(as_json)


def metadata_body(
    current: Customer, delta: Mapping[str, str]
) -> tuple[dict[str, Any], list[ErrorDetail]]:
    """The metadata changes as DR takes them: a key DR holds as JSON is sent as the JSON its
    new text spells (refused when it spells none); removing a key (empty value) and text
    keys go as they are."""
    body: dict[str, Any] = {}
    problems: list[ErrorDetail] = []
    for key, value in delta.items():
        if not value or key not in current.metadata_json:
            body[key] = value
            continue
        try:
            body[key] = json.loads(value)
        except ValueError:
            problems.append(
                ErrorDetail(
                    "invalid_metadata_value",
                    f"The value of '{key}' is JSON on Digital River: enter valid JSON, such as "
                    'true, 5, {"lang": "de"} or, for text, "in quotes".',
                    "metadata",
                )
            )
    return body, problems


def customer_from(data: Any) -> Customer:
    data = _obj(data)
    created = parse_time(data.get("createdTime")) or EPOCH
    updated = parse_time(data.get("updatedTime"))
    metadata, metadata_json = metadata_from(data.get("metadata"))
    return Customer(
        id=_str(data.get("id")) or "",
        created_time=created,
        updated_time=updated,
        email=_str(data.get("email")),
        shipping=shipping_from(data.get("shipping")),
        type=_str(data.get("type")),
        locale=_str(data.get("locale")),
        enabled=data.get("enabled") is not False,
        request_to_be_forgotten=data.get("requestToBeForgotten") is True,
        default_source_id=_str(data.get("defaultSourceId")),
        sources=tuple(_source(s) for s in data.get("sources") or () if isinstance(s, Mapping)),
        tax_identifiers=tuple(
            _tax_identifier(t) for t in data.get("taxIdentifiers") or () if isinstance(t, Mapping)
        ),
        tax_certificates=tuple(
            _tax_certificate(t) for t in data.get("taxCertificates") or () if isinstance(t, Mapping)
        ),
        metadata=metadata,
        metadata_json=metadata_json,
        live_mode=data.get("liveMode") is True,
        version=version_of(data),
    )


def summary_of(customer: Customer) -> CustomerSummary:
    return CustomerSummary(
        id=customer.id,
        created_time=customer.created_time,
        email=customer.email,
        name=customer.shipping.name,
        organization=customer.shipping.organization,
        phone=customer.shipping.phone,
        postal_code=customer.shipping.address.postal_code,
        country=customer.shipping.address.country,
        type=customer.type,
        locale=customer.locale,
        enabled=customer.enabled,
        request_to_be_forgotten=customer.request_to_be_forgotten,
        line1=customer.shipping.address.line1,
        line2=customer.shipping.address.line2,
        city=customer.shipping.address.city,
        state=customer.shipping.address.state,
    )


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "", {})}


def shipping_body(shipping: Shipping) -> dict[str, Any]:
    """DR's Shipping object with unset members left out."""
    address = _compact(
        {
            "line1": shipping.address.line1,
            "line2": shipping.address.line2,
            "city": shipping.address.city,
            "postalCode": shipping.address.postal_code,
            "state": shipping.address.state,
            "country": shipping.address.country,
        }
    )
    extra = _compact(
        {
            "neighborhood": shipping.additional_address_info.neighborhood,
            "division": shipping.additional_address_info.division,
            "phoneticName": shipping.additional_address_info.phonetic_name,
        }
    )
    return _compact(
        {
            "name": shipping.name,
            "phone": shipping.phone,
            "email": shipping.email,
            "organization": shipping.organization,
            "address": address,
            "additionalAddressInfo": extra,
        }
    )


def create_body(new: NewCustomer, customer_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"id": customer_id}
    if new.email:
        body["email"] = new.email
    if new.shipping is not None and not new.shipping.is_empty():
        body["shipping"] = shipping_body(new.shipping)
    if new.type:
        body["type"] = new.type
    if new.locale:
        body["locale"] = new.locale
    if new.enabled is False:
        body["enabled"] = False
    if new.metadata:
        body["metadata"] = {k: v for k, v in new.metadata.items() if v}
        if not body["metadata"]:
            del body["metadata"]
    return body


# DR's codes whose own message is API text ("The email address is invalid."): shown as the
# console says the same refusal of the local store.
HUMAN_MESSAGES = {"email_invalid": EMAIL_INVALID}


def error_details(body: Any) -> list[ErrorDetail]:
    """DR's ``{"type", "errors": [{"code", "parameter", "message"}]}`` as ErrorDetails."""
    details = []
    for item in _obj(body).get("errors") or ():
        if isinstance(item, Mapping):
            code = _str(item.get("code")) or _str(_obj(body).get("type")) or "unknown_error"
            details.append(
                ErrorDetail(
                    code=code,
                    message=HUMAN_MESSAGES.get(code)
                    or _str(item.get("message"))
                    or "Digital River refused the request.",
                    parameter=_str(item.get("parameter")),
                )
            )
    return details
