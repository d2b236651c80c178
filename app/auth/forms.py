from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired("Enter your username."), Length(max=64)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=256)]
    )
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password."), Length(max=256)],
    )
    new = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password."), Length(max=256)],
        description="At least 10 characters, 6 of them different; not your username.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("new", "The two new passwords differ.")],
    )
