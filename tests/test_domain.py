"""Domain rules that need no database."""

from datetime import date

import pytest

from themeday.core.config import resolve_cookie_key
from themeday.core.domain import (
    DAXIANG_2023,
    PRESETS,
    XIANGJIANG_2023,
    CampaignRules,
    phone_problem,
    unit_problems,
    username_problem,
)
from themeday.services.auth import password_problems


def test_presets_follow_their_notices():
    xj, dx = XIANGJIANG_2023.rules, DAXIANG_2023.rules
    assert (xj.declaration_deadline, xj.themes_count, xj.themes_exact) == (
        date(2023, 3, 31),
        2,
        True,
    )
    assert set(xj.required_forms) == {"实地调研", "现场观摩"}
    assert xj.first_month == 4 and not xj.scan_required
    assert (dx.declaration_deadline, dx.themes_count, dx.themes_exact) == (
        date(2023, 4, 14),
        1,
        False,
    )
    assert (dx.first_month, dx.last_month) == (4, 10)
    assert (dx.plan_days_before, dx.report_days_after, dx.scan_required) == (5, 5, True)
    assert set(PRESETS) == {"xiangjiang-2023", "daxiang-2023"}


@pytest.mark.parametrize("preset", [XIANGJIANG_2023, DAXIANG_2023])
def test_rules_round_trip_through_json(preset):
    assert CampaignRules.from_json(preset.rules.to_json()) == preset.rules


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Demo@2023", True),
        ("abcDEF123", True),  # upper, lower, digit
        ("abcdef1!", True),  # lower, digit, symbol
        ("Ab1!", False),  # too short
        ("abcdefgh", False),  # one class
        ("abcdefg1", False),  # two classes
        ("政务公开Aa1!" * 6, False),  # > 72 bytes
    ],
)
def test_password_policy(password, ok):
    assert (password_problems(password) == []) is ok


def test_password_policy_messages_are_chinese_and_specific():
    problems = password_problems("a" * 80)
    assert any("72字节" in p for p in problems)
    assert any("至少3类" in p for p in problems)
    assert password_problems("Unit1@abc", "unit1@abc") == ["密码不能与用户名相同。"]


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13807390102", True),
        ("0739-5321101", True),
        ("07395321101", True),
        ("010-12345678", True),
        ("5321101", False),  # landline without area code
        ("1380739010", False),  # 10 digits
        ("12807390102", False),  # not a mobile prefix
        ("", False),
    ],
)
def test_phone_numbers(phone, ok):
    assert (phone_problem(phone) is None) is ok


def test_username_and_unit_validation():
    assert username_problem("unit1") is None
    assert username_problem("单位") is not None
    assert username_problem("ab") is not None
    assert unit_problems("城北街道办事处", "街道", "0739-5321101") == []
    assert len(unit_problems(" ", "其他", "123")) == 3


def test_cookie_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("THEMEDAY_COOKIE_KEY", raising=False)
    key_file = tmp_path / "data" / "cookie_key"
    first = resolve_cookie_key(None, key_file)
    assert len(bytes.fromhex(first)) == 32
    assert resolve_cookie_key(None, key_file) == first
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    from_env, from_secrets = "from-env-" + "0123456789" * 3, "from-secrets-" + "abcdefgh" * 4
    monkeypatch.setenv("THEMEDAY_COOKIE_KEY", from_env)
    assert resolve_cookie_key(None, key_file) == from_env
    assert resolve_cookie_key(from_secrets, key_file) == from_secrets


def test_a_new_campaign_from_a_preset_or_the_previous_year():
    from datetime import date

    from themeday.core.records import Campaign
    from themeday.services.campaigns import fields_for_next_year, fields_from_preset

    fields = fields_from_preset("xiangjiang-2023")
    assert (fields["year"], fields["region"]) == (2023, "湖南湘江新区")
    assert fields["rules"] == XIANGJIANG_2023.rules
    leap = Campaign(
        1,
        2024,
        "邵阳市大祥区",
        "大祥区2024年活动",
        "审批局",
        DAXIANG_2023.rules.with_changes(declaration_deadline=date(2024, 2, 29)),
        True,
        1,
    )
    following = fields_for_next_year(leap)
    assert (following["year"], following["title"]) == (2025, "大祥区2025年活动")
    assert following["rules"].declaration_deadline == date(2025, 2, 28)
    assert following["rules"].themes_count == DAXIANG_2023.rules.themes_count
