"""Screens of every campaign role: 活动计划, 看板视图, 数据表."""
