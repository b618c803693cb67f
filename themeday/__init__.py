"""主题日: the 政务公开主题日 campaign system (everything that is not page layout)."""
