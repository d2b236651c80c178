"""CustomerService on Digital River's Customers API over one httpx.Client."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from .. import links, rules
from ..audit import SYSTEM, Actor, AuditEvent, AuditLog, FieldChange, stale_version
from ..audit import diff as audit_diff
from ..audit import now as audit_now
from ..changes import Change, refuse_unwritable
from ..customers import (
    UNSET,
    Cursor,
    Customer,
    CustomerSummary,
    CustomerUpdate,
    NewCustomer,
    SearchCapabilities,
    SearchPage,
    SearchQuery,
    Shipping,
)
from ..errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerNotFound,
    ErrorDetail,
    InvalidParameter,
    ServiceError,
    StaleVersion,
)
from ..links import Links
from ..terms import DR_QUALIFIERS, SearchTerms, parse_terms
from . import wire
from .inline import InlineOperations

APPLICATION_ID = "customer-desk/0.1.0"
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=3.0)
MAX_PAGE = 100
DR_LINKS_UNAVAILABLE = "Digital River looks customers up by exact email only."
MAX_RATE_LIMIT_WAITS = 5  # even a Retry-After of 0 must not make a request loop for ever
UNAVAILABLE = "Digital River is unavailable right now. Nothing was changed; try again in a moment."

DR_CAPABILITIES = SearchCapabilities(
    substring=False,
    email_prefix=False,
    unavailable_filters={
        "enabled": "Digital River's customer list cannot filter on enabled.",
        "type": "Digital River's customer list cannot filter on type.",
        "locale": "Digital River's customer list cannot filter on locale.",
        "order": "Digital River lists customers newest first only.",
    },
    searched="exact customer ids and whole email addresses",
    note="On Digital River the box finds an exact customer id or a whole email address, "
    "and id:, email: and created: qualifiers (names, phones, places, cards, tax ids, "
    "metadata and parts of emails cannot be searched there).",
    qualifiers=DR_QUALIFIERS,
)


def _dr_filters(terms: SearchTerms) -> tuple[str | None, str | None, list[str]]:
    """What DR's list can be asked: (the exact id, the exact email, what it cannot search).
    Free text is an email when it has an @ and an id otherwise; ``id:`` and a whole
    ``email:`` address are sent; ``created:`` has narrowed the query already."""
    ids: list[str] = []
    emails: list[str] = []
    unsearchable: list[str] = []
    for clause in terms.clauses:
        if clause.name is None:
            (emails if "@" in clause.value else ids).append(clause.value)
        elif clause.name == "id":
            ids.append(clause.value)
        elif clause.name == "email" and "@" in clause.value.strip("@"):
            emails.append(clause.value)
        else:
            label = "email: (part of an address)" if clause.name == "email" else clause.name
            unsearchable.append(label if label.endswith(")") else f"{label}:")
    if len(set(ids)) > 1 or len(set(emails)) > 1:
        unsearchable.append("more than one id or email")
    return (ids[0] if ids else None), (emails[0] if emails else None), unsearchable


def _unsearchable_notice(what: list[str]) -> str:
    return (
        "Not available on Digital River: "
        + ", ".join(what)
        + ". Its customer list finds an exact id (id:), a whole email address (email:) "
        "and a creation period (created:) only; search the local store for the rest."
    )


def build_http_client(
    base_url: str, api_key: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, **kwargs: Any
) -> httpx.Client:
    """The one client the app keeps: base URL, bearer key, JSON, bounded timeouts."""
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers={
            "Authorization": f"Bearer {api_key}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "upstream-application-id": APPLICATION_ID,
        },
        timeout=timeout,
        **kwargs,
    )


class _Ambiguous(Exception):
    """The request may or may not have been applied (timeout, 5xx, unreadable answer)."""

    def __init__(self, error: BackendUnavailable) -> None:
        super().__init__(error.message)
        self.error = error


class DigitalRiverCustomerService(InlineOperations):
    """DR's Customers API as a CustomerService. Reads are retried; a create is retried only
    with an explicit id and reconciled through 409 ``already_exists``; updates and the inline
    workflows' writes never are."""

    backend_name = "digitalriver"
    capabilities = DR_CAPABILITIES

    def __init__(
        self,
        http: httpx.Client,
        *,
        live_mode: bool,
        retries: int = 2,
        max_retry_after: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        audit: AuditLog | None = None,
    ) -> None:
        self.http = http
        self.live_mode = live_mode
        self.retries = retries
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self.audit = audit
        self._sent = threading.local()

    # -- reading -----------------------------------------------------------------------------

    def get(self, customer_id: str) -> Customer:
        body = self._call("GET", _customer_path(customer_id), retry=True)
        return wire.customer_from(body)

    def ping(self) -> None:
        """The cheapest authenticated read DR has: one customer of the list, once."""
        self._call("GET", "/customers", params={"limit": 1}, retry=False)

    def search(self, query: SearchQuery) -> SearchPage:
        params: dict[str, Any] = {"limit": max(1, min(query.limit, MAX_PAGE))}
        terms = parse_terms(query.text)
        query = terms.narrow(query)
        term, email, unsearchable = _dr_filters(terms)
        if unsearchable:
            return SearchPage(items=(), notice=_unsearchable_notice(unsearchable))
        if email:
            params["email"] = email
        if term:
            if "," in term:
                # DR reads ids=a,b as two ids; an id with a comma is fetched directly.
                return self._exact_lookup(term)
            params["ids"] = term
        if query.forget_requested is not None:
            params["requestToBeForgotten"] = "true" if query.forget_requested else "false"
        if query.created_from:
            params["createdTime[gte]"] = wire.format_time(wire.ceil_second(query.created_from))
        if query.created_to:
            params["createdTime[lt]"] = wire.format_time(wire.ceil_second(query.created_to))
        backwards = query.before is not None and query.after is None
        if query.after is not None:
            params["startingAfter"] = query.after.id
        elif query.before is not None:
            params["endingBefore"] = query.before.id
        body = self._call("GET", "/customers", params=params, retry=True)
        items = tuple(
            wire.summary_of(wire.customer_from(c))
            for c in body.get("data") or ()
            if isinstance(c, Mapping)
        )
        has_more = body.get("hasMore") is True
        first = Cursor(items[0].created_time, items[0].id) if items else None
        last = Cursor(items[-1].created_time, items[-1].id) if items else None
        if backwards:
            next_cursor, prev_cursor = last, (first if has_more else None)
        else:
            next_cursor = last if has_more else None
            prev_cursor = first if query.after is not None else None
        exact = next((i for i in items if term and i.id == term), None)
        notice = None
        ignored = [
            name
            for name, value in (
                ("enabled", query.enabled),
                ("type", query.type),
                ("locale", query.locale),
                ("oldest first", query.oldest_first or None),
            )
            if value not in (None, "")
        ]
        if ignored:
            notice = "Ignored on Digital River: " + ", ".join(ignored) + "."
        return SearchPage(
            items=items,
            next_cursor=next_cursor,
            prev_cursor=prev_cursor,
            exact_id_match=exact,
            notice=notice,
        )

    def summaries(self, ids: Sequence[str]) -> dict[str, CustomerSummary]:
        # DR reads ids=a,b as a list: one request for them all (an id with a comma is left
        # out; so are ids DR does not hold).
        wanted = [i for i in dict.fromkeys(ids) if i and "," not in i][:MAX_PAGE]
        if not wanted:
            return {}
        params = {"ids": ",".join(wanted), "limit": len(wanted)}
        body = self._call("GET", "/customers", params=params, retry=True)
        found = (
            wire.summary_of(wire.customer_from(c))
            for c in body.get("data") or ()
            if isinstance(c, Mapping)
        )
        return {s.id: s for s in found if s.id in wanted}

    def _exact_lookup(self, customer_id: str) -> SearchPage:
        try:
            summary = wire.summary_of(self.get(customer_id))
        except CustomerNotFound:
            return SearchPage(items=())
        return SearchPage(items=(summary,), exact_id_match=summary)

    def sharing_email(self, customer: Customer, limit: int = 20) -> tuple[CustomerSummary, ...]:
        if not customer.email:
            return ()
        params = {"email": customer.email, "limit": min(limit + 1, MAX_PAGE)}
        body = self._call("GET", "/customers", params=params, retry=True)
        others = (
            wire.summary_of(wire.customer_from(c))
            for c in body.get("data") or ()
            if isinstance(c, Mapping)
        )
        return tuple(o for o in others if o.id != customer.id)[:limit]

    def linked(self, customer: Customer, *, metadata_keys: Sequence[str] = ()) -> Links:
        """Digital River looks customers up by exact email only: the one group it can
        answer, counted as far as one page goes; the other reasons are named unavailable."""
        unavailable = dict.fromkeys(
            (r for r in links.REASONS if r != "email"), DR_LINKS_UNAVAILABLE
        )
        if not customer.email or customer.request_to_be_forgotten:
            return Links(unavailable=unavailable, checked=("email",) if customer.email else ())
        # One more than a group lists: whether there are more than that.
        others = self.sharing_email(customer, limit=links.GROUP_LIMIT + 1)
        if not others:
            return Links(unavailable=unavailable, checked=("email",))
        group = links.LinkGroup(
            "email",
            customer.email,
            others[: links.GROUP_LIMIT],
            total=len(others),
            disabled=sum(not o.enabled for o in others),
            cap=links.GROUP_LIMIT,
        )
        return Links(groups=(group,), total=len(others), unavailable=unavailable)

    # -- writing -----------------------------------------------------------------------------

    def create(self, new: NewCustomer, *, actor: Actor = SYSTEM) -> Customer:
        with self._audited("customer.create", new.id, actor, before=None) as outcome:
            outcome.after = self._create(new)
            return outcome.after

    def _create(self, new: NewCustomer) -> Customer:
        problems: list[ErrorDetail] = []
        if new.id is not None:
            problem = rules.customer_id_problem(new.id)
            if problem:
                problems.append(problem)
        problems += rules.check_fields(
            email=new.email, shipping=new.shipping, type_=new.type, locale=new.locale
        )
        problems += rules.metadata_problems(dict(new.metadata), new.metadata)
        rules.raise_if(problems)
        # Our own id makes the create safe to retry: a repeat is answered with 409.
        customer_id = new.id or rules.generate_customer_id()
        body = wire.create_body(new, customer_id)
        attempts = self.retries + 1
        ambiguous = False
        for attempt in range(attempts):
            try:
                created = self._call_once("POST", "/customers", json_body=body)
            except _Ambiguous as exc:
                ambiguous = True
                if attempt + 1 >= attempts:
                    raise exc.error from exc
                self._backoff(attempt)
                continue
            except Conflict as conflict:
                if ambiguous and conflict.code == "already_exists":
                    return self._reconcile(replace(new, id=customer_id), conflict)
                raise
            return wire.customer_from(created)
        raise BackendUnavailable(UNAVAILABLE)  # pragma: no cover - the loop always returns

    def _reconcile(self, new: NewCustomer, conflict: Conflict) -> Customer:
        """After an unclear first attempt, a 409 means it went through if DR holds what we sent."""
        assert new.id is not None
        existing = self.get(new.id)
        if new.describes(existing):
            return existing
        raise conflict

    def update(
        self,
        customer_id: str,
        changes: CustomerUpdate,
        *,
        expected_version: int | None = None,
        actor: Actor = SYSTEM,
        action: str = "customer.update",
        note: str | None = None,
    ) -> Customer:
        current = refuse_unwritable(self.get(customer_id), None, self.audit)
        with self._audited(action, customer_id, actor, before=current, note=note) as outcome:
            outcome.after = self._update(current, changes, expected_version)
            return outcome.after

    def _update(
        self, current: Customer, changes: CustomerUpdate, expected_version: int | None
    ) -> Customer:
        customer_id = current.id
        if expected_version is not None and current.version != expected_version:
            # Stale first: a form based on what has since changed is refused as stale, not
            # for what its old values would now mean (clearing a locale set meanwhile, say).
            try:
                asks_for_more = bool(self._update_body(current, changes))
            except InvalidParameter:
                asks_for_more = True
            if not asks_for_more:
                return current  # what was asked for is already there (e.g. a repeated save)
            raise stale_version(self.audit, customer_id, expected_version)
        body = self._update_body(current, changes)
        if not body:
            return current
        try:
            updated = self._call_once("POST", _customer_path(customer_id), json_body=body)
        except _Ambiguous as exc:
            raise exc.error from exc
        return wire.customer_from(updated)

    def _update_body(self, current: Customer, changes: CustomerUpdate) -> dict[str, Any]:
        """Only what changes; DR takes the id from the path, never the body."""
        problems: list[ErrorDetail] = []
        body: dict[str, Any] = {}
        if changes.email is not UNSET and (changes.email or None) != current.email:
            if changes.email:
                problems += rules.check_fields(email=changes.email)
                body["email"] = changes.email
            else:
                problems.append(
                    ErrorDetail(
                        "invalid_parameter",
                        "Digital River cannot remove an email; enter another one.",
                        "email",
                    )
                )
        # None and an empty block both mean "no shipping": no change for a customer without one.
        if changes.shipping is not UNSET and (changes.shipping or Shipping()) != current.shipping:
            if changes.shipping is None or changes.shipping.is_empty():
                problems.append(
                    ErrorDetail(
                        "invalid_parameter",
                        "Digital River cannot remove the shipping block; change its fields.",
                        "shipping.name",
                    )
                )
            else:
                problems += rules.check_fields(shipping=changes.shipping, before=current.shipping)
                body["shipping"] = wire.shipping_body(changes.shipping)
        for name in ("type", "locale"):
            value = getattr(changes, name)
            if value is not UNSET and (value or None) != getattr(current, name):
                if value:
                    problems += rules.check_fields(**{("type_" if name == "type" else name): value})
                    body[name] = value
                else:
                    problems.append(
                        ErrorDetail(
                            "invalid_parameter",
                            f"Digital River cannot clear the {name}; choose a value.",
                            name,
                        )
                    )
        if changes.metadata is not UNSET:
            delta = {
                k: v
                for k, v in changes.metadata.items()
                if (v or "") != (current.metadata.get(k) or "")
            }
            if delta:
                merged = rules.merge_metadata(current.metadata, delta)
                problems += rules.metadata_problems(merged, delta)
                body["metadata"], unreadable = wire.metadata_body(current, delta)
                problems += unreadable
        rules.raise_if(problems)
        return body

    def _write(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """One write, never retried: when DR's answer is unclear it is BackendUnavailable."""
        try:
            return self._call_once(
                method, path, json_body=json_body, content=content, content_type=content_type
            )
        except _Ambiguous as exc:
            raise exc.error from exc

    # -- audit ---------------------------------------------------------------------------------

    @contextmanager
    def _audited(
        self,
        action: str,
        customer_id: str | None,
        actor: Actor,
        *,
        before: Customer | None,
        reason_code: str | None = None,
        note: str | None = None,
        record_unchanged: bool = False,
        values: bool = True,
    ) -> Iterator[Change]:
        """Record the change once DR has confirmed it, or the attempt as failed. A refusal
        before anything was sent (our own check of DR's rules, a stale version) is no attempt
        on DR and is not recorded, as on the local store. ``record_unchanged``: record a
        confirmed change even when no field differs (re-disabling with a new reason). ``values``
        False: record the changed fields' names only (a request to be forgotten)."""
        outcome = Change(before)
        sent_before = self._sent_count()
        try:
            yield outcome
        except ServiceError as error:
            attempted = self._sent_count() != sent_before or isinstance(
                error, (BackendUnavailable, BackendRefused)
            )
            if self.audit is not None and attempted and not isinstance(error, StaleVersion):
                self.audit.record(
                    AuditEvent(
                        occurred_time=audit_now(),
                        actor_id=actor.id,
                        actor_username=actor.username,
                        action=action,
                        customer_id=customer_id,
                        outcome="failed",
                        backend=self.backend_name,
                        reason_code=reason_code,
                        note=note,
                        request_id=error.request_id,
                        error=f"{error.code}: {error.message}",
                    )
                )
            raise
        after = outcome.after
        if self.audit is not None and after is not None:
            changes = audit_diff(before, after)
            if not values:
                changes = tuple(FieldChange(c.field, None, None) for c in changes)
            if changes or before is None or record_unchanged:
                self.audit.record(
                    AuditEvent(
                        occurred_time=audit_now(),
                        actor_id=actor.id,
                        actor_username=actor.username,
                        action=action,
                        customer_id=after.id,
                        backend=self.backend_name,
                        reason_code=reason_code,
                        note=note,
                        changes=changes,
                        version_after=after.version,
                    )
                )

    # -- HTTP ----------------------------------------------------------------------------------

    def _last_request_id(self) -> str | None:
        """DR's request id of the last answer this thread received."""
        return getattr(self._sent, "request_id", None)

    def _sent_count(self) -> int:
        """How many requests this thread has sent (the app shares one service)."""
        return getattr(self._sent, "count", 0)

    def _backoff(self, attempt: int) -> None:
        self._sleep(min(0.25 * (2**attempt), 2.0))

    def _call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, retry: bool
    ) -> dict[str, Any]:
        attempts = self.retries + 1 if retry else 1
        for attempt in range(attempts):
            try:
                return self._call_once(method, path, params=params)
            except _Ambiguous as exc:
                if attempt + 1 >= attempts:
                    raise exc.error from exc
                self._backoff(attempt)
        raise BackendUnavailable(UNAVAILABLE)  # pragma: no cover

    def _call_once(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """One request (plus waiting out a 429 within bounds: DR did not process it)."""
        response, request_id = self._send(
            method,
            path,
            params=params,
            json_body=json_body,
            content=content,
            content_type=content_type,
        )
        return self._read(method, path, response, request_id)

    def _download(self, path: str) -> bytes:
        """A file's own bytes (not JSON); retried like any read."""
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                response, request_id = self._send("GET", path, accept="*/*")
                if response.status_code < 400:
                    return response.content
                self._read("GET", path, response, request_id)  # raises the error it carries
                raise BackendUnavailable(UNAVAILABLE, request_id=request_id)  # pragma: no cover
            except _Ambiguous as exc:
                if attempt + 1 >= attempts:
                    raise exc.error from exc
                self._backoff(attempt)
        raise BackendUnavailable(UNAVAILABLE)  # pragma: no cover

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        content: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> tuple[httpx.Response, str | None]:
        """Send one request, waiting out 429s within bounds; transport failures raise."""
        headers: dict[str, str] = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if accept is not None:
            headers["Accept"] = accept
        waited = 0.0
        rate_limited = 0
        while True:
            self._sent.count = self._sent_count() + 1
            try:
                response = self.http.request(
                    method,
                    path,
                    params=params,
                    json=json_body,
                    content=content,
                    headers={**headers, "upstream-id": str(uuid.uuid4())},
                )
            except httpx.TimeoutException as exc:
                raise _Ambiguous(
                    BackendUnavailable(
                        "Digital River did not answer in time. " + _not_sure(method, path),
                        code="timeout",
                        uncertain=method != "GET",
                    )
                ) from exc
            except httpx.ConnectError as exc:
                raise _Ambiguous(
                    BackendUnavailable(
                        "Digital River could not be reached. Nothing was changed; try again in a "
                        "moment.",
                        code="connection_error",
                    )
                ) from exc
            except httpx.TransportError as exc:  # sent, then the connection broke: maybe applied
                raise _Ambiguous(
                    BackendUnavailable(
                        "Digital River closed the connection without answering. "
                        + _not_sure(method, path),
                        uncertain=method != "GET",
                        code="connection_error",
                    )
                ) from exc
            request_id = response.headers.get("x-dr-requestid")
            self._sent.request_id = request_id
            if response.status_code == 429:
                delay = _retry_after(response.headers.get("Retry-After"))
                if (
                    delay is not None
                    and waited + delay <= self.max_retry_after
                    and rate_limited < MAX_RATE_LIMIT_WAITS
                ):
                    waited += delay
                    rate_limited += 1
                    self._sleep(delay)
                    continue
                raise BackendUnavailable(
                    "Digital River is limiting the request rate. Nothing was changed; try again "
                    f"in {int(delay) if delay is not None else 'a few'} seconds.",
                    code="too_many_requests",
                    request_id=request_id,
                )
            return response, request_id

    def _read(
        self, method: str, path: str, response: httpx.Response, request_id: str | None
    ) -> dict[str, Any]:
        status = response.status_code
        if status in (401, 403):
            raise BackendRefused(
                "Digital River refused the API key (check FLASK_DR_API_KEY).",
                code="unauthorized" if status == 401 else "forbidden",
                request_id=request_id,
            )
        if status >= 500 or status == 408:
            raise _Ambiguous(
                BackendUnavailable(
                    f"Digital River is unavailable (HTTP {status}). " + _not_sure(method, path),
                    uncertain=method != "GET",
                    code="unavailable",
                    request_id=request_id,
                )
            )
        if status < 400 and (status == 204 or not response.content):
            return {}
        try:
            body = response.json() if response.content else {}  # an error may come bodiless
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _Ambiguous(
                BackendUnavailable(
                    "Digital River sent an unreadable answer. " + _not_sure(method, path),
                    uncertain=method != "GET",
                    code="bad_response",
                    request_id=request_id,
                )
            ) from exc
        if not isinstance(body, dict):
            raise _Ambiguous(
                BackendUnavailable(
                    "Digital River sent an unexpected answer. " + _not_sure(method, path),
                    uncertain=method != "GET",
                    code="bad_response",
                    request_id=request_id,
                )
            )
        if status < 400:
            return body
        details = wire.error_details(body)
        error_class: type[ServiceError] = InvalidParameter
        if status == 404:
            error_class = CustomerNotFound
        elif status == 409:
            error_class = Conflict
        raise (
            error_class(errors=details, request_id=request_id)
            if details
            else error_class(request_id=request_id)
        )


def _customer_path(customer_id: str) -> str:
    return "/customers/" + quote(customer_id, safe="")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _not_sure(method: str, path: str) -> str:
    """What an unclear answer means for the person who asked."""
    if method == "GET":
        return "Try again in a moment."
    if method == "POST" and path == "/customers":
        # Every create carries its id (typed, or reserved when the form was shown), so a
        # repeat is answered "already exists" and reconciled: it can never make a second one.
        return (
            "The customer may or may not have been created; pressing Create again is safe: "
            "it cannot create a second customer."
        )
    return "The change may not have been saved: reload the customer before trying again."
