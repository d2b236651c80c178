"""The inline workflows on Digital River's own endpoints: enable/disable, payment sources, tax
identifiers and tax certificates (with their files).

Each operation reads the customer afresh (a retried read) and refuses a stale
``expected_version``; checks DR's rules as the local store does, so bad input never reaches DR
and both backends refuse with the same codes and parameters; sends its writes once (never
retried: an unclear answer is BackendUnavailable); and is recorded in the audit trail through
``_audited`` (the change once DR confirmed it, or the failed attempt).

A request to be forgotten is the exception to "an unclear answer is BackendUnavailable": after
one, the customer is read back and the request recorded from what DR holds. Its audit trail
has one event per real outcome: ``succeeded`` when DR confirmed it or the read-back shows the
flag, ``failed`` when DR refused it, the connection was refused or the read-back shows no
flag. While the outcome is ``unknown`` (the read-back failed too) there is no event; the check
that settles it records the one event then, as the officer who asked, its note saying a later
check found it. A ``failed`` request that DR is later seen to hold is recorded as done with a
``succeeded`` event whose note says the earlier failure was not final."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import quote

import httpx
from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import forget, rules
from ..audit import (
    SYSTEM,
    Actor,
    AuditEvent,
    AuditLog,
    FieldChange,
    in_batch,
    stale_version,
)
from ..audit import now as audit_now
from ..changes import Change, GuardedChanges
from ..customers import BlockOutcome, Customer, NewTaxCertificate, StoredFile
from ..errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerForgotten,
    CustomerNotFound,
    ErrorDetail,
    InvalidParameter,
    ServiceError,
)
from ..local.db import make_session_factory
from ..local.models import ForgetRequestRow
from ..privacy import ForgetRequest, to_request
from . import wire

log = logging.getLogger(__name__)

FILE_PURPOSE = "tax_document_customer_upload"
# How many customers of a bulk block are sent to DR at once.
BULK_CONCURRENCY = 4
# How many unknown requests to be forgotten one list (the privacy page) checks with DR.
CHECKS_PER_LIST = 10
_MIME = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def _segment(value: str) -> str:
    return quote(value, safe="")


def _customer_path(customer_id: str) -> str:
    return "/customers/" + _segment(customer_id)


def _uncertain(error: ServiceError) -> bool:
    """Whether a write that failed this way may have been applied all the same: after a
    timeout, a 5xx or 408, a connection dropped once the request was out, or an unreadable
    answer, DR may have carried it out. A refused connection (or one that timed out before
    it was made), a 429 and every refusal (4xx) reached nothing or changed nothing."""
    if not isinstance(error, BackendUnavailable):
        return False
    if error.code not in ("timeout", "unavailable", "bad_response", "connection_error"):
        return False
    cause: BaseException | None = error.__cause__  # the client raises from what httpx raised
    while cause is not None:
        if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
            return False
        cause = cause.__cause__
    return True


def _first_sentence(message: str) -> str:
    """The first sentence of a message (what happened), without its guess about the outcome."""
    head, dot, _ = message.partition(". ")
    return head + "." if dot else message


def _on_parameter(error: ServiceError, parameter: str) -> ServiceError:
    """DR's refusal with ``parameter`` filled in where DR names none (nonreusable_source)."""
    if all(detail.parameter for detail in error.errors):
        return error
    details = [ErrorDetail(d.code, d.message, d.parameter or parameter) for d in error.errors]
    return type(error)(errors=details, request_id=error.request_id)


def _not_found(error: ServiceError, message: str, parameter: str) -> InvalidParameter:
    """A 404 about a source or tax identifier of a customer just read: the thing named, not
    the customer, is missing (as the local store says it)."""
    return InvalidParameter(
        message, code="not_found", parameter=parameter, request_id=error.request_id
    )


def multipart(
    fields: Mapping[str, str], file_field: str, file_name: str, mime: str, content: bytes
) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578) and its Content-Type. Built here because the
    client's default Content-Type (JSON) would otherwise win over httpx's multipart one."""
    boundary = uuid.uuid4().hex
    while boundary.encode() in content:  # pragma: no cover - astronomically unlikely
        boundary = uuid.uuid4().hex

    def disposition(name: str, extra: str = "") -> bytes:
        return f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n'.encode()

    parts = [
        disposition(name) + b"\r\n" + _header_safe(value).encode() + b"\r\n"
        for name, value in fields.items()
    ]
    quoted = _header_safe(file_name).replace("\\", "\\\\").replace('"', "%22")
    parts.append(
        disposition(file_field, f'; filename="{quoted}"')
        + f"Content-Type: {mime}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _header_safe(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


class InlineOperations(GuardedChanges[Change]):
    """Mixed into DigitalRiverCustomerService, which provides the HTTP and audit machinery."""

    audit: AuditLog | None
    get: Callable[[str], Customer]
    _call: Callable[..., dict[str, Any]]
    _write: Callable[..., dict[str, Any]]
    _download: Callable[[str], bytes]
    _audited: Callable[..., AbstractContextManager[Change]]
    _last_request_id: Callable[[], str | None]
    backend_name: str

    @contextmanager
    def open_change(
        self,
        customer_id: str,
        action: str,
        actor: Actor,
        *,
        reason_code: str | None,
        note: str | None,
    ) -> Iterator[Change]:
        """The customer as DR holds it now (a retried read); the change is recorded once DR
        confirmed it, or as a failed attempt when a request went out and failed."""
        current = self.get(customer_id)
        with self._audited(
            action,
            customer_id,
            actor,
            before=current,
            reason_code=reason_code,
            note=note,
            record_unchanged=True,
        ) as change:
            yield change

    def _discard(self, path: str) -> None:
        """Delete what a half-done change created; best effort, once."""
        with contextlib.suppress(ServiceError):
            self._write("DELETE", path)

    # -- enable / disable ----------------------------------------------------------------------

    def write_enabled(self, customer_id: str, change: Change, enabled: bool) -> None:
        body = self._write("POST", _customer_path(customer_id), json_body={"enabled": enabled})
        change.after = wire.customer_from(body)

    def disable_many(
        self,
        customer_ids: Sequence[str],
        *,
        reason_code: str,
        note: str | None,
        actor: Actor,
        batch_id: str,
    ) -> tuple[BlockOutcome, ...]:
        """Customer by customer, BULK_CONCURRENCY at a time: each read fresh (skipped when
        already disabled or forgotten), disabled at its version, and audited as a single
        disable is; a failure is that customer's outcome, with DR's request id, and the rest go
        on. Every customer gets an outcome, whatever happens to the others."""
        note = (note or "").strip() or None
        rules.raise_if(rules.disable_problems(False, reason_code, note))
        wanted = list(dict.fromkeys(customer_ids))

        def one(customer_id: str) -> BlockOutcome:
            with in_batch(batch_id):
                try:
                    current = self.get(customer_id)
                    if current.request_to_be_forgotten:
                        return BlockOutcome(customer_id, "skipped_forgotten")
                    if not current.enabled:
                        return BlockOutcome(customer_id, "skipped_disabled")
                    self.set_enabled(
                        customer_id,
                        False,
                        reason_code=reason_code,
                        note=note,
                        expected_version=current.version,
                        actor=actor,
                    )
                except CustomerNotFound:
                    return BlockOutcome(customer_id, "not_found")
                except CustomerForgotten:
                    return BlockOutcome(customer_id, "skipped_forgotten")
                except ServiceError as error:
                    return BlockOutcome(customer_id, "failed", error.message, error.request_id)
                except Exception as error:  # noqa: BLE001 - reported as this customer's outcome
                    log.exception("bulk block %s: disabling %s failed", batch_id, customer_id)
                    return BlockOutcome(customer_id, "failed", f"Unexpected error: {error}")
                return BlockOutcome(customer_id, "disabled")

        with ThreadPoolExecutor(max_workers=BULK_CONCURRENCY) as pool:
            return tuple(pool.map(one, wanted))

    # -- payment sources -----------------------------------------------------------------------

    def attach_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        source_id = source_id.strip()
        with self.guarded(customer_id, expected_version, "source.attach", actor) as change:
            if not source_id:
                raise InvalidParameter(
                    "Source '' not found.", code="not_found", parameter="sourceId"
                )
            if any(source.id == source_id for source in change.before.sources):
                # DR answers 200 and changes nothing; both backends refuse it instead.
                raise Conflict(
                    "This source is already attached to the customer.",
                    code="already_exists",
                    parameter="sourceId",
                )
            path = f"{_customer_path(customer_id)}/sources/{_segment(source_id)}"
            try:
                self._write("POST", path)  # answers with the source, not the customer
            except CustomerNotFound as error:
                raise _not_found(error, f"Source '{source_id}' not found.", "sourceId") from error
            except (Conflict, InvalidParameter) as error:
                raise _on_parameter(error, "sourceId") from error
            change.after = self.get(customer_id)
        return change.result

    def detach_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        """Detaching cancels the source for good; detaching the default leaves no default."""
        with self.guarded(customer_id, expected_version, "source.detach", actor) as change:
            current = change.before
            message = "This source is not attached to the customer."
            if not any(source.id == source_id for source in current.sources):
                raise InvalidParameter(message, code="not_found", parameter="sourceId")
            path = f"{_customer_path(customer_id)}/sources/{_segment(source_id)}"
            try:
                self._write("DELETE", path)
            except CustomerNotFound as error:
                raise _not_found(error, message, "sourceId") from error
            change.after = self.get(customer_id)
        return change.result

    def set_default_source(
        self,
        customer_id: str,
        source_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        with self.guarded(customer_id, expected_version, "source.default", actor) as change:
            current = change.before
            if not any(source.id == source_id for source in current.sources):
                raise InvalidParameter(
                    "The default source must be one of the customer's attached sources.",
                    parameter="defaultSourceId",
                )
            body = self._write(
                "POST", _customer_path(customer_id), json_body={"defaultSourceId": source_id}
            )
            change.after = wire.customer_from(body)
        return change.result

    # -- tax identifiers -----------------------------------------------------------------------

    def add_tax_identifier(
        self,
        customer_id: str,
        type_: str,
        value: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        """Create the tax identifier, then attach it; if the attach fails the new identifier
        is deleted again, so nothing half-written remains."""
        value = value.strip().replace(" ", "")
        rules.raise_if(rules.tax_identifier_problems(type_, value))
        with self.guarded(customer_id, expected_version, "tax_identifier.add", actor) as change:
            current = change.before
            if any(tax_id.type == type_ for tax_id in current.tax_identifiers):
                raise Conflict(
                    f"The customer already has a '{type_}' tax identifier; remove it first.",
                    code="already_exists",
                    parameter="type",
                )
            created = self._write(
                "POST", "/tax-identifiers", json_body={"type": type_, "value": value}
            )
            tax_id = created.get("id")
            if not isinstance(tax_id, str) or not tax_id:
                raise BackendUnavailable(
                    "Digital River created the tax identifier without an id; nothing was "
                    "attached to the customer.",
                    code="bad_response",
                )
            path = f"{_customer_path(customer_id)}/tax-identifiers/{_segment(tax_id)}"
            try:
                self._write("POST", path)
            except ServiceError:
                self._discard("/tax-identifiers/" + _segment(tax_id))
                raise
            change.after = self.get(customer_id)
        return change.result

    def remove_tax_identifier(
        self,
        customer_id: str,
        tax_identifier_id: str,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        """DR's only way to detach a tax identifier is to delete it."""
        with self.guarded(customer_id, expected_version, "tax_identifier.remove", actor) as change:
            current = change.before
            message = "This tax identifier is not the customer's."
            if not any(tax_id.id == tax_identifier_id for tax_id in current.tax_identifiers):
                raise InvalidParameter(message, code="not_found", parameter="id")
            try:
                self._write("DELETE", "/tax-identifiers/" + _segment(tax_identifier_id))
            except CustomerNotFound as error:
                raise _not_found(error, message, "id") from error
            change.after = self.get(customer_id)
        return change.result

    # -- requests to be forgotten ---------------------------------------------------------------

    def request_forget(
        self,
        customer_id: str,
        *,
        reason: str,
        actor: Actor,
        expected_version: int | None = None,
    ) -> ForgetRequest:
        """Record the request (``pending``, committed: the unique customer id makes a double
        submit one request), send ``requestToBeForgotten: true`` once (never retried), then
        record the outcome: ``requested`` with DR's request id, or ``failed`` with the error
        (re-raised; calling again retries on the same record). When DR's answer leaves it
        unclear whether the flag was set (see ``_uncertain``) the customer is read back: the
        request is ``requested`` if DR holds the flag, ``failed`` if not, and ``unknown``
        (returned, not raised) if DR cannot be read either; ``check_forget`` settles it later.
        A standing ``unknown`` or ``failed`` request that DR holds is settled as done without
        sending anything. DR removes the data under its own retention policy; nothing is
        erased here."""
        reason = forget.clean_reason(reason)
        if self.audit is None:
            raise BackendUnavailable(
                "Requests to be forgotten need the console's database; nothing was sent.",
                code="no_database",
            )
        sessions = make_session_factory(self.audit.engine)
        current = self.get(customer_id)
        standing, settled = self._settle_standing(sessions, customer_id, current)
        if settled and standing is not None and standing.status == "requested":
            return standing
        request_pk = self._claim_forget(sessions, current, reason, actor, expected_version)

        def finish(**fields: object) -> ForgetRequest:
            return _finish_forget(sessions, request_pk, fields)

        unsure: BackendUnavailable | None = None
        request_id: str | None = None
        try:
            with self._audited(
                forget.FORGET_ACTION,
                customer_id,
                actor,
                before=current,
                note=reason,
                record_unchanged=True,
                values=False,
            ) as outcome:
                try:
                    body = self._write(
                        "POST",
                        _customer_path(customer_id),
                        json_body={"requestToBeForgotten": True},
                    )
                except BackendUnavailable as error:
                    if not _uncertain(error):
                        raise
                    known, held = self._read_back(customer_id)
                    if not known:
                        unsure = error  # no audit event until the outcome is known
                    elif held is not None and held.request_to_be_forgotten:
                        outcome.after = held
                        request_id = error.request_id
                    else:
                        raise BackendUnavailable(
                            f"{_first_sentence(error.message)} Digital River does not hold the "
                            "request (read back right after), so nothing was changed.",
                            code=error.code,
                            request_id=error.request_id,
                        ) from error
                else:
                    request_id = self._last_request_id()
                    outcome.after = wire.customer_from(body)
        except ServiceError as error:
            finish(
                status="failed",
                completed_time=None,
                error=f"{error.code}: {error.message}",
                request_id=error.request_id,
            )
            raise
        except BaseException as error:
            finish(status="failed", completed_time=None, error=f"unexpected: {error}")
            raise
        if unsure is not None:
            return finish(
                status="unknown",
                completed_time=None,
                error=f"{unsure.code}: {unsure.message}",
                request_id=unsure.request_id,
            )
        return finish(
            status="requested",
            completed_time=forget.utcnow(),
            error=None,
            request_id=request_id,
        )

    def _read_back(self, customer_id: str) -> tuple[bool, Customer | None]:
        """Whether DR answered a (retried) read of the customer, and the customer it holds
        (None: DR has no such customer)."""
        try:
            return True, self.get(customer_id)
        except CustomerNotFound:
            return True, None
        except (BackendUnavailable, BackendRefused):
            return False, None

    def check_forget(
        self, customer_id: str, *, customer: Customer | None = None
    ) -> ForgetRequest | None:
        """The customer's request to be forgotten, settled from what DR holds: an ``unknown``
        one becomes ``requested`` or ``failed`` (reading the customer, retried, unless
        ``customer`` was just read); a ``failed`` one that ``customer`` shows DR holding after
        all becomes ``requested``. Unchanged while DR cannot be read."""
        if self.audit is None:
            return None
        sessions = make_session_factory(self.audit.engine)
        if customer is None:
            with sessions() as session:
                row = forget.existing_request(session, customer_id)
                if row is None or row.status != "unknown":
                    return to_request(row) if row is not None else None
            try:
                customer = self.get(customer_id)
            except CustomerNotFound:
                return self._settle(sessions, customer_id, None)
            except (BackendUnavailable, BackendRefused):
                return self._request_of(sessions, customer_id)
        return self._settle_standing(sessions, customer_id, customer)[0]

    def check_forget_requests(self, requests: Sequence[ForgetRequest]) -> tuple[ForgetRequest, ...]:
        """``requests`` with each ``unknown`` one of this backend settled by one read of its
        customer (no retries): at most CHECKS_PER_LIST reads, and none after the first DR does
        not answer, so a list stays quick while DR is down."""
        if self.audit is None:
            return tuple(requests)
        sessions = make_session_factory(self.audit.engine)
        checked: list[ForgetRequest] = []
        budget = CHECKS_PER_LIST
        for request in requests:
            if request.status == "unknown" and request.backend == self.backend_name and budget:
                budget -= 1
                try:
                    body = self._call("GET", _customer_path(request.customer_id), retry=False)
                except CustomerNotFound:
                    request = self._settle(sessions, request.customer_id, None) or request
                except (BackendUnavailable, BackendRefused):
                    budget = 0
                else:
                    customer = wire.customer_from(body)
                    request = self._settle(sessions, request.customer_id, customer) or request
            checked.append(request)
        return tuple(checked)

    def _settle_standing(
        self, sessions: Callable[[], Session], customer_id: str, customer: Customer
    ) -> tuple[ForgetRequest | None, bool]:
        """The standing request settled from ``customer`` (just read from DR), and whether
        this call changed it."""
        before = self._request_of(sessions, customer_id)
        if before is None or before.status not in ("unknown", "failed"):
            return before, False
        after = self._settle(sessions, customer_id, customer)
        return after, after is not None and after.status != before.status

    @staticmethod
    def _request_of(sessions: Callable[[], Session], customer_id: str) -> ForgetRequest | None:
        with sessions() as session:
            row = forget.existing_request(session, customer_id)
            return to_request(row) if row is not None else None

    def _settle(
        self, sessions: Callable[[], Session], customer_id: str, customer: Customer | None
    ) -> ForgetRequest | None:
        """Record what ``customer`` (None: DR has no such customer) shows about an ``unknown``
        or ``failed`` request, once: the status changes only from what it was read as, so two
        pages settling it at once record one audit event. ``unknown`` becomes ``requested``
        or ``failed``; ``failed`` becomes ``requested`` only if DR holds the flag."""
        held = customer is not None and customer.request_to_be_forgotten
        with sessions() as session:
            row = forget.existing_request(session, customer_id)
            if row is None:
                return None
            was, error, reason = row.status, row.error, row.reason
            if not (was == "unknown" or (was == "failed" and held)):
                return to_request(row)
            if held:
                fields: dict[str, object] = {
                    "status": "requested",
                    "completed_time": forget.utcnow(),
                    "error": None,
                }
                note = (
                    f"{reason} (the earlier failure was not final: "
                    if was == "failed"
                    else f"{reason} (Digital River did not confirm the request at first; "
                ) + "a later check found Digital River holds it)"
            else:
                found = (
                    "Digital River does not hold the request"
                    if customer is not None
                    else "Digital River has no such customer"
                )
                code, _, message = (error or "unknown: ").partition(": ")
                error = f"{code}: {_first_sentence(message)} {found} (found on a later check)."
                fields = {"status": "failed", "completed_time": None, "error": error}
                note = reason
            taken = session.execute(
                update(ForgetRequestRow)
                .where(ForgetRequestRow.id == row.id, ForgetRequestRow.status == was)
                .values(**fields)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            if taken.rowcount == 1 and self.audit is not None:  # type: ignore[attr-defined]
                self.audit.record(
                    AuditEvent(
                        occurred_time=audit_now(),
                        actor_id=row.requested_by_id,
                        actor_username=row.requested_by,
                        action=forget.FORGET_ACTION,
                        customer_id=customer_id,
                        outcome="succeeded" if held else "failed",
                        backend=self.backend_name,
                        note=note,
                        changes=(FieldChange("requestToBeForgotten", None, None),) if held else (),
                        version_after=customer.version if held and customer else None,
                        request_id=row.request_id,
                        error=None if held else error,
                    )
                )
            session.expire_all()
            row = forget.existing_request(session, customer_id)
            return to_request(row) if row is not None else None

    def _claim_forget(
        self,
        sessions: Callable[[], Session],
        current: Customer,
        reason: str,
        actor: Actor,
        expected_version: int | None,
    ) -> int:
        """Refuse a customer already forgotten (by another request) or a stale confirmation;
        otherwise record the request as ``pending`` (committed) and return its key."""
        with sessions() as session:
            existing = forget.existing_request(session, current.id)
        if existing is None and current.request_to_be_forgotten:
            raise forget.already_forgotten(None)
        if expected_version is not None and current.version != expected_version:
            raise stale_version(self.audit, current.id, expected_version)
        with sessions() as session:
            request = forget.claim(
                session,
                current.id,
                reason=reason,
                actor=actor,
                backend=self.backend_name,
                status="pending",
            )
            session.commit()
            return request.id

    # -- tax certificates and files ------------------------------------------------------------

    def add_tax_certificate(
        self,
        customer_id: str,
        certificate: NewTaxCertificate,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
    ) -> Customer:
        """Upload the file (multipart), then add the certificate naming it. If DR refuses the
        certificate the file is deleted again; if its answer is unclear the file is kept (the
        certificate may hold it)."""
        rules.raise_if(rules.tax_certificate_problems(certificate))
        kind = rules.file_type(certificate.content) or "pdf"
        with self.guarded(customer_id, expected_version, "tax_certificate.add", actor) as change:
            file_name = rules.stored_file_name(certificate.file_name, kind)
            content, content_type = multipart(
                {"purpose": FILE_PURPOSE, "fileName": file_name},
                "file",
                file_name,
                _MIME[kind],
                certificate.content,
            )
            uploaded = self._write("POST", "/files", content=content, content_type=content_type)
            file_id = uploaded.get("id")
            if not isinstance(file_id, str) or not file_id:
                raise BackendUnavailable(
                    "Digital River stored the file without an id; no certificate was added.",
                    code="bad_response",
                )
            body = {
                "taxCertificate": {
                    "companyName": certificate.company_name.strip(),
                    "taxAuthority": certificate.tax_authority,
                    "startDate": wire.format_time(certificate.start_date),
                    "endDate": wire.format_time(certificate.end_date),
                    "fileId": file_id,
                }
            }
            try:
                updated = self._write("POST", _customer_path(customer_id), json_body=body)
            except BackendUnavailable:
                raise
            except ServiceError:
                self._discard("/files/" + _segment(file_id))
                raise
            change.after = wire.customer_from(updated)
        return change.result

    def get_file(self, file_id: str) -> StoredFile:
        path = "/files/" + _segment(file_id)
        try:
            if not file_id:
                raise CustomerNotFound()
            meta = self._call("GET", path, retry=True)
            content = self._download(path + "/content")
        except CustomerNotFound as error:
            raise CustomerNotFound(
                f"File '{file_id}' not found.", parameter="fileId", request_id=error.request_id
            ) from error
        size = meta.get("size")
        return StoredFile(
            id=str(meta.get("id") or file_id),
            file_name=str(meta.get("fileName") or ""),
            type=str(meta.get("type") or rules.file_type(content) or ""),
            size=size if isinstance(size, int) else len(content),
            content=content,
        )


def _finish_forget(
    sessions: Callable[[], Session], request_pk: int, fields: Mapping[str, object]
) -> ForgetRequest:
    """Record the outcome of a request to be forgotten on its record."""
    with sessions() as session:
        row = session.get(ForgetRequestRow, request_pk)
        assert row is not None
        for name, value in fields.items():
            setattr(row, name, value)
        session.commit()
        return to_request(row)


__all__ = ["InlineOperations", "multipart"]
