"""Login, lockout and sessions against a real DuckDB file with a hand-moved clock."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest

from tests.conftest import actor_for
from themeday.core.config import SECURITY, TZ
from themeday.core.domain import SYSTEM_AUDITOR, ValidationError
from themeday.dev.setup import DEMO_PASSWORD
from themeday.repository import Repository
from themeday.services.auth import (
    COOKIE_PROBLEMS,
    AuthService,
    check_login_cookie,
    cookie_script,
    hash_password,
    password_expired,
    password_expiry_notice,
    password_matches,
    session_key,
)
from themeday.storage import db
from themeday.storage.migrations import MIGRATION_PASSWORD_AGE, MIGRATIONS


def audit_actions(repo: Repository, office) -> list[tuple[str, str, bool]]:
    return [
        (e.action, e.username, e.success)
        for e in reversed(repo.oversight.list_audit(SYSTEM_AUDITOR, 500))
    ]


def fail(service: AuthService, username: str, times: int) -> None:
    for _ in range(times):
        assert not service.authenticate(username, "Wrong@1234").ok


def test_right_password_logs_in_and_wrong_one_does_not(demo):
    service = AuthService(demo)
    assert service.authenticate("unit1", DEMO_PASSWORD).ok
    outcome = service.authenticate("unit1", "Wrong@1234")
    assert not outcome.ok and outcome.message == "用户名或密码错误。"
    unknown = service.authenticate("nobody", DEMO_PASSWORD)
    assert not unknown.ok and unknown.message == "用户名或密码错误。"


def test_over_long_password_is_a_clean_counted_failure(demo, office):
    service = AuthService(demo)
    outcome = service.authenticate("unit1", "长" * 30)  # 90 bytes: bcrypt 5 would raise
    assert not outcome.ok and "72字节" in outcome.message
    assert demo.accounts.login_record("unit1").failed_logins == 1
    assert ("login", "unit1", False) in audit_actions(demo, office)
    assert not password_matches("x" * 100, hash_password(DEMO_PASSWORD))


def test_five_failures_in_window_lock_even_the_right_password(demo, clock, office):
    service = AuthService(demo)
    fail(service, "unit1", SECURITY.max_failed_logins - 1)
    assert service.authenticate("unit1", DEMO_PASSWORD).ok  # 4 failures: not yet locked
    demo.accounts.start_session(
        demo.accounts.login_record("unit1").user, "s-reset"
    )  # success clears the count
    fail(service, "unit1", SECURITY.max_failed_logins)
    locked = service.authenticate("unit1", DEMO_PASSWORD)
    assert not locked.ok and "锁定" in locked.message
    assert service.authenticate("unit2", DEMO_PASSWORD).ok  # other users unaffected
    actions = audit_actions(demo, office)
    assert ("lockout", "unit1", True) in actions

    clock.advance(minutes=29)
    assert not service.authenticate("unit1", DEMO_PASSWORD).ok
    clock.advance(minutes=2)
    assert service.authenticate("unit1", DEMO_PASSWORD).ok


def test_failures_outside_the_window_do_not_add_up(demo, clock):
    service = AuthService(demo)
    fail(service, "unit1", 4)
    clock.advance(minutes=16)
    fail(service, "unit1", 4)
    assert service.authenticate("unit1", DEMO_PASSWORD).ok


def test_lockout_survives_a_restart(tmp_path, clock):
    path = tmp_path / "restart.duckdb"
    con = db.connect(path)
    from themeday.dev.setup import seed_demo

    repo = Repository(db.cursor(con), clock)
    seed_demo(repo, today=clock().date())
    fail(AuthService(repo), "unit3", SECURITY.max_failed_logins)
    con.close()

    con = db.connect(path)
    try:
        service = AuthService(Repository(db.cursor(con), clock))
        assert not service.authenticate("unit3", DEMO_PASSWORD).ok
    finally:
        con.close()


def test_disabled_account_cannot_log_in(demo, office):
    unit1 = demo.accounts.login_record("unit1").user
    demo.accounts.set_user_enabled(office, unit1.id, False)
    assert not AuthService(demo).authenticate("unit1", DEMO_PASSWORD).ok


def start(demo: Repository, username: str, key: str = "k") -> str:
    demo.accounts.start_session(demo.accounts.login_record(username).user, key)
    return key


def test_idle_timeout(demo, clock, office):
    service = AuthService(demo)
    key = start(demo, "unit1")
    clock.advance(minutes=29)
    assert service.check_session(key).user is not None  # activity resets the idle timer
    clock.advance(minutes=29)
    assert service.check_session(key).user is not None
    clock.advance(minutes=31)
    check = service.check_session(key)
    assert check.user is None and check.reason == "idle_timeout"
    assert service.check_session(key).user is None  # stays ended
    assert ("timeout", "unit1", True) in audit_actions(demo, office)


def test_a_check_without_touch_is_not_activity(demo, clock):
    """A page refreshing itself (the dashboard) must not keep an unattended login alive."""
    service = AuthService(demo)
    key = start(demo, "leader")
    for _ in range(3):
        clock.advance(minutes=10)
        assert service.check_session(key, touch=False).user is not None
    clock.advance(minutes=1)
    check = service.check_session(key, touch=False)
    assert check.user is None and check.reason == "idle_timeout"


def test_absolute_timeout_even_when_active(demo, clock):
    service = AuthService(demo)
    key = start(demo, "unit1")
    for _ in range(47):  # active every 15 minutes for 11 h 45 min
        clock.advance(minutes=15)
        assert service.check_session(key).user is not None
    clock.advance(minutes=16)  # 12 h 1 min after login
    check = service.check_session(key)
    assert check.user is None and check.reason == "absolute_timeout"


def test_logout_revokes_the_session(demo, office):
    service = AuthService(demo)
    key = start(demo, "unit1")
    user = demo.accounts.login_record("unit1").user
    service.logout(key, user)
    assert service.check_session(key).user is None
    assert ("logout", "unit1", True) in audit_actions(demo, office)


def test_disable_and_reset_end_every_session_of_the_user(demo, office):
    service = AuthService(demo)
    first, second = start(demo, "unit1", "a"), start(demo, "unit1", "b")
    other = start(demo, "unit2", "c")
    demo.accounts.set_user_enabled(office, demo.accounts.login_record("unit1").user.id, False)
    assert service.check_session(first).user is None
    assert service.check_session(second).user is None
    assert service.check_session(other).user is not None
    unit2 = demo.accounts.login_record("unit2").user
    demo.accounts.reset_password(office, unit2.id, hash_password("Reset@2026x"))
    assert service.check_session(other).user is None
    assert demo.accounts.login_record("unit2").user.must_change_password


def test_change_password_checks_policy_and_ends_sessions(demo):
    service = AuthService(demo)
    actor = actor_for(demo, "unit1")
    key = start(demo, "unit1")
    with pytest.raises(ValidationError) as error:
        service.change_password(actor, "Wrong@0000", "short", "other")
    messages = " ".join(error.value.messages)
    assert "原密码不正确" in messages and "不一致" in messages and "至少8位" in messages
    assert service.check_session(key).user is not None  # nothing changed
    service.change_password(actor, DEMO_PASSWORD, "NewPass#2026", "NewPass#2026")
    assert service.check_session(key).user is None
    assert service.authenticate("unit1", "NewPass#2026").ok
    assert not service.authenticate("unit1", DEMO_PASSWORD).ok


def test_session_key_depends_on_user_and_cookie_expiry():
    assert session_key("unit1", 1.5) == session_key("unit1", 1.5)
    assert session_key("unit1", 1.5) != session_key("unit2", 1.5)
    assert session_key("unit1", 1.5) != session_key("unit1", 1.6)


# --- the login cookie ----------------------------------------------------------------

COOKIE_KEY = "k" * 64


def cookie(payload: dict, key: str = COOKIE_KEY, algorithm: str = "HS256", **kw) -> str:
    import jwt

    return jwt.encode(payload, key, algorithm=algorithm, **kw)


def unsigned(payload: dict) -> str:
    """A token with ``alg: none`` (no signature), as a forger would send it."""
    import base64
    import json

    def part(data: dict) -> str:
        raw = json.dumps(data).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


NOW = 1_900_000_000.0
GOOD = {"username": "unit1", "exp_date": NOW + 3600}


def test_a_well_signed_unexpired_cookie_is_accepted():
    check = check_login_cookie(cookie(GOOD), COOKIE_KEY, NOW)
    assert check.payload == GOOD and check.problem == "" and check.username == "unit1"


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (unsigned(GOOD), "wrong_algorithm"),
        (cookie(GOOD, algorithm="HS512"), "wrong_algorithm"),
        (cookie(GOOD, key="另一个密钥" * 8), "wrong_signature"),
        (cookie({"username": "unit1", "exp_date": NOW - 1}), "expired"),
        (cookie({**GOOD, "exp": 1000}), "expired"),  # a JWT exp claim long past
        (cookie({"username": "unit1"}), "malformed"),
        (cookie({"username": "", "exp_date": NOW + 60}), "malformed"),
        (cookie({"username": "unit1", "exp_date": "明天"}), "malformed"),
        (cookie({"username": ["unit1"], "exp_date": NOW + 60}), "malformed"),
        ("not-a-token", "garbled"),
        ("a.b.c", "garbled"),
        ("", "garbled"),
        ("%%%.%%%.%%%", "garbled"),
    ],
)
def test_a_forged_garbled_or_expired_cookie_is_refused(token, problem):
    check = check_login_cookie(token, COOKIE_KEY, NOW)
    assert check.payload is None
    assert check.problem == problem
    assert problem in COOKIE_PROBLEMS


def test_a_refused_cookie_is_audited_with_the_claimed_name(demo, office):
    service = AuthService(demo)
    check = check_login_cookie(unsigned({**GOOD, "username": "office"}), COOKIE_KEY, NOW)
    service.reject_cookie(check)
    entry = demo.oversight.list_audit(SYSTEM_AUDITOR, 5)[0]
    assert (entry.action, entry.username, entry.success) == ("cookie_rejected", "office", False)
    assert entry.detail == "wrong_algorithm"


# ------------------------------------------------------------ password age (定期更换口令)
def test_a_password_older_than_the_maximum_age_must_be_changed_at_login(demo, clock):
    service = AuthService(demo)
    created = demo.accounts.login_record("unit1").user.password_changed_at
    assert created == clock()  # the demo's accounts got their password when created
    clock.advance(days=SECURITY.password_max_age.days, seconds=-1)
    outcome = service.authenticate("unit1", DEMO_PASSWORD)
    assert outcome.ok and not outcome.user.must_change_password  # not yet
    clock.advance(seconds=1)
    outcome = service.authenticate("unit1", DEMO_PASSWORD)
    assert outcome.ok and outcome.user.must_change_password  # 修改密码 only, as after a reset
    assert demo.accounts.login_record("unit1").user.must_change_password
    newest = demo.oversight.list_audit(SYSTEM_AUDITOR, 1)[0]
    assert (newest.action, newest.username) == ("password_expired", "unit1")
    assert newest.detail == f"上次修改 {created:%Y-%m-%d}"
    assert not service.authenticate("unit1", "Wrong@1234").ok  # a wrong password changes nothing
    unit1 = actor_for(demo, "unit1")
    service.change_password(unit1, DEMO_PASSWORD, "Fresh#2027a", "Fresh#2027a")
    user = demo.accounts.login_record("unit1").user
    assert user.password_changed_at == clock() and not user.must_change_password
    assert not service.authenticate("unit1", "Fresh#2027a").user.must_change_password


def test_a_reset_dates_the_password_too(demo, clock, office):
    clock.advance(days=200)
    user = demo.accounts.login_record("unit2").user
    assert password_expired(user, clock())
    demo.accounts.reset_password(office, user.id, hash_password("Reset#2027a"))
    user = demo.accounts.login_record("unit2").user
    assert user.password_changed_at == clock() and not password_expired(user, clock())


def test_the_notice_comes_in_the_last_days_before_the_expiry(demo, clock):
    user = demo.accounts.login_record("unit1").user
    max_age, warning = SECURITY.password_max_age.days, SECURITY.password_expiry_warning.days
    notice = password_expiry_notice
    clock.advance(days=max_age - warning - 1)
    assert notice(user, clock()) == ""
    clock.advance(days=3)
    assert notice(user, clock()) == f"您的密码将于{warning - 2}天后过期，请及时修改。"
    clock.advance(days=warning - 2, hours=-1)
    assert notice(user, clock()) == "您的密码将于今天过期，请及时修改。"
    clock.advance(hours=1)
    assert notice(user, clock()) == ""  # expired: the forced change says so instead


def test_the_upgrade_dates_an_old_password_from_the_account(tmp_path):
    """Accounts that never changed their password had no change date: the schema
    upgrade gives them the account's creation time, so their age counts from there."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    db.migrate(con, target=MIGRATIONS.index(MIGRATION_PASSWORD_AGE))
    con.execute(
        "INSERT INTO app_user (username, display_name, role, password_hash, created_at,"
        " updated_at) VALUES ('old', '老账号', 'office', 'x', TIMESTAMPTZ '2026-01-05 10:00:00+08',"
        " now())"
    )
    con.close()
    con = db.connect(path)
    try:
        user = Repository(db.cursor(con)).accounts.login_record("old").user
    finally:
        con.close()
    assert user.password_changed_at == datetime(2026, 1, 5, 10, tzinfo=TZ)


def test_the_cookie_script_sets_a_strict_cookie_and_secure_only_over_https():
    expires = datetime(2026, 12, 5, 18, 0, tzinfo=TZ)
    plain = cookie_script("themeday_auth", "aa.bb-cc_dd", expires, secure=False)
    assert plain == (
        'document.cookie = "themeday_auth=aa.bb-cc_dd; Path=/; SameSite=Strict;'
        ' Expires=Sat, 05 Dec 2026 10:00:00 GMT";'
    )
    assert cookie_script("themeday_auth", "aa", expires, secure=True).endswith('; Secure";')


def test_the_cookie_script_deletes_with_an_expiry_in_the_past():
    script = cookie_script("themeday_auth", "", None, secure=False)
    assert "themeday_auth=;" in script
    assert "Max-Age=0" in script and "1970" in script


@pytest.mark.parametrize(
    "value", ['a";alert(1);"', "</script><script>alert(1)</script>", "a b", "a;Path=/x"]
)
def test_the_cookie_script_refuses_values_that_are_not_a_token(value):
    with pytest.raises(ValueError):
        cookie_script("themeday_auth", value, None, secure=False)
