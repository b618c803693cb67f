"""来源地址 in the audit log: worked out from the request (X-Forwarded-For only from a
trusted proxy), written on every audit row, hashed when present, shown and exported."""

from __future__ import annotations

import csv
import io
import ipaddress

import duckdb
import pytest

from tests.conftest import FakeClock
from tests.helpers import host
from themeday.core.audit import AuditFilter, AuditRow, canonical, compute_hash
from themeday.core.config import trusted_proxies
from themeday.core.domain import SYSTEM_ACTOR, SYSTEM_AUDITOR
from themeday.formats.audit_exports import audit_csv
from themeday.repository import Repository
from themeday.storage import db
from themeday.storage.migrations import MIGRATION_AUDIT_ADDRESS, MIGRATIONS
from themeday.ui.resources import request_address, source_address

LOCAL = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
CLIENT = "203.0.113.7"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        # straight to the app: the peer, whatever the header claims
        ("198.51.100.4", ["1.2.3.4"], LOCAL, "198.51.100.4"),
        ("198.51.100.4", [], LOCAL, "198.51.100.4"),
        # through nginx on this machine (Streamlit reports no address for loopback)
        (None, [CLIENT], LOCAL, CLIENT),
        (None, [], LOCAL, "localhost"),
        # a client's own X-Forwarded-For is left of what nginx appended: not believed
        (None, [f"6.6.6.6, {CLIENT}"], LOCAL, CLIENT),
        # a chain of trusted proxies is walked past
        (
            "10.0.0.2",
            [f"{CLIENT}, 10.0.0.9"],
            (ipaddress.ip_network("10.0.0.0/8"),),
            CLIENT,
        ),
        # no proxy trusted: the loopback peer itself
        (None, [CLIENT], (), "localhost"),
        # garbage stops the walk at the proxy that passed it on
        (None, ["unknown"], LOCAL, "localhost"),
        # ports and brackets dropped; IPv6 normalised
        (None, ["[2001:DB8::1]:443"], LOCAL, "2001:db8::1"),
        (None, [f"{CLIENT}:51234"], LOCAL, CLIENT),
        # several headers read as one list
        (None, ["6.6.6.6", CLIENT], LOCAL, CLIENT),
    ],
)
def test_source_address(peer, forwarded, trusted, expected):
    assert source_address(peer, forwarded, trusted) == expected


class FakeHeaders(dict):
    def get_all(self, key: str) -> list[str]:
        return [v for k, v in self.items() if k.lower() == key.lower()]


class FakeContext:
    def __init__(self, ip_address, headers):
        self.ip_address = ip_address
        self.headers = FakeHeaders(headers)


def test_request_address_reads_the_context_and_the_setting(monkeypatch):
    monkeypatch.delenv("THEMEDAY_TRUSTED_PROXIES", raising=False)
    behind_nginx = FakeContext(None, {"Host": "ztr", "X-Forwarded-For": CLIENT})
    assert request_address(behind_nginx) == CLIENT
    assert request_address(FakeContext("198.51.100.4", {"X-Forwarded-For": CLIENT})) == (
        "198.51.100.4"
    )
    assert request_address(FakeContext(None, {})) == ""  # no request (a test run)
    monkeypatch.setenv("THEMEDAY_TRUSTED_PROXIES", "10.0.0.5, not-an-address")
    assert trusted_proxies() == (ipaddress.ip_network("10.0.0.5/32"),)
    assert request_address(behind_nginx) == "localhost"
    assert request_address(FakeContext("10.0.0.5", {"X-Forwarded-For": CLIENT})) == CLIENT


def test_an_address_is_hashed_only_when_there_is_one():
    row = AuditRow(1, FakeClock()(), "office", "office", None, "login", "session", "ab", True, "")
    assert b"themeday-audit/1" in canonical(row, "0" * 64)
    with_address = AuditRow(**{**row.__dict__, "client_address": CLIENT})
    assert CLIENT.encode() in canonical(with_address, "0" * 64)
    assert compute_hash(with_address, "0" * 64) != compute_hash(row, "0" * 64)
    other = AuditRow(**{**row.__dict__, "client_address": "198.51.100.4"})
    assert compute_hash(other, "0" * 64) != compute_hash(with_address, "0" * 64)


def test_rows_from_before_still_verify_and_new_rows_carry_the_address(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    db.migrate(con, target=MIGRATIONS.index(MIGRATION_AUDIT_ADDRESS))
    for n in range(3):
        con.execute(
            "INSERT INTO audit_log (occurred_at, username, role, unit_id, action,"
            " object_type, object_id, success, detail) VALUES"
            " (TIMESTAMPTZ '2026-01-05 10:00:00+08' + INTERVAL (?) MINUTE, 'office', 'office',"
            " NULL, 'login', 'session', ?, true, '')",
            [n, f"s{n}"],
        )
    assert db.chain_legacy_audit(con) == 3  # hashed the way it was before the address
    con.close()

    con = db.connect(path)
    try:
        repo = Repository(db.cursor(con), FakeClock(), client_address=CLIENT)
        assert repo.oversight.verify_audit_chain(SYSTEM_AUDITOR).ok
        repo.oversight.record_backup(SYSTEM_ACTOR, "bk", "")
        repo.fork().oversight.record_backup(SYSTEM_ACTOR, "bk2", "")  # a forked repository too
        rows = repo.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 10)
        assert [r.client_address for r in rows] == [CLIENT, CLIENT, "", "", ""]
        assert repo.oversight.verify_audit_chain(SYSTEM_AUDITOR).ok

        con.execute(
            "UPDATE audit_log SET client_address = '198.51.100.4' WHERE id = ?", [rows[1].id]
        )
        verdict = repo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
        assert not verdict.ok and verdict.broken_id == rows[1].id
    finally:
        con.close()


def test_the_audit_log_page_shows_and_exports_the_address(app_db):
    office = app_db.accounts.login_record("office").user.as_actor()
    Repository(app_db.cur, client_address=CLIENT).oversight.record_backup(office, "bk", "")

    at = host(app_db, "audit_log", "auditor")  # the audit log is the auditor's alone
    assert not at.exception
    table = next(d.value for d in at.dataframe if "编号" in d.value.columns)
    assert table["来源地址"].iloc[0] == CLIENT

    rows = app_db.oversight.search_audit(SYSTEM_AUDITOR, AuditFilter(), 5)
    exported = list(csv.DictReader(io.StringIO(audit_csv(rows).decode("utf-8-sig"))))
    assert exported[0]["来源地址"] == CLIENT
