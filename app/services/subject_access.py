"""Subject access (GDPR Art. 15): everything the console holds about one person, as one JSON
document and a readable summary.

It gathers the customer as the backend holds it (the local store's record, or what Digital
River returns), with its payment sources, tax identifiers and tax certificates (their files
included, base64-encoded), every audit event about the customer, the read-access events (staff
who revealed the customer's masked data, and why), and the request to be forgotten if there
is one. Each export is itself recorded in the audit trail
(``customer.subject_access``), with who made it and in which format.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from .actors import Actor
from .audit import AuditEvent, AuditLog, AuditQuery
from .customers import Customer, CustomerService
from .errors import ServiceError
from .privacy import ForgetRequest, PrivacyLog
from .reads import ReadAccess, ReadAccessLog

ACTION = "customer.subject_access"
FORMAT_VERSION = 1


def plain(value: Any) -> Any:
    """``value`` as JSON's types: dataclasses as objects, times in ISO 8601 (UTC), bytes as
    base64."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC).isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class CertificateFile:
    """A tax certificate's file as the export carries it."""

    file_id: str
    file_name: str | None
    type: str | None
    size: int | None
    sha256: str | None
    content_base64: str | None
    problem: str | None = None


@dataclass(frozen=True)
class SubjectAccess:
    """What the console holds about one customer, gathered at ``generated_time``."""

    generated_time: dt.datetime
    generated_by: str
    backend: str
    customer: Customer
    files: tuple[CertificateFile, ...]
    audit_events: tuple[AuditEvent, ...]
    read_access_events: tuple[ReadAccess, ...]
    forget_request: ForgetRequest | None

    def document(self) -> dict[str, Any]:
        """The JSON document."""
        customer = plain(self.customer)
        return {
            "format": "customer-desk.subject-access",
            "format_version": FORMAT_VERSION,
            "generated_time": plain(self.generated_time),
            "generated_by": self.generated_by,
            "backend": self.backend,
            "customer": customer,
            "sources": customer.pop("sources"),
            "tax_identifiers": customer.pop("tax_identifiers"),
            "tax_certificates": customer.pop("tax_certificates"),
            "tax_certificate_files": plain(self.files),
            "audit_events": [
                {**plain(e), "action_label": e.action_label} for e in self.audit_events
            ],
            "read_access_events": plain(self.read_access_events),
            "forget_request": plain(self.forget_request),
        }

    def json_chunks(self) -> Iterator[str]:
        yield json.dumps(self.document(), ensure_ascii=False, indent=2)
        yield "\n"


def _files(service: CustomerService, customer: Customer) -> tuple[CertificateFile, ...]:
    files = []
    for certificate in customer.tax_certificates:
        try:
            stored = service.get_file(certificate.file_id)
        except ServiceError as error:
            files.append(
                CertificateFile(certificate.file_id, None, None, None, None, None, error.message)
            )
            continue
        files.append(
            CertificateFile(
                file_id=stored.id,
                file_name=stored.file_name,
                type=stored.type,
                size=stored.size,
                sha256=hashlib.sha256(stored.content).hexdigest(),
                content_base64=base64.b64encode(stored.content).decode(),
            )
        )
    return tuple(files)


def gather(
    service: CustomerService,
    audit: AuditLog,
    privacy: PrivacyLog,
    reads: ReadAccessLog,
    customer_id: str,
    *,
    actor: Actor,
    backend: str,
    export_format: str,
) -> SubjectAccess:
    """Everything held about the customer (raises the backend's errors as they are), and the
    export recorded in the audit trail."""
    customer = service.get(customer_id)
    files = _files(service, customer)
    events = tuple(audit.iterate(AuditQuery(customer_id=customer.id)))
    request = privacy.for_customer(customer.id)
    read_events = reads.newest(customer.id, limit=10_000)
    now = dt.datetime.now(dt.UTC)
    audit.record(
        AuditEvent(
            occurred_time=now,
            actor_id=actor.id,
            actor_username=actor.username,
            action=ACTION,
            customer_id=customer.id,
            backend=backend,
            note=f"Subject access export ({export_format}): {len(events)} audit events, "
            f"{len(customer.sources)} sources, {len(files)} certificate files.",
        )
    )
    return SubjectAccess(
        generated_time=now,
        generated_by=actor.username,
        backend=backend,
        customer=customer,
        files=files,
        audit_events=events,
        read_access_events=read_events,
        forget_request=request,
    )
