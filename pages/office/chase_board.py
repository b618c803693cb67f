"""督办催办: every open deadline of every unit with its light and contacts (office).

The office filters the items, exports them for a 催办 notice and records who was
chased (催办记录, audited), so the next call knows when the unit was last reminded.
"""

import streamlit as st

from themeday.core.dates import prose_date
from themeday.services.assessment import chase_items
from themeday.ui.compliance_widgets import (
    chase_export,
    chase_table,
    item_filters,
    light_counts,
    mark_chased_form,
    open_compliance_screen,
)


def render() -> None:
    opened = open_compliance_screen("督办催办", "chase_as_of")
    if opened is None:
        return
    repo, actor, campaign = opened.screen.repo, opened.screen.actor, opened.screen.campaign
    as_of, result = opened.as_of, opened.result
    items = chase_items(repo, actor, campaign, as_of, result)
    light_counts(items, result.weights.yellow_workdays)
    if items.empty:
        st.success(f"截至{prose_date(as_of)}，没有需要催办的事项。")
        return

    shown, filters = item_filters(items)
    left, right = st.columns([3, 1])
    left.caption(
        f"共 {len(shown)} 项（全部 {len(items)} 项）。红灯为已逾期，黄灯为即将到期；"
        "点击表头可排序，勾选行可标记已催办。"
    )
    with right:
        chase_export(repo, actor, shown, campaign, as_of, filters)
    if shown.empty:
        st.info("没有符合条件的事项。")
        return
    chase_table(shown)

    st.subheader("标记已催办")
    if as_of != repo.today():
        st.info("催办记录按实际催办时间登记。请将“统计截至”设为今天后再标记已催办。")
        return
    mark_chased_form(repo, actor, campaign, shown)
