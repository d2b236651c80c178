"""The attribute writer the forms use: the same markup as WTForms' own, only cheaper."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from wtforms import DateField, Form, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.customers.form_base import select_choices
from app.web import widgets


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {"name": "q", "id": "q", "type": "search"},
        {"class_": "wide", "for_": "x", "data_hx_target": "#a", "aria_describedby": "x-hint"},
        {"autofocus": True, "disabled": False, "required": True},
        {"value": 'a "quoted" <b>value</b> & more', "placeholder": "l'apostrophe"},
        {"value": Markup('already "marked" <i>up</i>')},
        {"maxlength": 320, "min": 0, "step": 1.5, "value": None},
        {"title": "ü — unicode ✓", "id": "k\x01"},
    ],
)
def test_html_params_writes_what_wtforms_writes(attributes) -> None:
    assert widgets.html_params(**attributes) == widgets.WTFORMS_HTML_PARAMS(**attributes)


class Sample(Form):
    text = StringField("Text <em>", validators=[InputRequired(), Length(max=40)])
    note = TextAreaField("Note", description="Say why")
    day = DateField("Day")
    pick = SelectField("Pick", choices=select_choices(("a", "A & a"), ("b", 'B "b"')))


@pytest.mark.parametrize("name", ["text", "note", "day", "pick"])
def test_fields_and_labels_render_the_same_markup_after_install(name, monkeypatch) -> None:
    form = Sample(data={"text": '<x y="z">', "note": "n & m", "pick": "b"})
    field = form[name]
    monkeypatch.setattr(widgets.wtforms.widgets.core, "html_params", widgets.WTFORMS_HTML_PARAMS)
    monkeypatch.setattr(widgets.wtforms.widgets, "html_params", widgets.WTFORMS_HTML_PARAMS)
    monkeypatch.setattr(
        widgets.wtforms.widgets.core.Input,
        "html_params",
        staticmethod(widgets.WTFORMS_HTML_PARAMS),
    )
    before = (field.label(), field(**{"aria-invalid": "true", "class": "c"}))
    monkeypatch.undo()
    widgets.install()
    after = (field.label(), field(**{"aria-invalid": "true", "class": "c"}))

    assert after == before
