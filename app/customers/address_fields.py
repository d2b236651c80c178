"""The address fields that know their places: a country select with names (ISO 3166-1), and a
state field that is a select of the country's subdivisions where its addresses name one
(ISO 3166-2: US states, Canadian provinces, …) and free text elsewhere.

A stored value the lists do not hold (a customer created elsewhere) is kept and offered as
"… (current)", so opening and saving a form never changes what the agent did not touch. The
store decides whether a country is one (``invalid_parameter`` at Country, as DR does)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import StringField
from wtforms.widgets import TextInput

from ..services import geography
from ..web.widgets import FastSelectField


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


class CountryField(FastSelectField):
    """Every ISO 3166-1 country by name; the stored code is what DR takes (e.g. ``DE``)."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            label, choices=self._choices, filters=[_upper], validate_choice=False, **kwargs
        )

    def _choices(self) -> list[tuple[str, str]]:
        choices = [("", "No country"), *geography.countries()]
        current = self.data if isinstance(self.data, str) else ""
        if current and not geography.is_country(current):
            choices.insert(1, (current, f"{current} (current)"))
        return choices


class StateWidget:
    """A select of the field's ``options`` when it has some; a text input otherwise."""

    text = TextInput()

    def __call__(self, field: StateField, **attributes: Any) -> Markup:
        if not field.options:
            return self.text(field, **attributes)
        attributes.setdefault("id", field.id)
        attrs = " ".join(f'{k.replace("_", "-")}="{escape(v)}"' for k, v in attributes.items())
        current = field.data or ""
        options = [("", "No state")]
        if current and current not in dict(field.options):
            options.append((current, f"{current} (current)"))
        options += list(field.options)
        rendered = "".join(
            f'<option value="{escape(value)}"{" selected" if value == current else ""}>'
            f"{escape(name)}</option>"
            for value, name in options
        )
        return Markup(f'<select name="{escape(field.name)}" {attrs}>{rendered}</select>')


class StateField(StringField):
    """The state or region; ``offer(country)`` turns it into that country's select."""

    widget = StateWidget()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options: tuple[tuple[str, str], ...] = ()

    def offer(self, country: str | None) -> StateField:
        self.options = geography.subdivisions(country) if country else ()
        return self


__all__ = ["CountryField", "StateField"]
