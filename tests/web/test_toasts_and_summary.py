"""The toast regions of every page and the error summary macro: success and warnings are said
politely, errors assertively, each toast with a close button for app.js; an inline change's
message is swapped into the polite region out of band; the summary links each failed field
(nested ones too) with its label and message."""

from __future__ import annotations

import pytest
from flask import Flask, flash, render_template, render_template_string
from wtforms import FieldList, Form, FormField, HiddenField, StringField
from wtforms.validators import DataRequired, Email

from .dom import parse


def page_with(app: Flask, *flashes: tuple[str, str]):
    with app.test_request_context("/login"):
        for category, message in flashes:
            flash(message, category)
        return parse(render_template("auth/login.html", form=_login_form(app), next=None))


def _login_form(app: Flask):
    from app.auth.forms import SignInForm

    return SignInForm(formdata=None, meta={"csrf": False})


def test_success_and_warnings_are_polite_toasts_and_errors_assertive_ones(app: Flask) -> None:
    page = page_with(
        app, ("success", "Saved."), ("warning", "Check the phone."), ("error", "It failed.")
    )

    polite, assertive = page.by_id("flash"), page.by_id("flash-errors")
    assert (polite.get("role"), polite.get("aria-live")) == ("status", "polite")
    assert (assertive.get("role"), assertive.get("aria-live")) == ("alert", "assertive")
    assert [t.text for t in polite.find_all("div", "toast")] == ["Saved.", "Check the phone."]
    assert [t.get("data-toast") for t in polite.find_all("div", "toast")] == ["fade", "stay"]
    (error,) = assertive.find_all("div", "toast")
    assert (error.text, error.get("data-toast")) == ("It failed.", "stay")
    assert error.find("button", "toast-close").get("aria-label") == "Dismiss message"
    assert page.by_id("flash").parent.classes == {"toasts"}


def test_without_messages_the_regions_are_empty(app: Flask) -> None:
    page = page_with(app)

    assert page.by_id("flash").children == [] and page.by_id("flash-errors").children == []


def test_an_inline_change_message_is_swapped_into_the_polite_region(app: Flask) -> None:
    with app.test_request_context("/"):
        body = render_template("customers/_notice.html", message="Metadata saved.")

    (oob,) = parse(body).elements
    assert (oob.id, oob.get("hx-swap-oob")) == ("flash", "innerHTML")
    assert oob.find("div", "toast--success").text == "Metadata saved."


class Row(Form):
    key = StringField("Key", validators=[DataRequired("A key is needed.")])


class Profile(Form):
    version = HiddenField()
    email = StringField("Email", validators=[Email("Enter an email address.")])
    name = StringField("Name")
    rows = FieldList(FormField(Row), min_entries=2)


SUMMARY = '{% from "macros/forms.html" import error_summary %}{{ error_summary(form, **kw) }}'


def summary(app: Flask, form: Form, **kw):
    with app.test_request_context("/"):
        return parse(render_template_string(SUMMARY, form=form, kw=kw))


def test_the_summary_links_every_failed_field_nested_ones_too(app: Flask) -> None:
    from werkzeug.datastructures import MultiDict

    form = Profile(MultiDict({"email": "nope", "rows-0-key": "a", "rows-1-key": ""}))
    assert not form.validate()
    form.version.errors = ["The form is out of date."]

    found = summary(app, form, title="Not saved", extra=["DR refused it."])

    box = found.by_id("error-summary")
    assert "data-error-summary" in box.attrs and box.get("tabindex") == "-1"
    assert box.find("h2").text == "Not saved"
    links = [(a.get("href"), a.text) for a in box.find_all("a")]
    assert links == [
        ("#email", "Email: Enter an email address."),
        ("#rows-1-key", "Key: A key is needed."),
    ]
    assert [li.text for li in box.find_all("li") if not li.find_all("a")] == [
        "DR refused it.",
        "The form is out of date.",
    ]


@pytest.mark.parametrize("data", [{"email": "a@example.com", "rows-0-key": "a", "rows-1-key": "b"}])
def test_a_valid_form_renders_no_summary(app: Flask, data) -> None:
    from werkzeug.datastructures import MultiDict

    form = Profile(MultiDict(data))
    assert form.validate()

    assert summary(app, form).elements == []
