from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class SignInForm(FlaskForm):
    username = StringField(
        "Username", validators=[DataRequired("Enter your username."), Length(max=64)]
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password."), Length(max=256)]
    )
    remember = BooleanField("Keep me signed in on this device")
