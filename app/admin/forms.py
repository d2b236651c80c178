from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..services.staff import MIN_PASSWORD_LENGTH, ROLE_LABELS, ROLES


class RolesField(SelectMultipleField):
    """The roles as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


class NewStaffForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired("Choose a username."), Length(max=63)]
    )
    display_name = StringField("Display name", validators=[Length(max=128)])
    password = PasswordField(
        "Initial password",
        validators=[DataRequired("Set an initial password.")],
        description=f"At least {MIN_PASSWORD_LENGTH} characters; share it privately.",
    )
    roles = RolesField("Roles", choices=_role_choices())


class EditStaffForm(FlaskForm):
    roles = RolesField("Roles", choices=_role_choices())
    active = BooleanField("Account active (can sign in)")


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter the new password."), Length(max=256)],
        description=f"At least {MIN_PASSWORD_LENGTH} characters; every session of the account "
        "ends.",
    )


class SignOutEverywhereForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""
