"""管理首页: the office's overview of the current campaign and its backups.

The audit trail is not shown here: only the 审计管理员 reads the audit log.
"""

import pandas as pd
import streamlit as st

from themeday.core.config import db_path
from themeday.core.dates import minute_time
from themeday.core.domain import Role
from themeday.services.accounts import account_name_findings
from themeday.storage.backup import BackupError, list_backups
from themeday.ui import gate
from themeday.ui.resources import backup_now
from themeday.ui.screen import open_screen
from themeday.ui.widgets import (
    campaign_caption,
    escape_markdown,
    progress_charts,
    selected_campaign,
)


def render() -> None:
    screen = open_screen("管理首页", Role.OFFICE, flash=False)
    repo, actor = screen.repo, screen.actor
    findings = account_name_findings(repo, actor)
    if findings:
        st.warning(
            "账号名称需要处理（登录时不区分大小写和全角半角，这些账号容易被冒用或混淆）：\n\n"
            + "\n".join(f"- {escape_markdown(line)}" for line in findings)
            + "\n\n请在“单位与账号”中停用多余的账号。"
        )
    campaign = selected_campaign(repo, actor)
    if campaign is None:
        st.info("尚未创建主题日活动。")
    else:
        campaign_caption(campaign)
        counts = repo.oversight.progress_counts(actor, campaign.id)
        by_status = counts["declarations_by_status"]
        columns = st.columns(4)
        columns[0].metric("参与单位", counts["units"])
        columns[1].metric("已提交申报", counts["units"] - counts["not_declared"])
        columns[2].metric("未申报", counts["not_declared"])
        columns[3].metric("待审核", by_status.get("submitted", 0))
        progress_charts(campaign, counts)

    _backups(screen.identity)


def _backups(identity: gate.Identity) -> None:
    st.subheader("数据备份")
    st.caption(
        "在运行中的系统内导出全部数据和附件（含校验值清单），保存在数据库所在目录的"
        " backups 文件夹。请定期将备份复制到其他磁盘或服务器保存；恢复方法见使用说明。"
    )
    if st.button("立即备份", icon=":material/backup:"):
        with st.spinner("正在备份，请稍候……"):
            try:
                target, manifest = backup_now(identity.repo, identity.actor)
            except (BackupError, OSError) as exc:
                st.error(f"备份未完成：{exc}")
            else:
                st.success(f"备份完成：{target.name}。{manifest.summary()}")
    made = list_backups(db_path())
    if made:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "备份": name,
                        "时间": minute_time(manifest.created_at) if manifest else "",
                        "数据行数": manifest.rows if manifest else None,
                        "附件文件": manifest.upload_files if manifest else None,
                        "状态": "完整" if manifest else "不完整（无有效清单）",
                    }
                    for name, manifest in made[:20]
                ]
            ),
            hide_index=True,
            placeholder="",
            width="stretch",
        )
