"""A select widget that renders each list of options once.

WTForms renders every ``<option>`` through its generic attribute writer, per field, per
request: the customer page's forms hold some 130 options (reasons, tax identifier types, US
states) and the edit form 250 countries, which made option markup the largest part of a
page's cost. The options of a list are the same on every page, so they are rendered once
and kept; only the selected one differs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markupsafe import Markup, escape
from wtforms import SelectField
from wtforms.widgets import Select, html_params

Pairs = tuple[tuple[str, str], ...]


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


__all__ = ["FastSelect"]


class FastSelectField(SelectField):
    """A SelectField drawn by FastSelect."""

    widget = FastSelect()


__all__ += ["FastSelectField"]
