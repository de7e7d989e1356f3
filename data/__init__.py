"""Bundled data: the default district profile and synthetic sample reports."""
