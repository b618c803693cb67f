"""系统维护: the page shown instead of the app when its database cannot be opened.

The app never repairs, deletes or renames the database file or its write-ahead log
(``.wal``) by itself: a damaged WAL may hold the last committed changes, and only a
person can decide to restore a backup instead. This page says what happened (without
a stack trace), that every file was kept as it is, and how to restore.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import duckdb
import streamlit as st

from themeday.storage.backup import BACKUPS_DIR, list_backups
from themeday.storage.db import DatabaseBusy

_log = logging.getLogger(__name__)

TITLE = "系统维护"


class ProblemKind(StrEnum):
    """Why the database did not open."""

    BUSY = "busy"  # another process holds the file (DuckDB: one read-write process)
    WAL = "wal"  # the write-ahead log could not be replayed
    FAILED = "failed"  # anything else DuckDB or the file system refused


@dataclass(frozen=True)
class DatabaseProblem:
    """What went wrong when the app opened its database (no stack trace, no paths)."""

    kind: ProblemKind
    error_class: str
    db_file: Path

    @property
    def wal_file(self) -> Path:
        """The database's write-ahead log beside it (``<name>.wal``)."""
        return self.db_file.with_name(self.db_file.name + ".wal")


def problem_of(exc: BaseException, db_file: Path) -> DatabaseProblem:
    """Classify the exception raised while opening ``db_file``."""
    if isinstance(exc, DatabaseBusy):
        kind = ProblemKind.BUSY
    elif isinstance(exc, duckdb.Error) and "WAL" in str(exc):
        kind = ProblemKind.WAL
    else:
        kind = ProblemKind.FAILED
    cause = exc.__cause__ if isinstance(exc, DatabaseBusy) and exc.__cause__ else exc
    error_class = f"{type(exc).__name__}"
    if cause is not exc:
        error_class += f"（{type(cause).__name__}）"
    return DatabaseProblem(kind, error_class, Path(db_file))


def log_problem(exc: BaseException, problem: DatabaseProblem) -> None:
    """The full error goes to the server log, for the administrator; never to the page."""
    _log.error("数据库无法打开（%s）：%s", problem.kind.value, problem.db_file, exc_info=exc)


_WHAT = {
    ProblemKind.BUSY: (
        "数据库文件正被另一个程序占用。数据库同一时间只允许一个程序以读写方式打开，"
        "例如另一个正在运行的主题日应用进程、正在执行的备份或恢复命令，"
        "或有人用数据库工具打开了该文件。"
    ),
    ProblemKind.WAL: (
        "数据库的预写日志（.wal 文件）已损坏，无法重放。预写日志里保存着最近提交、"
        "尚未写入数据库文件的更改；它损坏时，数据库无法安全打开。"
    ),
    ProblemKind.FAILED: ("数据库文件无法打开：文件可能已损坏、权限不足，或磁盘出现故障。"),
}


def page(problem: DatabaseProblem) -> st.Page:
    """The only page of the navigation while the database does not open."""

    def maintenance() -> None:
        render(problem)

    return st.Page(maintenance, title=TITLE, icon=":material/build:", url_path="maintenance")


def config_page(message: str) -> st.Page:
    """The only page while a setting makes the app unsafe to start (the cookie key)."""

    def configuration() -> None:
        st.title(TITLE)
        st.error(message)
        st.info("修改设置后请重新启动应用。如需帮助，请联系系统管理员。")

    return st.Page(configuration, title=TITLE, icon=":material/build:", url_path="maintenance")


def render(problem: DatabaseProblem) -> None:
    """The maintenance page: what happened, that nothing was deleted, how to restore."""
    st.title(TITLE)
    st.error(f"数据库无法打开，系统暂停服务。错误类型：{problem.error_class}")
    st.markdown("#### 发生了什么")
    st.markdown(_WHAT[problem.kind])

    st.markdown("#### 数据没有被删除")
    wal = problem.wal_file.name
    wal_state = "（目前存在）" if _exists(problem.wal_file) else "（目前不存在）"
    st.markdown(
        f"系统没有删除、改名或改写任何文件：数据库文件 `{problem.db_file.name}` "
        f"和预写日志 `{wal}`{wal_state} 都原样保留在数据目录中。"
        "请不要手工删除 .wal 文件：其中可能有最后提交的更改，排查时还要用到。"
    )

    if problem.kind == ProblemKind.BUSY:
        _busy_steps()
    else:
        _restore_steps(problem)
    st.info("如需帮助，请联系系统管理员，并告知本页显示的错误类型和发生时间。")
    if st.button("重新检查", help="问题排除后，点击重新打开数据库"):
        st.rerun()


def _busy_steps() -> None:
    st.markdown("#### 如何处理")
    st.markdown(
        "1. 找到并停止占用该数据库文件的程序（另一个应用进程、备份或恢复命令、数据库工具）。\n"
        "2. 点击下方“重新检查”，或刷新本页面。\n"
        "3. 如果找不到占用的程序，请联系系统管理员；不要删除或移动数据库文件和 .wal 文件。"
    )


def _restore_steps(problem: DatabaseProblem) -> None:
    st.markdown("#### 如何恢复")
    st.markdown(
        "1. 停止本应用。\n"
        "2. 把整个数据目录（数据库文件、.wal 文件和 uploads/ 附件目录）原样复制到别处保存，"
        "供日后排查。\n"
        f"3. 选择最近的一份完好备份：应用内“立即备份”生成的备份在数据库旁的 `{BACKUPS_DIR}/` "
        "目录中（见下表），也可以使用复制到其他磁盘或机器上的备份。\n"
        "4. 准备一个新的空数据目录，执行 `python -m themeday restore 备份目录 --db "
        f"新数据目录/{problem.db_file.name}`（恢复只写入空目录，会先校验备份的每个文件）。\n"
        "5. 把设置 THEMEDAY_DB 指向恢复出的数据库文件，重新启动应用；"
        "备份之后录入的内容需要各单位重新填报。"
    )
    st.markdown("#### 现有备份")
    try:
        backups = list_backups(problem.db_file)
    except OSError:
        backups = []
    if not backups:
        st.warning(
            f"数据库旁的 `{BACKUPS_DIR}/` 目录中没有找到备份，请使用复制到其他磁盘或机器上的备份。"
        )
        return
    st.table(
        {
            "备份目录": [f"{BACKUPS_DIR}/{name}" for name, _ in backups],
            "内容": [
                manifest.summary() if manifest else "备份清单缺失（可能未完成），不可用于恢复"
                for _, manifest in backups
            ],
        }
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False
