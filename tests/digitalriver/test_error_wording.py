"""What Digital River's refusals say to staff: in the console's words where DR's own message is
API text, DR's message otherwise."""

from __future__ import annotations

from app.services.digitalriver.wire import error_details
from app.services.errors import ErrorDetail

from .test_web_faults import form_values


def test_drs_email_refusal_reads_as_the_console_says_it() -> None:
    body = {
        "type": "bad_request",
        "errors": [
            {
                "code": "email_invalid",
                "parameter": "email",
                "message": "The email address is invalid.",
            }
        ],
    }

    assert error_details(body) == [
        ErrorDetail("email_invalid", "Enter an email address like name@example.com.", "email")
    ]


def test_a_refusal_without_a_console_wording_keeps_drs_message() -> None:
    body = {"errors": [{"code": "invalid_parameter", "parameter": "x", "message": "No x here."}]}

    assert error_details(body) == [ErrorDetail("invalid_parameter", "No x here.", "x")]


def test_an_invalid_email_on_the_edit_form_reads_for_humans_on_digital_river(
    agent, emulator
) -> None:
    emulator.add_customer(id="em-1", email="before@example.com")
    data = form_values(agent.get("/customers/em-1/edit").get_data(as_text=True))

    response = agent.post("/customers/em-1", data={**data, "email": "before@"})

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Enter an email address like name@example.com." in body
    assert "is not a valid email" not in body
    assert emulator.customer("em-1")["email"] == "before@example.com"
