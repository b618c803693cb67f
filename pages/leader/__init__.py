"""Screens the leader reads (the office opens them too): 领导看板, 活动进展."""
