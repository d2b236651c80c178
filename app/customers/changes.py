"""How an inline change on the detail page is made and answered.

Each section of the detail page is a partial with its own forms, every one carrying the
customer version it was based on. A change that goes through answers with the whole customer
fragment (retargeted to #customer), because every form on the page must now carry the new
version and the badges, banner and activity change too; a search row's toggle answers with
the row's toggle. A change that is refused answers with its section alone: the errors in
place, what was typed kept, and the version it was based on (so a stale form stays stale
until reloaded). Without JavaScript: 303 to the detail page with a flash, or the whole page
again with the section's errors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from .. import htmx
from ..context import customer_service
from ..errors import render_error
from ..services.customers import Customer
from ..services.errors import (
    BackendRefused,
    BackendUnavailable,
    Conflict,
    CustomerForgotten,
    InvalidParameter,
    StaleVersion,
)
from ..web.masking import shown_customer
from .detail import detail_context
from .form_base import InlineForm
from .section_forms import inline_forms

F = TypeVar("F", bound=InlineForm)

SECTIONS = {
    "enabled": "customers/_enabled.html",
    "sources": "customers/_sources.html",
    "tax-identifiers": "customers/_tax_identifiers.html",
    "tax-certificates": "customers/_tax_certificates.html",
    "metadata": "customers/_metadata.html",
}
# The forms each section renders (they share the version the section was based on).
SECTION_FORMS = {
    "enabled": ("disable", "enable"),
    "sources": ("attach",),
    "tax-identifiers": ("tax_identifier",),
    "tax-certificates": ("tax_certificate",),
    "metadata": ("metadata",),
}


def _current(customer_id: str) -> Customer | None:
    """The customer as stored now, or None while the backend fails (the section then shows
    its forms and the problem, without the list)."""
    try:
        return customer_service().get(customer_id)
    except (BackendUnavailable, BackendRefused):
        return None


def _page_context(customer: Customer, inline: object) -> dict[str, object]:
    return detail_context(customer, inline)


def inline_change(
    customer_id: str,
    section: str,
    name: str,
    form: InlineForm,
    change: Callable[[], Customer],
    *,
    done: str | Callable[[Customer], str],
    fields: Mapping[str, str] | None = None,
    valid: bool | None = None,
    place: str = "detail",
) -> Response:
    """Validate, make the one change, answer. ``valid`` overrides the form's own validation
    (button-only actions only check the version); ``fields`` maps DR parameters to fields."""
    status = 422
    if form.validate() if valid is None else valid:
        try:
            customer = change()
        except CustomerForgotten as error:
            # Nothing about the customer may change: say so plainly, not as a form error.
            return render_error(409, error.message)
        except StaleVersion as error:
            form.refuse(error, "stale")
            status = 409
        except Conflict as error:
            form.apply_service_error(error, fields or {})
            status = 409
        except InvalidParameter as error:
            form.apply_service_error(error, fields or {})
        except (BackendUnavailable, BackendRefused) as error:
            form.refuse(error, "backend")
            status = 502 if isinstance(error, BackendRefused) else 503
        else:
            message = done(customer) if callable(done) else done
            return _changed(customer, message, section, place)
    return section_again(customer_id, section, name, form, status, place=place)


def button_change(
    customer_id: str,
    section: str,
    name: str,
    cls: type[InlineForm],
    change: Callable[[int | None], Customer],
    *,
    done: str | Callable[[Customer], str],
) -> Response:
    """A button-only action (detach, make default, remove): only the version comes from the
    request, and ``change`` gets the version it expects."""
    form = button_form(cls)
    return inline_change(
        customer_id,
        section,
        name,
        form,
        lambda: change(form.expected_version()),
        done=done,
        valid=form.version.validate(form),
    )


def _changed(customer: Customer, message: str, section: str, place: str) -> Response:
    """After a change: the whole customer (or the search row's toggle) with a flash for htmx;
    303 back to the section of the detail page otherwise."""
    anchor = f"enabled-{customer.id}" if section == "enabled" else section
    if not htmx.is_htmx():
        flash(message, "success")
        return redirect(url_for("customers.show", customer_id=customer.id, _anchor=anchor), 303)
    notice = render_template("customers/_notice.html", message=message)
    if place == "row":
        body = render_template("customers/_enabled.html", customer=customer, place="row")
        return htmx.vary(Response(body + notice))
    body = render_template("customers/_detail.html", **_page_context(customer, None))
    return htmx.retarget(htmx.vary(Response(body + notice)), "#customer")


def section_again(
    customer_id: str,
    section: str,
    name: str,
    form: InlineForm,
    status: int,
    *,
    place: str = "detail",
) -> Response:
    """The section once more with ``form`` as submitted: its fragment for htmx, else the page."""
    customer = _current(customer_id)
    inline = inline_forms(customer, place=place, **{name: form})
    for other in SECTION_FORMS[section]:
        getattr(inline, other).version.data = form.version.data
    if htmx.is_htmx():
        body = render_template(
            SECTIONS[section],
            customer=shown_customer(customer) if customer is not None else None,
            customer_id=customer_id,
            inline=inline,
            place=place,
            expanded=True,
        )
        return htmx.vary(Response(body, status=status))
    if customer is None:
        problem = form.problem
        return render_error(status, problem.message if problem else None)
    body = render_template("customers/show.html", **_page_context(customer, inline))
    return htmx.vary(Response(body, status=status))


def button_form(cls: type[F]) -> F:
    """The section's form for a button-only action: only the version comes from the request."""
    form = cls(formdata=MultiDict({"version": request.form.get("version", "")}))
    form.retry_url = request.path
    return form
