"""create_app's configuration: refuses to start without a secret key or with an unknown
backend, and takes FLASK_* settings from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.config import ConfigError


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty instance folder the app uses instead of the checkout's, and an environment
    with no FLASK_* settings except a cheap password hash."""
    folder = tmp_path / "instance"
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(folder))
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("FLASK_PASSWORD_HASH_TIME_COST", "1")
    monkeypatch.setenv("FLASK_PASSWORD_HASH_MEMORY_COST", "1024")
    monkeypatch.setenv("FLASK_PASSWORD_HASH_PARALLELISM", "1")
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture
def build() -> Iterator[Callable[..., Flask]]:
    """create_app, disposing each engine it opens."""
    apps: list[Flask] = []

    def make(test_config: dict | None = None) -> Flask:
        app = create_app(test_config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["customer_desk"].engine.dispose()


def test_the_app_uses_the_instance_folder_it_was_pointed_at(instance, build) -> None:
    app = build({"SECRET_KEY": "k"})

    assert Path(app.instance_path) == instance


@pytest.mark.parametrize("env_value", [None, ""], ids=["unset", "empty"])
def test_the_app_refuses_to_start_without_a_secret_key(instance, monkeypatch, env_value) -> None:
    if env_value is not None:
        monkeypatch.setenv("FLASK_SECRET_KEY", env_value)

    with pytest.raises(ConfigError, match="FLASK_SECRET_KEY"):
        create_app()


def test_a_blank_instance_secret_key_file_does_not_count_as_a_key(instance) -> None:
    instance.mkdir()
    (instance / "secret_key").write_text("  \n")

    with pytest.raises(ConfigError, match="FLASK_SECRET_KEY"):
        create_app()


def test_the_secret_key_is_read_from_instance_secret_key_when_not_set(instance, build) -> None:
    instance.mkdir()
    (instance / "secret_key").write_text("from-the-instance-file\n")

    assert build().config["SECRET_KEY"] == "from-the-instance-file"


def test_flask_secret_key_from_the_environment_wins_over_the_file(
    instance, build, monkeypatch
) -> None:
    instance.mkdir()
    (instance / "secret_key").write_text("from-the-instance-file\n")
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")

    assert build().config["SECRET_KEY"] == "from-the-environment"


@pytest.mark.parametrize("backend", ["bogus", "LOCAL", "dr", ""])
def test_the_app_refuses_an_unknown_customer_backend(instance, monkeypatch, backend) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "k")
    monkeypatch.setenv("FLASK_CUSTOMER_BACKEND", backend)

    with pytest.raises(ConfigError, match="FLASK_CUSTOMER_BACKEND") as raised:
        create_app()

    assert repr(backend) in str(raised.value)


def test_the_digital_river_backend_needs_an_api_key(instance, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "k")
    monkeypatch.setenv("FLASK_CUSTOMER_BACKEND", "digitalriver")

    with pytest.raises(ConfigError, match="FLASK_DR_API_KEY"):
        create_app()


def test_flask_database_url_from_the_environment_is_used(
    instance, build, monkeypatch, tmp_path
) -> None:
    url = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("FLASK_SECRET_KEY", "k")
    monkeypatch.setenv("FLASK_DATABASE_URL", url)

    app = build()

    assert app.config["DATABASE_URL"] == url
    assert app.extensions["customer_desk"].engine.url.database == str(tmp_path / "from-env.db")


def test_without_a_database_url_the_app_uses_a_sqlite_file_in_the_instance_folder(
    instance, build
) -> None:
    app = build({"SECRET_KEY": "k"})

    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'customer-desk.db'}"
    assert instance.is_dir()


def test_the_test_mapping_wins_over_the_environment(instance, build, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-env")
    monkeypatch.setenv("FLASK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")

    app = build({"SECRET_KEY": "from-mapping", "DATABASE_URL": "sqlite:///:memory:"})

    assert app.config["SECRET_KEY"] == "from-mapping"
    assert app.config["DATABASE_URL"] == "sqlite:///:memory:"


def test_numeric_settings_from_the_environment_become_numbers(instance, build, monkeypatch) -> None:
    monkeypatch.setenv("FLASK_SECRET_KEY", "k")
    monkeypatch.setenv("FLASK_SEARCH_PAGE_SIZE", "40")

    assert build().config["SEARCH_PAGE_SIZE"] == 40
