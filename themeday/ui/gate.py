"""The login gate: streamlit-authenticator glue over our own lockout and sessions.

The authenticator signs and restores the re-authentication cookie; everything it does
not do safely (failed-login counting that survives a restart, lockout, idle and
absolute timeouts, revocation, Chinese messages, over-long passwords) is checked here
against the ``session`` table through ``themeday.services.auth``.

``app.py`` calls :func:`identify` once per run, before ``st.navigation``; every page's
``render()`` calls :func:`require` to re-check the role.
"""

from __future__ import annotations

import logging
import time
import types
from dataclasses import dataclass
from datetime import datetime, timedelta

import extra_streamlit_components as stx
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.models import cookie_model
from streamlit_authenticator.utilities.exceptions import LoginError

from themeday.core.config import (
    COOKIE_NAME,
    DEMO_PASSWORD,
    SECURITY,
    CookieKeyError,
    db_path,
    resolve_cookie_key,
    trusted_proxies,
)
from themeday.core.domain import SYSTEM_ACTOR, Actor, Role
from themeday.core.records import User
from themeday.repository import Repository
from themeday.services.auth import (
    AuthService,
    check_login_cookie,
    cookie_script,
    password_expiry_notice,
    served_over_tls,
    session_key,
)
from themeday.ui.resources import repository
from themeday.ui.widgets import escape_markdown

_USER = "themeday.user_id"
_SESSION = "themeday.session_key"
_PENDING = "themeday.pending_login"
_NOTICE = "themeday.login_notice"
_DROP_COOKIE = "themeday.drop_cookie"
_AUTHENTICATOR_STATE = ("name", "username", "authentication_status", "email", "roles")

_log = logging.getLogger(__name__)
_logged_key_problems: set[str] = set()


class _ServerCookies(stx.CookieManager):
    """extra-streamlit-components' cookie manager without its components.

    The stock manager mounts a component on every run that reads the browser's cookies
    and answers by rerunning the page, and sets or deletes a cookie through another
    component that answers by rerunning the page again: a login cost two runs and the
    component's round trip, and a page link clicked in between was undone. Nothing
    reads those answers: the authenticator and :func:`_cookie_refused` read the cookie
    the browser sent with the request (``st.context.cookies``). Here setting and
    deleting the cookie is a one-line script the browser runs (:func:`cookie_script`),
    which answers nothing.
    """

    def __init__(self, key: str = "init") -> None:
        self.cookies = dict(st.context.cookies)
        self.secure = False
        """Set by :func:`_set_login_cookie` when the browser came over https."""

    def set(self, cookie: str, val: str, *_, expires_at: datetime | None = None, **__) -> None:
        expires = expires_at or datetime.now() + timedelta(days=1)
        _run_script(cookie_script(cookie, str(val), expires, secure=self.secure))
        self.cookies[cookie] = val

    def delete(self, cookie: str, key: str = "delete") -> None:
        _run_script(cookie_script(cookie, "", None, secure=self.secure))
        self.cookies.pop(cookie, None)


def _run_script(script: str) -> None:
    st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


# The authenticator builds its cookie manager as ``stx.CookieManager()``; only its
# cookie model sees this substitute.
cookie_model.stx = types.SimpleNamespace(CookieManager=_ServerCookies)


@dataclass(frozen=True)
class Identity:
    """The logged-in user of this run and the repository to act with."""

    user: User
    repo: Repository

    @property
    def actor(self) -> Actor:
        return self.user.as_actor()


def _cookie_key() -> str:
    try:
        secret = st.secrets.get("cookie_key")
    except (FileNotFoundError, KeyError):
        secret = None
    return resolve_cookie_key(secret, db_path().parent / "cookie_key")


def cookie_key_problem() -> str | None:
    """Why the app may not start with its cookie signing key (Chinese), or ``None``.

    ``app.py`` asks before the login gate and shows only this message when the key is
    too short or a published sample; the server log gets it once per process.
    """
    try:
        _cookie_key()
    except CookieKeyError as exc:
        message = str(exc)
        if message not in _logged_key_problems:
            _logged_key_problems.add(message)
            _log.error("%s", message)
        return message
    return None


def _authenticator(repo: Repository) -> stauth.Authenticate:
    """Build the authenticator once per run (a second instance raises a duplicate key)."""
    credentials = {
        "usernames": {
            username: {"name": name, "password": password_hash, "roles": [role]}
            for username, name, role, password_hash in repo.accounts.active_users_for_login()
        }
    }
    authenticator = stauth.Authenticate(
        credentials,
        cookie_name=COOKIE_NAME,
        cookie_key=_cookie_key(),
        cookie_expiry_days=SECURITY.absolute_timeout.total_seconds() / 86400,
        auto_hash=False,
        login_sleep_time=0,
    )
    return authenticator


def _set_login_cookie(authenticator: stauth.Authenticate) -> None:
    """Set the login cookie, ``Secure`` when the browser came over https.

    streamlit-authenticator 0.4.2 passes no cookie options to the cookie component it
    builds each run (extra-streamlit-components' ``CookieManager.set`` takes
    ``secure``); this run's component is given the flag before the authenticator
    signs and sets the cookie, so the token stays the authenticator's own.
    """
    if served_over_tls(
        st.context.url,
        st.context.headers.get("X-Forwarded-Proto"),
        st.context.ip_address,
        trusted_proxies(),
    ):
        authenticator.cookie_controller.cookie_model.cookie_manager.secure = True
    authenticator.cookie_controller.set_cookie()


def _forget(notice: str = "") -> None:
    """Drop this browser session's login, ours and the authenticator's.

    The cookie itself is deleted by :func:`identify` in a run that shows the login
    page, so the browser gets the deletion even when this run ends in ``st.rerun``.
    """
    for name in _AUTHENTICATOR_STATE:
        st.session_state[name] = None
    st.session_state["logout"] = True  # the authenticator then stops reading the cookie
    st.session_state.pop(_USER, None)
    st.session_state.pop(_SESSION, None)
    st.session_state[_DROP_COOKIE] = True
    if notice:
        st.session_state[_NOTICE] = notice


def logged_in() -> bool:
    """Whether this browser session belongs to a logged-in user (for public pages)."""
    return st.session_state.get(_USER) is not None


def current_role() -> Role | None:
    """The role of this session's logged-in user, for a public page that shows staff a
    notice (None when nobody, or a disabled account, is logged in)."""
    user_id = st.session_state.get(_USER)
    if user_id is None:
        return None
    user = repository().accounts.user_by_id(user_id)
    return user.role if user is not None and user.enabled else None


def identify() -> Identity | None:
    """Who is logged in for this run, or ``None`` (show the login page).

    The run that completes a login sets the cookie with a script that answers nothing
    (:class:`_ServerCookies`), so no second run follows it and the page links work at
    once.
    """
    repo = repository()
    authenticator = _authenticator(repo)
    identity = _identify(repo, authenticator)
    if identity is None and st.session_state.pop(_DROP_COOKIE, False):
        authenticator.cookie_controller.delete_cookie()
    return identity


def _identify(repo: Repository, authenticator: stauth.Authenticate) -> Identity | None:
    """Order matters: a login just accepted by the form gets its cookie and session;
    otherwise the live session is checked, or restored from the cookie."""
    service = AuthService(repo)

    # Read, not popped: if this run is cut short (a click while it runs),
    # the next run finishes the login instead of losing it.
    pending = st.session_state.get(_PENDING)
    if pending is not None:
        user = repo.accounts.user_by_id(pending)
        st.session_state.update(
            authentication_status=True,
            username=user.username,
            name=user.display_name,
            roles=[user.role.value],
            logout=False,
        )
        _set_login_cookie(authenticator)
        key = session_key(user.username, authenticator.cookie_controller.cookie_model.exp_date)
        service.start_session(user, key)
        st.session_state[_SESSION] = key
        st.session_state[_USER] = user.id
        st.session_state.pop(_PENDING, None)

    key = st.session_state.get(_SESSION)
    if key is None and _cookie_refused(service, authenticator):
        return None
    if key is None:
        try:
            authenticator.login(location="unrendered")
        except LoginError:
            _forget()
            return None
        token = authenticator.cookie_controller.get_cookie() or None
        if not st.session_state.get("authentication_status") or not token:
            return None
        key = session_key(token["username"], token["exp_date"])

    check = service.check_session(key)
    if check.user is None or (
        st.session_state.get("username") and check.user.username != st.session_state["username"]
    ):
        _forget(check.message if check.reason != "unknown" else "")
        return None
    st.session_state[_SESSION] = key
    st.session_state[_USER] = check.user.id
    return Identity(check.user, repo)


def _cookie_refused(service: AuthService, authenticator: stauth.Authenticate) -> bool:
    """Check the browser's login cookie before the authenticator reads it.

    A forged, garbled or expired cookie is treated as no cookie: audited
    (``cookie_rejected``), dropped from the browser, and the login form is shown. The
    check runs once per browser session: afterwards the authenticator is told to stop
    reading the cookie (``logout``), until the next login.
    """
    if st.session_state.get("logout"):
        return False
    token = st.context.cookies.get(COOKIE_NAME)
    if not token:
        return False
    model = authenticator.cookie_controller.cookie_model
    check = check_login_cookie(token, model.cookie_key, time.time())
    if check.payload is not None:
        return False
    service.reject_cookie(check)
    _forget()
    return True


def login_key() -> str | None:
    """The server-side session key of this run's login (None when the run has none, as in
    a page test that sets only the user)."""
    return st.session_state.get(_SESSION)


def session_alive() -> bool:
    """For parts of a page that rerun on their own (``st.fragment(run_every=...)``):
    is this login still valid on the server? Such reruns skip ``app.py``'s gate, so a
    logout elsewhere, a revocation or a timeout would otherwise go unnoticed. The check
    does not count as activity: an unattended screen still times out.
    """
    key = st.session_state.get(_SESSION)
    if key is None:
        return st.session_state.get(_USER) is not None
    return AuthService(repository()).check_session(key, touch=False).user is not None


def require(*roles: Role, password_page: bool = False) -> Identity:
    """Re-check, inside a page, that the user of this run may open it; else stop.

    ``app.py`` already limits the navigation by role; this guards against a page
    reached any other way. Until a forced password change is done, only the
    password page (``password_page=True``) opens.
    """
    user_id = st.session_state.get(_USER)
    repo = repository()
    user = repo.accounts.user_by_id(user_id) if user_id is not None else None
    if user is None or not user.enabled:
        st.warning("请先登录。")
        st.stop()
    if roles and user.role not in roles:
        st.error("您的账号无权访问此页面。")
        st.stop()
    if user.must_change_password and not password_page:
        st.warning("首次登录、密码被重置或已过期后，须先修改密码。")
        st.stop()
    return Identity(user, repo)


def _submit_login() -> None:
    """Form callback: runs before the script, so the next run already knows the user."""
    username = st.session_state.get("login_username", "")
    password = st.session_state.get("login_password", "")
    outcome = AuthService(repository()).authenticate(username, password)
    st.session_state["login_password"] = ""
    st.session_state.pop(_NOTICE, None)
    st.session_state.pop("login_error", None)
    if outcome.ok:
        st.session_state[_PENDING] = outcome.user.id
    else:
        st.session_state["login_error"] = outcome.message


def render_login() -> None:
    """The login page (登录)."""
    repo = repository()
    st.title("政务公开主题日工作平台")
    campaign = repo.catalogue.current_campaign(SYSTEM_ACTOR)
    if campaign is not None:
        st.caption(escape_markdown(campaign.title))
    # Kept until the next login attempt: the cookie component reruns the page once.
    notice = st.session_state.get(_NOTICE)
    if notice:
        st.info(notice)
    error = st.session_state.get("login_error")
    if error:
        st.error(error)
    with st.form("login_form", clear_on_submit=False):
        st.subheader("用户登录")
        st.text_input("用户名", key="login_username", autocomplete="username")
        st.text_input(
            "密码",
            type="password",
            key="login_password",
            autocomplete="current-password",
        )
        st.form_submit_button("登录", type="primary", on_click=_submit_login)
    st.markdown("[查看“政务公开主题日”活动成果展示](showcase)")
    if repo.is_demo():
        st.info(
            "这是演示数据库。演示账号：office（政务公开办）、leader（领导）、"
            f"unit1～unit3（单位）、auditor（审计管理员），密码均为 {DEMO_PASSWORD}。"
        )


def password_notice(identity: Identity) -> None:
    """Remind the user, on every page, that the password expires within days."""
    notice = password_expiry_notice(identity.user, identity.repo.clock())
    if notice:
        st.warning(notice, icon=":material/key:")


def logout() -> None:
    """End this session on the server and drop the cookie (退出)."""
    key = st.session_state.get(_SESSION)
    user_id = st.session_state.get(_USER)
    repo = repository()
    if key is not None:
        user = repo.accounts.user_by_id(user_id) if user_id is not None else None
        AuthService(repo).logout(key, user)
    _forget("您已安全退出。")


def end_after_password_change() -> None:
    """The password change ended every session of the user: back to the login page."""
    _forget("密码已修改，请使用新密码重新登录。")
