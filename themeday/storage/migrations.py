"""Versioned schema migrations (数据库结构版本).

Each migration is a list of statements applied in one transaction; the number of the
last applied one is kept in ``schema_version``. Migrations are append-only: never edit
one that has shipped, add the next.

DuckDB cannot update a parent row that a FOREIGN KEY references (it treats an update
as delete + insert), so links between tables are kept by the repository instead.
"""

from __future__ import annotations

MIGRATION_1 = [
    "CREATE SEQUENCE IF NOT EXISTS seq_campaign",
    "CREATE SEQUENCE IF NOT EXISTS seq_unit",
    "CREATE SEQUENCE IF NOT EXISTS seq_app_user",
    "CREATE SEQUENCE IF NOT EXISTS seq_audit_log",
    """CREATE TABLE meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )""",
    """CREATE TABLE campaign (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_campaign'),
        year INTEGER NOT NULL,
        region VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        office_name VARCHAR NOT NULL,
        rules VARCHAR NOT NULL,
        is_current BOOLEAN NOT NULL DEFAULT FALSE,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE unit (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_unit'),
        name VARCHAR NOT NULL UNIQUE,
        kind VARCHAR NOT NULL,
        contact_person VARCHAR NOT NULL DEFAULT '',
        contact_phone VARCHAR NOT NULL DEFAULT '',
        enabled BOOLEAN NOT NULL DEFAULT TRUE,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE app_user (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_app_user'),
        username VARCHAR NOT NULL UNIQUE,
        display_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        unit_id INTEGER,
        password_hash VARCHAR NOT NULL,
        must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
        enabled BOOLEAN NOT NULL DEFAULT TRUE,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        failed_window_start TIMESTAMPTZ,
        locked_until TIMESTAMPTZ,
        password_changed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    """CREATE TABLE session (
        id VARCHAR PRIMARY KEY,
        user_id INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        last_seen_at TIMESTAMPTZ NOT NULL,
        ended_at TIMESTAMPTZ,
        end_reason VARCHAR
    )""",
    """CREATE TABLE audit_log (
        id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit_log'),
        occurred_at TIMESTAMPTZ NOT NULL,
        username VARCHAR NOT NULL,
        role VARCHAR,
        unit_id INTEGER,
        action VARCHAR NOT NULL,
        object_type VARCHAR,
        object_id VARCHAR,
        success BOOLEAN NOT NULL,
        detail VARCHAR NOT NULL DEFAULT ''
    )""",
]

MIGRATION_2 = [
    "CREATE SEQUENCE IF NOT EXISTS seq_declaration",
    "CREATE SEQUENCE IF NOT EXISTS seq_activity",
    """CREATE TABLE declaration (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_declaration'),
        campaign_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL,
        status VARCHAR NOT NULL DEFAULT 'draft',
        contact_person VARCHAR NOT NULL DEFAULT '',
        contact_phone VARCHAR NOT NULL DEFAULT '',
        submitted_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        UNIQUE (campaign_id, unit_id)
    )""",
    """CREATE TABLE activity (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_activity'),
        declaration_id INTEGER NOT NULL,
        campaign_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        title VARCHAR NOT NULL,
        planned_month INTEGER NOT NULL,
        form VARCHAR NOT NULL,
        summary VARCHAR NOT NULL DEFAULT '',
        contact VARCHAR NOT NULL DEFAULT '',
        activity_date DATE,
        place VARCHAR NOT NULL DEFAULT '',
        status VARCHAR NOT NULL DEFAULT 'planned',
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX idx_activity_unit ON activity (campaign_id, unit_id)",
    "CREATE INDEX idx_audit_user ON audit_log (username, occurred_at)",
]

MIGRATION_3 = [
    "CREATE SEQUENCE IF NOT EXISTS seq_declaration_history",
    "CREATE SEQUENCE IF NOT EXISTS seq_attachment",
    "ALTER TABLE declaration ADD COLUMN late_workdays INTEGER",
    "ALTER TABLE declaration ADD COLUMN return_reason VARCHAR",
    "ALTER TABLE declaration ADD COLUMN scan_attachment_id INTEGER",
    """CREATE TABLE declaration_history (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_declaration_history'),
        declaration_id INTEGER NOT NULL,
        version INTEGER NOT NULL,
        action VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        reason VARCHAR NOT NULL DEFAULT '',
        snapshot VARCHAR NOT NULL,
        username VARCHAR NOT NULL,
        occurred_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX idx_declaration_history ON declaration_history (declaration_id)",
    """CREATE TABLE attachment (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_attachment'),
        campaign_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL,
        owner_type VARCHAR NOT NULL,
        owner_id INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        original_name VARCHAR NOT NULL,
        stored_name VARCHAR NOT NULL,
        fmt VARCHAR NOT NULL,
        size BIGINT NOT NULL,
        sha256 VARCHAR NOT NULL,
        uploaded_by VARCHAR NOT NULL,
        uploaded_at TIMESTAMPTZ NOT NULL
    )""",
    """CREATE TABLE workday_override (
        day DATE PRIMARY KEY,
        is_workday BOOLEAN NOT NULL,
        note VARCHAR NOT NULL DEFAULT '',
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
]

_ACTIVITY_COLUMNS_V4 = (
    ("scheduled_at", "TIMESTAMPTZ"),
    ("invitees", "VARCHAR NOT NULL DEFAULT '[]'"),
    ("expected_participants", "INTEGER"),
    ("off_month_reason", "VARCHAR NOT NULL DEFAULT ''"),
    ("plan_text", "VARCHAR NOT NULL DEFAULT ''"),
    ("plan_filed_at", "TIMESTAMPTZ"),
    ("held_date", "DATE"),
    ("held_recorded_at", "TIMESTAMPTZ"),
    ("attendance", "VARCHAR NOT NULL DEFAULT '{}'"),
    ("media_outlets", "VARCHAR NOT NULL DEFAULT ''"),
    ("report_text", "VARCHAR NOT NULL DEFAULT ''"),
    ("report_filed_at", "TIMESTAMPTZ"),
    ("cancel_reason", "VARCHAR NOT NULL DEFAULT ''"),
    ("cancelled_at", "TIMESTAMPTZ"),
    ("published_at", "TIMESTAMPTZ"),
    ("portal_url", "VARCHAR NOT NULL DEFAULT ''"),
    ("typical_case", "BOOLEAN NOT NULL DEFAULT false"),
)

MIGRATION_4 = [
    # DuckDB refuses ALTER TABLE on a table that has an index: drop it, alter, rebuild.
    "DROP INDEX idx_activity_unit",
    *(f"ALTER TABLE activity ADD COLUMN {name} {kind}" for name, kind in _ACTIVITY_COLUMNS_V4),
    "CREATE INDEX idx_activity_unit ON activity (campaign_id, unit_id)",
    "CREATE INDEX idx_activity_status ON activity (campaign_id, status)",
    "ALTER TABLE attachment ADD COLUMN thumbnail_name VARCHAR",
    "ALTER TABLE attachment ADD COLUMN thumbnail_sha256 VARCHAR",
    "CREATE INDEX idx_attachment_owner ON attachment (owner_type, owner_id)",
    "CREATE SEQUENCE IF NOT EXISTS seq_comment",
    """CREATE TABLE comment (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_comment'),
        object_type VARCHAR NOT NULL,
        object_id INTEGER NOT NULL,
        unit_id INTEGER,
        body VARCHAR NOT NULL,
        username VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    "CREATE INDEX idx_comment_object ON comment (object_type, object_id)",
]

MIGRATION_5 = [
    # No secondary indexes: these tables stay small, and DuckDB refuses ALTER TABLE on a
    # table with an index (see MIGRATION_4), so a later column costs nothing.
    # 考核: office adjustments to a unit's score (加减分, with a required reason).
    "CREATE SEQUENCE IF NOT EXISTS seq_score_adjustment",
    """CREATE TABLE score_adjustment (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_score_adjustment'),
        campaign_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL,
        delta DOUBLE NOT NULL,
        reason VARCHAR NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
    # Score weights per campaign, kept as a history: a past as-of date uses the weights
    # in force then (the newest row set before the end of that day).
    "CREATE SEQUENCE IF NOT EXISTS seq_compliance_weights",
    """CREATE TABLE compliance_weights (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_compliance_weights'),
        campaign_id INTEGER NOT NULL,
        weights VARCHAR NOT NULL,
        set_by VARCHAR NOT NULL,
        set_at TIMESTAMPTZ NOT NULL
    )""",
    # 催办记录: the office marks an overdue or due-soon item as chased.
    "CREATE SEQUENCE IF NOT EXISTS seq_chase",
    """CREATE TABLE chase (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_chase'),
        campaign_id INTEGER NOT NULL,
        unit_id INTEGER NOT NULL,
        item VARCHAR NOT NULL,
        note VARCHAR NOT NULL DEFAULT '',
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
    )""",
]

MIGRATION_6 = [
    # 视图: a named filter/sort/group/fields combination of a 数据表 table. unit_id NULL
    # is shared among the office (leaders read them too); otherwise one unit's own.
    "CREATE SEQUENCE IF NOT EXISTS seq_saved_view",
    """CREATE TABLE saved_view (
        id INTEGER PRIMARY KEY DEFAULT nextval('seq_saved_view'),
        table_name VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        unit_id INTEGER,
        spec VARCHAR NOT NULL,
        is_default BOOLEAN NOT NULL DEFAULT FALSE,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    # Every row the grid edits carries a version (conflict safety).
    "ALTER TABLE workday_override ADD COLUMN version INTEGER NOT NULL DEFAULT 1",
    # Tamper-evident audit: each row chained to the previous one by a hash.
    "DROP INDEX idx_audit_user",
    "ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR",
    "ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR",
    "CREATE INDEX idx_audit_user ON audit_log (username, occurred_at)",
]

MIGRATION_7 = [
    # 活动日期 history: every date an activity had (定日期, 改期, the held date) with the
    # day it came into force, as JSON [[from, date], ...]. A due date that passed while
    # its date was in force stays the one a step is judged against (see
    # ``compliance.due_in_force``). Filled from the audit rows of those steps.
    "DROP INDEX idx_activity_unit",
    "DROP INDEX idx_activity_status",
    "ALTER TABLE activity ADD COLUMN date_history VARCHAR NOT NULL DEFAULT '[]'",
    """UPDATE activity SET date_history = h.history FROM (
        SELECT CAST(object_id AS INTEGER) AS activity_id,
            CAST(to_json(list([strftime(CAST(occurred_at AS DATE), '%Y-%m-%d'),
                strftime(day, '%Y-%m-%d')] ORDER BY id)) AS VARCHAR) AS history
        FROM (SELECT id, object_id, occurred_at,
                CASE action WHEN 'schedule'
                    THEN TRY_CAST(trim(split_part(detail, '→', 2)) AS DATE)
                    ELSE TRY_CAST(trim(detail) AS DATE) END AS day
            FROM audit_log WHERE object_type = 'activity' AND success
            AND action IN ('schedule', 'record_held'))
        WHERE day IS NOT NULL GROUP BY object_id) h
    WHERE activity.id = h.activity_id""",
    "CREATE INDEX idx_activity_unit ON activity (campaign_id, unit_id)",
    "CREATE INDEX idx_activity_status ON activity (campaign_id, status)",
    # A wrongly uploaded file is marked removed, never deleted: the row stays for the
    # audit trail (and for a report as of a day before the removal).
    "DROP INDEX idx_attachment_owner",
    "ALTER TABLE attachment ADD COLUMN removed_at TIMESTAMPTZ",
    "ALTER TABLE attachment ADD COLUMN removed_by VARCHAR",
    "CREATE INDEX idx_attachment_owner ON attachment (owner_type, owner_id)",
]

MIGRATION_8 = [
    # 数据版本: one row whose version every write that changes product data bumps inside
    # its own transaction (``db.in_transaction``). Shared caches are keyed by it, so a
    # cached result is never served after a write, by this process or another one that
    # shares the database. ``database_id`` tells copies of a database file apart.
    """CREATE TABLE data_version (
        id INTEGER PRIMARY KEY,
        database_id VARCHAR NOT NULL,
        version BIGINT NOT NULL
    )""",
    "INSERT INTO data_version VALUES (1, CAST(uuid() AS VARCHAR), 0)",
]

MIGRATION_PASSWORD_AGE = [
    # 定期更换口令: a password's age counts from password_changed_at, which only a
    # password change used to set. An account that never changed its password has
    # had it since the account was created.
    "UPDATE app_user SET password_changed_at = created_at WHERE password_changed_at IS NULL",
]

MIGRATION_AUDIT_ADDRESS = [
    # 来源地址: the client's address on every audit row (X-Forwarded-For only from a
    # trusted proxy, else the peer). Rows written before hold '' and are hashed as
    # before; an address is part of a row's hash only when there is one.
    "DROP INDEX idx_audit_user",
    "ALTER TABLE audit_log ADD COLUMN client_address VARCHAR NOT NULL DEFAULT ''",
    "CREATE INDEX idx_audit_user ON audit_log (username, occurred_at)",
]

MIGRATIONS: list[list[str]] = [
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
    MIGRATION_7,
    MIGRATION_8,
    MIGRATION_PASSWORD_AGE,
    MIGRATION_AUDIT_ADDRESS,
]
"""Index i holds the statements that bring the schema from version i to i + 1."""

LATEST_VERSION = len(MIGRATIONS)
