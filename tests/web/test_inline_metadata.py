"""Metadata edited in place: key/value rows, a new row, an empty value removes a key, DR's
limits (20 keys, keys of 40 and values of 500 characters)."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_token

from .conftest import html
from .dom import Element, form_values, fragment_root
from .inline_helpers import detail, form_at, submit, swapped

SAVE = "/customers/cus-1/metadata"


@pytest.fixture
def customer(make_customer):
    return make_customer(id="cus-1", metadata={"tier": "gold", "crm-id": "A-77"})


@pytest.fixture
def audit_log(app):
    return app.extensions["customer_desk"].audit


def metadata_form(page: Element) -> Element:
    return form_at(page, SAVE)


def rows(form: Element) -> list[tuple[str, str, str]]:
    """(original, key, value) of each row, as the form would submit them."""
    values = form_values(form)
    count = sum(1 for name in values if name.endswith("-key"))
    return [
        (
            values[f"metadata-{i}-original"],
            values[f"metadata-{i}-key"],
            values[f"metadata-{i}-value"],
        )
        for i in range(count)
    ]


def row_named(form: Element, key: str) -> int:
    return [r[0] for r in rows(form)].index(key)


def test_the_pairs_show_as_text_with_the_editor_folded_below(agent, customer) -> None:
    section = detail(agent).by_id("metadata")

    assert [(d.find("dt").text, d.find("dd").text) for d in section.find("dl").elements] == [
        ("crm-id", "A-77"),
        ("tier", "gold"),
    ]
    editor = section.find("details")
    assert editor.find("summary").text == "Edit metadata…"
    assert "open" not in editor.attrs
    assert editor.has("form", action=SAVE)


def test_the_editor_lists_each_key_with_its_value_and_one_empty_row(agent, customer) -> None:
    form = metadata_form(detail(agent))

    assert rows(form) == [("crm-id", "crm-id", "A-77"), ("tier", "tier", "gold"), ("", "", "")]
    labels = [label.text for label in form.find_all("label")]
    assert labels[:2] == ["Key “crm-id”", "Value of “crm-id”"]
    assert labels[-2:] == ["Name of new key 3", "Value of new key 3"]
    assert form_values(form)["version"] == "1"


def test_changing_a_value_and_adding_a_key_saves_both(agent, service, audit_log, customer):
    form = metadata_form(detail(agent))
    tier = row_named(form, "tier")

    response = submit(
        agent,
        form,
        {
            f"metadata-{tier}-value": "platinum",
            "metadata-2-key": "region",
            "metadata-2-value": "EU",
        },
        htmx=True,
    )

    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#customer"
    root, flash = swapped(response)
    assert ("tier", "tier", "platinum") in rows(metadata_form(root))
    assert flash is not None and flash.text == "Metadata saved."
    stored = service.get("cus-1")
    assert dict(stored.metadata) == {"tier": "platinum", "crm-id": "A-77", "region": "EU"}
    event = audit_log.latest("cus-1", "metadata.update")
    assert {(c.field, c.before, c.after) for c in event.changes} == {
        ("metadata.tier", "gold", "platinum"),
        ("metadata.region", None, "EU"),
    }


def test_an_empty_value_removes_the_key(agent, service, customer) -> None:
    form = metadata_form(detail(agent))

    response = submit(agent, form, {f"metadata-{row_named(form, 'tier')}-value": ""}, htmx=True)

    assert response.status_code == 200
    assert dict(service.get("cus-1").metadata) == {"crm-id": "A-77"}


def test_renaming_a_key_moves_its_value(agent, service, customer) -> None:
    form = metadata_form(detail(agent))

    submit(agent, form, {f"metadata-{row_named(form, 'crm-id')}-key": "crm"})

    assert dict(service.get("cus-1").metadata) == {"tier": "gold", "crm": "A-77"}


def test_add_row_shows_one_more_empty_row_keeping_what_was_typed_and_saves_nothing(
    agent, service, customer
) -> None:
    form = metadata_form(detail(agent))

    response = submit(
        agent,
        form,
        {"metadata-2-key": "region", "metadata-2-value": "EU", "add_row": "1"},
        htmx=True,
    )

    assert response.status_code == 200
    root = fragment_root(response.get_data(as_text=True))
    assert root.id == "metadata"
    assert "open" in root.find("details").attrs
    assert rows(metadata_form(root))[2:] == [("", "region", "EU"), ("", "", "")]
    assert service.get("cus-1") == customer


def test_saving_without_a_change_writes_nothing(agent, service, customer) -> None:
    response = submit(agent, metadata_form(detail(agent)), htmx=True)

    _, flash = swapped(response)
    assert flash is not None and flash.text == "No metadata changed."
    assert service.get("cus-1").version == 1


def test_a_21st_key_is_refused_with_drs_message_and_nothing_changes(
    agent, service, make_customer
) -> None:
    make_customer(id="cus-1", metadata={f"key-{i:02d}": "v" for i in range(20)})
    before = service.get("cus-1")
    form = metadata_form(detail(agent))

    response = submit(
        agent, form, {"metadata-20-key": "one-too-many", "metadata-20-value": "x"}, htmx=True
    )

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    assert "open" in root.find("details").attrs
    error = root.by_id("metadata-error").text
    assert "at most 20 metadata keys" in error
    assert "makes 21" in error
    assert rows(metadata_form(root))[20] == ("", "one-too-many", "x")
    assert service.get("cus-1") == before


@pytest.mark.parametrize(
    ("key", "value", "field_id", "message"),
    [
        ("k" * 41, "v", "metadata-2-key", "At most 40 characters."),
        ("note", "v" * 501, "metadata-2-value", "At most 500 characters."),
        ("", "orphan", "metadata-2-key", "Give this value a key."),
        ("region", "", "metadata-2-value", "Give the new key a value."),
        ("tier", "x", "metadata-2-key", "This key appears twice."),
    ],
    ids=["long-key", "long-value", "value-without-key", "key-without-value", "duplicate"],
)
def test_a_bad_row_is_refused_next_to_it_and_nothing_changes(
    agent, service, customer, key, value, field_id, message
) -> None:
    changes = {"metadata-2-key": key, "metadata-2-value": value}

    response = submit(agent, metadata_form(detail(agent)), changes, htmx=True)

    assert response.status_code == 422
    root = fragment_root(response.get_data(as_text=True))
    cell = root.by_id(field_id).parent
    assert cell is not None
    assert message in " ".join(p.text for p in cell.find_all("p", "error"))
    assert root.by_id(field_id).get("aria-invalid") == "true"
    assert service.get("cus-1") == customer


def test_without_javascript_a_save_redirects_to_the_metadata(agent, service, customer) -> None:
    form = metadata_form(detail(agent))

    response = submit(agent, form, {"metadata-2-key": "region", "metadata-2-value": "EU"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/customers/cus-1#metadata"
    assert html(agent.get("/customers/cus-1")).by_id("flash").text == "Metadata saved."


@pytest.mark.parametrize("role", ["viewer", "fraud", "privacy"])
def test_readers_see_the_pairs_without_a_form_and_get_403(client_as, service, customer, role):
    client = client_as(role)
    section = detail(client).by_id("metadata")

    response = client.post(
        SAVE,
        data={
            "csrf_token": csrf_token(client, "/"),
            "version": "1",
            "metadata-0-original": "tier",
            "metadata-0-key": "tier",
            "metadata-0-value": "",
        },
    )

    assert not section.has("form")
    assert [dt.text for dt in section.find_all("dt")] == ["crm-id", "tier"]
    assert response.status_code == 403
    assert service.get("cus-1") == customer
