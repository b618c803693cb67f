"""The Streamlit settings the app ships with are the deliberate, safe ones."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from themeday.formats.uploads import MAX_UPLOAD_BYTES

CONFIG = Path(__file__).parents[1] / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_xsrf_and_cors_protection_are_on(config):
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True


def test_server_listens_on_this_machine_only(config):
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["headless"] is True


def test_users_never_see_tracebacks(config):
    assert config["client"]["showErrorDetails"] in ("none", False)
    assert config["client"]["toolbarMode"] == "minimal"
    assert config["browser"]["gatherUsageStats"] is False


def test_upload_limit_is_the_largest_kind(config):
    """Streamlit refuses a file over ``server.maxUploadSize`` before our checks can explain;
    set it to the largest per-kind cap, no higher."""
    limit = config["server"]["maxUploadSize"] * 1024 * 1024
    assert limit == max(MAX_UPLOAD_BYTES.values())


def test_streamlit_reads_these_settings(monkeypatch):
    """The file is where Streamlit looks (the project folder's .streamlit/), and it parses."""
    from streamlit import config as st_config

    monkeypatch.chdir(CONFIG.parents[1])
    st_config.get_config_options(force_reparse=True)
    try:
        assert st_config.get_option("server.address") == "127.0.0.1"
        assert st_config.get_option("server.enableXsrfProtection") is True
        assert st_config.get_option("server.maxUploadSize") == 300
        assert st_config.get_option("client.showErrorDetails") == "none"
    finally:
        st_config.get_config_options(force_reparse=True)
