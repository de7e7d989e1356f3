"""Where the bundled data and templates are, installed or in a source checkout.

Installed, `data/` and `templates/` are the packages `mytool.data` and `mytool.templates`; run from
a checkout without installing (``python -m pytest`` puts the checkout first on sys.path) they are
the top-level folders beside the package.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent


def _package_dir(package: str, folder: str) -> Path:
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        return _CHECKOUT / folder


def data_dir() -> Path:
    """Folder holding profile.toml and samples/."""
    return _package_dir("mytool.data", "data")


def templates_dir() -> Path:
    """Folder holding the default Jinja2 templates."""
    return _package_dir("mytool.templates", "templates")
