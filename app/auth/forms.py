from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..services.staff import MAX_DISPLAY_NAME_LENGTH, MAX_PASSWORD_LENGTH, PASSWORD_HINT


class SignInForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired("Enter your username."), Length(max=64)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=256)]
    )
    remember = BooleanField("Keep me signed in on this device")


class ChoosePasswordForm(FlaskForm):
    """A new password, twice (replacing a one-time password: no current one asked)."""

    new = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password.")],
        description=PASSWORD_HINT,
    )
    confirm = PasswordField(
        "New password again",
        validators=[
            DataRequired("Enter the new password again."),
            EqualTo("new", "The two new passwords differ."),
        ],
    )


class ChangePasswordForm(ChoosePasswordForm):
    """One's own change: the current password first."""

    current = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"Passwords have at most {MAX_PASSWORD_LENGTH} characters.",
            ),
        ],
    )


class AccountForm(FlaskForm):
    """The name a staff member goes by (their username when blank)."""

    display_name = StringField(
        "Display name",
        validators=[
            Length(
                max=MAX_DISPLAY_NAME_LENGTH,
                message=f"Display names have at most {MAX_DISPLAY_NAME_LENGTH} characters.",
            )
        ],
        description="Shown in the header and, from now on, in the audit trail.",
    )
