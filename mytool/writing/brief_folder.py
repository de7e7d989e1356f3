"""The folder one `mytool brief` run writes, replaced as one set (see `mytool.writing.file_sets`).

A manifest (.mytool-brief.json) in the folder lists the files the tool wrote last time with
their SHA-256, so a re-run removes only its own files, and only while they are unchanged.
"""

from __future__ import annotations

from pathlib import Path

from mytool.writing.file_sets import replace_file_set

MANIFEST = ".mytool-brief.json"


def write_brief_folder(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Make `files` the brief set in `folder`, all or none."""
    return replace_file_set(folder, files, MANIFEST)
