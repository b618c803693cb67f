"""数据表: the grid over every table a role may read (filter, sort, group, page, edit)."""

from __future__ import annotations

from themeday.repository.base import RepositoryBase


class GridMixin(RepositoryBase):
    """The 数据表 grid: scoped queries, saved views and batched inline edits."""
