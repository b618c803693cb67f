"""Office (区政务公开办) screens: 管理首页 and the campaign's administration."""
