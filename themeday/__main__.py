"""Command line.

``python -m themeday init [--empty] [--password P] [--auditor-password P] [--db PATH]``
``python -m themeday backup DIR [--db PATH]`` (the app must be stopped)
``python -m themeday restore DIR [--db PATH]`` (into an empty data directory)
``python -m themeday audit verify [--db PATH]`` (check the audit log's hash chain)
``python -m themeday audit retention --days N [--db PATH]`` (N ≥ 183; audited)
``python -m themeday check-accounts [--db PATH]`` (look-alike or reserved usernames)
``python -m themeday serve [--server.port N …]`` (start the app: ``streamlit run app.py``
without Streamlit's "Page not found" on the first address opened after a start)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from themeday.core.audit import MIN_RETENTION_DAYS, retention_refusal
from themeday.core.config import db_path
from themeday.core.domain import SYSTEM_ACTOR, SYSTEM_AUDITOR, ValidationError
from themeday.repository import Repository
from themeday.services.accounts import account_name_findings, generate_password
from themeday.services.auth import password_problems
from themeday.services.first_run import AlreadyInitialised, init_empty, open_database
from themeday.storage import backup as backups
from themeday.storage import db
from themeday.storage.db import DatabaseBusy


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:  # the rest are Streamlit's options, passed on as they are
        from themeday.ui.serve import serve

        return serve(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m themeday", description="主题日 管理命令")
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="创建数据库（默认含演示数据）")
    init.add_argument("--empty", action="store_true", help="创建不含演示数据的正式数据库")
    init.add_argument("--password", help="管理员 office 的初始密码（不提供则提示输入）")
    init.add_argument(
        "--auditor-password",
        help="审计管理员 auditor 的初始密码（不提供则随机生成并显示一次）",
    )
    init.add_argument(
        "--db",
        type=Path,
        help="数据库文件路径（默认 $THEMEDAY_DB 或 data/themeday.duckdb）",
    )
    for name, help_text, dir_help in (
        ("backup", "备份数据库和附件到空目录（须先停止应用）", "备份目录（须为空或不存在）"),
        ("restore", "从备份目录恢复到空的数据目录", "备份目录（含 manifest.json）"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("dir", type=Path, help=dir_help)
        command.add_argument(
            "--db",
            type=Path,
            help="数据库文件路径（默认 $THEMEDAY_DB 或 data/themeday.duckdb）",
        )
    _audit_parser(commands)
    check = commands.add_parser(
        "check-accounts", help="检查只差大小写或全角半角的用户名，以及使用保留名称的账号"
    )
    check.add_argument(
        "--db",
        type=Path,
        help="数据库文件路径（默认 $THEMEDAY_DB 或 data/themeday.duckdb）",
    )
    commands.add_parser(
        "serve", help="启动应用（同 streamlit run app.py，其后的参数原样交给 Streamlit）"
    )
    args = parser.parse_args(argv)

    path = (args.db or db_path()).resolve()
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args.command, args.dir.resolve(), path)
    if args.command == "audit":
        return _audit(args, path)
    if args.command == "check-accounts":
        return _check_accounts(path)
    try:
        return _init(path, args.empty, args.password, args.auditor_password)
    except DatabaseBusy as exc:
        print(f"{exc}（运行中的主题日应用会占用数据库，请先停止应用。）", file=sys.stderr)
        return 1


def _init(path: Path, empty: bool, password: str | None, auditor_password: str | None) -> int:
    if not empty:
        open_database(path).close()
        print(f"已就绪：{path}")
        return 0
    if password is None:
        password = getpass.getpass("请输入管理员 office 的初始密码：")
        if getpass.getpass("请再次输入：") != password:
            print("两次输入的密码不一致，未做任何修改。", file=sys.stderr)
            return 2
    problems = password_problems(password, "office")
    if problems:
        print("密码不符合要求：" + "".join(problems), file=sys.stderr)
        return 2
    generated = auditor_password is None
    if generated:
        auditor_password = generate_password()
    problems = password_problems(auditor_password, "auditor")
    if problems:
        print("审计管理员密码不符合要求：" + "".join(problems), file=sys.stderr)
        return 2
    if auditor_password == password:
        print("审计管理员的密码不能与管理员 office 的相同，未做任何修改。", file=sys.stderr)
        return 2
    try:
        init_empty(path, password, auditor_password)
    except AlreadyInitialised as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已创建正式数据库：{path}\n管理员账号：office（首次登录须修改密码）")
    print("审计管理员账号：auditor（只能查看审计日志，首次登录须修改密码）")
    if generated:
        print(f"审计管理员初始密码：{auditor_password}（只显示这一次，请交给审计管理员本人）")
    return 0


def _backup_or_restore(command: str, directory: Path, path: Path) -> int:
    try:
        if command == "backup":
            manifest = backups.backup_file(path, directory)
            done = f"备份完成：{path} → {directory}"
        else:
            manifest = backups.restore(directory, path)
            done = f"恢复完成：{directory} → {path}"
    except backups.DatabaseInUse as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except backups.BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(done)
    print(manifest.summary())
    return 0


def _audit_parser(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="审计日志：校验哈希链、按保留期清理")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    verify = actions.add_parser("verify", help="校验审计日志的哈希链，报告第一条异常记录")
    retention = actions.add_parser(
        "retention", help=f"删除早于保留期的审计记录（至少保留{MIN_RETENTION_DAYS}天）"
    )
    retention.add_argument(
        "--days", type=int, required=True, help=f"保留天数（不少于{MIN_RETENTION_DAYS}）"
    )
    for command in (verify, retention):
        command.add_argument(
            "--db",
            type=Path,
            help="数据库文件路径（默认 $THEMEDAY_DB 或 data/themeday.duckdb）",
        )


def _audit(args: argparse.Namespace, path: Path) -> int:
    """``audit verify``: exit 0 intact, 1 broken; ``audit retention``: 0 done.
    Exit 2 when refused: too few days, no database file, or the file in use."""
    if args.audit_command == "retention":
        refusal = retention_refusal(args.days)
        if refusal:
            print(refusal, file=sys.stderr)
            return 2
    if not path.is_file():
        print(f"数据库文件不存在：{path}", file=sys.stderr)
        return 2
    try:
        con = db.connect(path)
    except DatabaseBusy as exc:
        print(
            f"{exc}（运行中的主题日应用会占用数据库，请先停止应用；"
            "也可在应用的“审计日志”页面校验哈希链。）",
            file=sys.stderr,
        )
        return 2
    try:
        repo = Repository(db.cursor(con))
        if args.audit_command == "retention":
            try:
                done = repo.oversight.apply_audit_retention(SYSTEM_AUDITOR, args.days)
            except ValidationError as exc:
                print(str(exc), file=sys.stderr)
                return 1
            print(done.message())
        result = repo.oversight.verify_audit_chain(SYSTEM_AUDITOR)
    finally:
        con.close()
    print(result.message())
    if not result.ok:
        return 1
    if result.last_id is not None:
        print(f"最新一条记录 #{result.last_id} 的哈希：{result.last_hash}")
        print("（可将这一行另行保存，日后核对时可证明此前的记录没有被删改。）")
    return 0


def _check_accounts(path: Path) -> int:
    """Exit 0 when every username is distinct and none reserved, 1 when some are not
    (each printed), 2 when the file is missing or in use."""
    if not path.is_file():
        print(f"数据库文件不存在：{path}", file=sys.stderr)
        return 2
    try:
        con = db.connect(path)
    except DatabaseBusy as exc:
        print(
            f"{exc}（运行中的主题日应用会占用数据库，请先停止应用；也可在应用的“管理首页”查看。）",
            file=sys.stderr,
        )
        return 2
    try:
        findings = account_name_findings(Repository(db.cursor(con)), SYSTEM_ACTOR)
    finally:
        con.close()
    if not findings:
        print("账号检查通过：没有只差大小写或全角半角的用户名，也没有使用保留名称的账号。")
        return 0
    for line in findings:
        print(line)
    print("请在“单位与账号”中停用多余的账号，并为需要保留的人员新建易于区分的账号。")
    return 1


if __name__ == "__main__":
    sys.exit(main())
