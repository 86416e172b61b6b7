"""The caseload interchange format (issue 18 §3-4): JSON Lines, one household a line."""
