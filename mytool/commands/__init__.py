"""CLI commands, one module each. Every module has `register(app)`; `mytool.cli` calls them."""
