"""活动进展: every unit's activities for the office (which acts) and leadership (read-only)."""

import numpy as np
import pandas as pd
import streamlit as st

from themeday.core.domain import ActivityStatus, Role
from themeday.core.records import Activity, Campaign
from themeday.services import activities, declarations
from themeday.ui import step_form as fields
from themeday.ui.activity_widgets import (
    activity_detail,
    capped,
    comment_thread,
    edit_version,
    overview_table,
    pick_activity_id,
    reload_notice,
    row_labels,
    search_activities,
    showcase_zip_button,
    status_counts,
    status_label,
    write,
)
from themeday.ui.gate import Identity
from themeday.ui.screen import open_screen
from themeday.ui.step_form import StepForm, step_form, step_suffix

_S = ActivityStatus
_TYPICAL_FROM = (_S.HELD, _S.REPORTED, _S.PUBLISHED)


def render() -> None:
    screen = open_screen("活动进展", Role.OFFICE, Role.LEADER, empty="尚未创建主题日活动。")
    if screen is None:
        return
    repo, actor, campaign = screen.repo, screen.actor, screen.campaign
    office = actor.role == Role.OFFICE
    cal = declarations.calendar(repo, actor)
    everything, dues = activities.overview(repo, actor, campaign, cal)
    if everything.empty:
        st.info("暂无审核通过的活动。申报表审核通过后，各单位的活动会列在这里。")
        return
    overdue = dues["overdue"].to_numpy()

    counts = status_counts(everything["status"])
    columns = st.columns(len(counts) + 1)
    for column, (status, count) in zip(columns, counts.items(), strict=False):
        column.metric(status_label(status), count)
    columns[-1].metric("逾期未报", int(overdue.sum()))

    shown = search_activities(everything[_filter_mask(everything, overdue)])
    st.caption(f"共 {len(shown)} 个活动（全部 {len(everything)} 个）")
    if shown.empty:
        st.info("没有符合条件的活动。")
    else:
        shown = capped(shown)
        overview_table(shown, dues, with_unit=True)
        chosen = pick_activity_id(row_labels(shown), known_ids=set(everything["id"].tolist()))
        (activity,) = repo.activities.list_lifecycle(actor, campaign.id, ids=[chosen])
        with st.container(border=True):
            activity_detail(repo, actor, campaign, activity, cal, dues)
            if office:
                _office_actions(screen.identity, activity)
            comment_thread(
                repo, actor, activity, can_write=office, prompt="填写意见（单位可见并可回复）"
            )
    if office:
        _showcase_export(screen.identity, campaign)


def _filter_mask(everything: pd.DataFrame, overdue: np.ndarray) -> np.ndarray:
    """The filters above the list, as a mask over ``everything`` (lifecycle_rows)."""
    day = everything["held_date"].fillna(everything["activity_date"])
    month = day.dt.month.fillna(everything["planned_month"]).astype("int64")
    first, second, third = st.columns(3)
    units = first.multiselect("单位", sorted(everything["unit_name"].unique()), placeholder="全部")
    statuses = second.multiselect(
        "活动状态", [s.value for s in ActivityStatus], format_func=status_label, placeholder="全部"
    )
    months = third.multiselect(
        "活动月份",
        sorted(int(m) for m in month.unique()),
        format_func=lambda m: f"{m}月",
        placeholder="全部",
    )
    fourth, fifth, sixth = st.columns(3)
    forms = fourth.multiselect("活动形式", sorted(everything["form"].unique()), placeholder="全部")
    late_only = fifth.checkbox("只看逾期未报", help="活动方案或活动总结已过截止日期仍未报送")
    moved_only = sixth.checkbox("只看改期", help="活动日期不在申报的计划月份内")
    keep = np.ones(len(everything), dtype=bool)
    for chosen, column in ((units, everything["unit_name"]), (statuses, everything["status"])):
        if chosen:
            keep &= column.isin(chosen).to_numpy()
    if months:
        keep &= month.isin(months).to_numpy()
    if forms:
        keep &= everything["form"].isin(forms).to_numpy()
    if late_only:
        keep &= overdue
    if moved_only:
        keep &= (day.notna() & (month != everything["planned_month"])).to_numpy()
    return keep


def _office_actions(identity: Identity, a: Activity) -> None:
    st.markdown("**办理**")
    reload_notice(a)
    if a.status in (_S.REPORTED, _S.PUBLISHED):
        _publishing(identity, a)
    else:
        st.caption("单位报送活动总结后，可发布到成果展示。")
    _typical_case(identity, a)


def _publishing(identity: Identity, a: Activity) -> None:
    """发布到成果展示 (with the portal article's address), and 撤回发布."""
    repo, actor = identity.repo, identity.actor
    published = a.status == _S.PUBLISHED
    url = fields.text(
        "url",
        "门户网站文章地址（可选）",
        "portal_url",
        value=a.portal_url,
        placeholder="https://",
        help="政府门户网站专栏中该活动报道的地址，以 http:// 或 https:// 开头。",
    )
    label = "更新发布信息" if published else "发布到成果展示"
    form = StepForm("publish", [url], label, f"“{a.title}”已发布到成果展示。")
    step_form(a, form, activities.publish, repo, actor)
    version = edit_version(a)
    if published and st.button("撤回发布", key=f"unpublish_{step_suffix(a)}"):
        write(
            a,
            lambda: activities.withdraw(repo, actor, a.id, version),
            f"已撤回“{a.title}”的发布。",
        )


def _typical_case(identity: Identity, a: Activity) -> None:
    """标记为典型经验, or 取消典型经验标记."""
    repo, actor = identity.repo, identity.actor
    version = edit_version(a)
    k = step_suffix(a)
    if a.typical_case:
        if st.button("取消典型经验标记", key=f"typical_{k}"):
            write(
                a,
                lambda: activities.set_typical_case(repo, actor, a.id, version, False),
                "已取消典型经验标记。",
            )
    elif a.status in _TYPICAL_FROM:
        if st.button("标记为典型经验", key=f"typical_{k}"):
            write(
                a,
                lambda: activities.set_typical_case(repo, actor, a.id, version, True),
                f"已将“{a.title}”标记为典型经验。",
            )


def _showcase_export(identity: Identity, campaign: Campaign) -> None:
    st.divider()
    st.subheader("成果展示网页")
    published = identity.repo.activities.count_showcase(campaign.id)
    st.caption(
        f"已发布 {published} 个活动。导出的网页为静态页面（含照片和视频），"
        "解压后可直接放到政府门户网站专栏。"
    )
    showcase_zip_button(identity.repo, identity.actor, campaign)
