from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..services.staff import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_PASSWORD_LENGTH,
    PASSWORD_HINT,
    ROLE_LABELS,
    ROLES,
)


class RolesField(SelectMultipleField):
    """The roles as a list of checkboxes (templates/admin/_roles_field.html adds each role's
    explanation)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


def _display_name() -> StringField:
    return StringField(
        "Display name",
        validators=[
            Length(
                max=MAX_DISPLAY_NAME_LENGTH,
                message=f"Display names have at most {MAX_DISPLAY_NAME_LENGTH} characters.",
            )
        ],
        description="Shown in the header and the audit trail; the username when left blank.",
    )


class NewStaffForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[
            DataRequired("Choose a username."),
            Length(max=63, message="Usernames have at most 63 characters."),
        ],
    )
    display_name = _display_name()
    password = PasswordField(
        "One-time password",
        validators=[DataRequired("Set a one-time password.")],
        description=f"{PASSWORD_HINT} Share it privately: they must choose their own when "
        "they first sign in.",
    )
    roles = RolesField("Roles", choices=_role_choices())


class EditStaffForm(FlaskForm):
    display_name = _display_name()
    roles = RolesField("Roles", choices=_role_choices())
    active = BooleanField("Account active (can sign in)")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "One-time password",
        validators=[
            DataRequired("Enter the one-time password."),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"Passwords have at most {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
        description=f"{PASSWORD_HINT} Every session of the account ends, and they must "
        "choose their own password when they next sign in.",
    )


class SignOutEverywhereForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
