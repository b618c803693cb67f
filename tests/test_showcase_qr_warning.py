"""成果展示's QR code tells the office when it points where the public cannot go (issue 16).

Without ``THEMEDAY_PUBLIC_URL`` the code carries the address the browser used; opened
on the server or the office's network that is ``localhost`` or a private address, and a
visitor's phone cannot open it. The office sees a warning naming the setting; the public
never does.
"""

from __future__ import annotations

import pytest
from streamlit.runtime.context import ContextProxy

from tests.helpers import visit
from themeday.formats.showcase import local_host, qr_address_warning

SETTING = "THEMEDAY_PUBLIC_URL"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://localhost:8501/", "localhost"),
        ("http://127.0.0.1:8501/showcase", "127.0.0.1"),
        ("http://192.168.1.20:8501", "192.168.1.20"),
        ("http://10.12.0.3", "10.12.0.3"),
        ("http://172.20.1.1:8080/ztr", "172.20.1.1"),
        ("http://[::1]:8501", "::1"),
        ("http://0.0.0.0:8501", "0.0.0.0"),
        ("http://zwgk-server:8501", "zwgk-server"),
        ("http://ztr.local", "ztr.local"),
        ("https://ztr.example.gov.cn", None),
        ("https://59.51.10.8/ztr", None),
        ("", None),
    ],
)
def test_local_addresses_are_told_from_public_ones(url: str, host: str | None) -> None:
    assert local_host(url) == host


def test_the_warning_names_the_setting_and_the_address() -> None:
    unset = qr_address_warning("http://127.0.0.1:8501", configured=False)
    assert unset is not None
    assert f"尚未设置环境变量 {SETTING}" in unset and "127.0.0.1" in unset
    assert "扫码将无法打开" in unset and "重启服务后生效" in unset
    set_locally = qr_address_warning("http://10.0.0.8", configured=True)
    assert set_locally is not None
    assert f"环境变量 {SETTING} 设置的是本机或内网地址（10.0.0.8）" in set_locally
    assert qr_address_warning("https://ztr.example.gov.cn", configured=True) is None
    assert qr_address_warning("https://ztr.example.gov.cn", configured=False) is None


# ------------------------------------------------------------------ the page


@pytest.fixture
def browser_at(monkeypatch: pytest.MonkeyPatch):
    """Pretend the browser opened the app at an address (AppTest has none)."""

    def at(url: str) -> None:
        monkeypatch.setattr(ContextProxy, "url", property(lambda self: url))

    monkeypatch.delenv(SETTING, raising=False)
    return at


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def qr_shown(at) -> bool:
    return any(n.type == "image" and n.proto.imgs[0].caption == "扫一扫在手机打开" for n in at.main)


def published(app_db) -> int:
    return app_db.activities.list_showcase()[0].activity_id


def test_the_office_is_warned_of_a_local_qr_address(app_db, browser_at) -> None:
    browser_at("http://127.0.0.1:8501/showcase")
    at = visit(published(app_db), "office", app_db)
    assert not at.exception and qr_shown(at)
    [warning] = [w for w in warnings(at) if SETTING in w]
    assert "尚未设置环境变量" in warning and "127.0.0.1" in warning


def test_the_public_never_sees_the_warning(app_db, browser_at) -> None:
    browser_at("http://127.0.0.1:8501/showcase")
    at = visit(published(app_db))
    assert not at.exception and qr_shown(at)
    assert not [w for w in warnings(at) if SETTING in w or "二维码" in w]


@pytest.mark.parametrize("username", ["unit1", "leader"])
def test_other_roles_do_not_see_the_warning(app_db, browser_at, username: str) -> None:
    browser_at("http://localhost:8501/showcase")
    at = visit(published(app_db), username, app_db)
    assert not at.exception and qr_shown(at)
    assert not [w for w in warnings(at) if SETTING in w]


def test_no_warning_once_the_public_address_is_set(app_db, browser_at, monkeypatch) -> None:
    browser_at("http://127.0.0.1:8501/showcase")
    monkeypatch.setenv(SETTING, "https://ztr.example.gov.cn")
    at = visit(published(app_db), "office", app_db)
    assert not at.exception and qr_shown(at)
    assert not [w for w in warnings(at) if SETTING in w]


def test_a_public_address_set_to_a_private_one_is_warned_too(
    app_db, browser_at, monkeypatch
) -> None:
    browser_at("https://ztr.example.gov.cn/showcase")
    monkeypatch.setenv(SETTING, "http://192.168.10.5:8501")
    at = visit(published(app_db), "office", app_db)
    [warning] = [w for w in warnings(at) if SETTING in w]
    assert "设置的是本机或内网地址（192.168.10.5）" in warning


def test_a_browser_at_a_public_address_needs_no_warning(app_db, browser_at) -> None:
    browser_at("https://ztr.example.gov.cn/showcase")
    at = visit(published(app_db), "office", app_db)
    assert not at.exception and qr_shown(at)
    assert not [w for w in warnings(at) if SETTING in w]
