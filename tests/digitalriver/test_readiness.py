"""/readyz on the Digital River backend checks DR too: 503 while DR cannot be reached."""

from __future__ import annotations


def test_readyz_on_digital_river_checks_dr_too(client, dr_emulator) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "digitalriver": "ok"}

    dr_emulator.stop()
    try:
        response = client.get("/readyz")
    finally:
        dr_emulator.start()

    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "digitalriver": "unavailable"}
    assert client.get("/readyz").status_code == 200
