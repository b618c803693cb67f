"""Every logged-in user's account screens: 修改密码, 退出."""
