"""A select widget that renders each list of options once, and WTForms' attribute writer
without its slow formatting.

WTForms renders every ``<option>`` through its generic attribute writer, per field, per
request: the customer page's forms hold some 130 options (reasons, tax identifier types, US
states) and the edit form 250 countries, which made option markup the largest part of a
page's cost. The options of a list are the same on every page, so they are rendered once
and kept; only the selected one differs.

WTForms writes every attribute of every label and control with ``Markup.format``, whose
escaping formatter costs several times the rest of the attribute's work; ``html_params`` here
writes the same markup (same order, same escaping: a test holds it to WTForms' own) with plain
string joins, and ``install`` makes WTForms' widgets and labels use it."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.widgets import Select
from wtforms.widgets.core import clean_key

Pairs = tuple[tuple[str, str], ...]
# WTForms' own, which ``install`` replaces (kept: the tests compare against it).
WTFORMS_HTML_PARAMS = wtforms.widgets.core.html_params


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``, the same markup written without ``Markup.format``:
    attributes sorted by name, ``True`` as a bare attribute, ``False`` left out, names and
    values escaped."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(key)
        elif value is not False:
            # A Markup value keeps its markup, but never a bare quote.
            text = str(escape(value)).replace('"', "&quot;")
            params.append(f'{escape(key)}="{text}"')
    return Markup(" ".join(params))


def install() -> None:
    """Make WTForms' widgets and labels write their attributes with ``html_params``."""
    wtforms.widgets.core.html_params = html_params  # the widgets' module-level calls
    wtforms.widgets.html_params = html_params  # Label, through ``widgets.html_params``
    wtforms.widgets.core.Input.html_params = staticmethod(html_params)
    wtforms.widgets.core.Button.html_params = staticmethod(html_params)


@lru_cache(maxsize=256)
def _rendered(pairs: Pairs) -> tuple[tuple[str, ...], dict[str, int]]:
    """Each option's markup, and where each value stands."""
    options = tuple(
        f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in pairs
    )
    return options, {value: index for index, (value, _) in enumerate(pairs)}


def _pairs(choices: Sequence[Any]) -> Pairs | None:
    """(value, label) pairs of plain string choices; None for anything fancier (groups,
    per-option attributes), which the generic widget renders."""
    pairs = []
    for choice in choices:
        if isinstance(choice, tuple) and len(choice) == 2:
            value, label = choice
        elif getattr(choice, "render_kw", None) or getattr(choice, "optgroup", None):
            return None
        elif hasattr(choice, "value"):
            value, label = choice.value, choice.label
        else:
            return None
        if not isinstance(value, str) or not isinstance(label, str):
            return None
        pairs.append((value, label))
    return tuple(pairs)


class FastSelect(Select):
    def __call__(self, field: SelectField, **kwargs: Any) -> Markup:
        choices = field.choices() if callable(field.choices) else field.choices
        pairs = _pairs(choices or ()) if field.coerce is str else None
        if pairs is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        options, where = _rendered(pairs)
        index = where.get(field.data) if isinstance(field.data, str) else None
        if index is not None:
            chosen = pairs[index]
            options = (
                *options[:index],
                f'<option selected value="{escape(chosen[0])}">{escape(chosen[1])}</option>',
                *options[index + 1 :],
            )
        attributes = html_params(name=field.name, **kwargs)
        return Markup(f"<select {attributes}>{''.join(options)}</select>")


__all__ = ["FastSelect", "html_params", "install"]


class FastSelectField(SelectField):
    """A SelectField drawn by FastSelect."""

    widget = FastSelect()


__all__ += ["FastSelectField"]
