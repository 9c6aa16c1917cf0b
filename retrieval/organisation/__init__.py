"""What the index holds about one organisation: name matching, profile, remedies, report."""
