"""The auditor's screen: 审计日志."""
