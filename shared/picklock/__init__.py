"""picklock: merges volatile signal picks, locked picks and manual picks into published files."""
