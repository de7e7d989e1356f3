"""The rectification ledger's pure logic: its columns, entries and status counts (no I/O)."""
