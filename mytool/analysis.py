"""One-call entry points over the reader and the ranking, for the CLI and for Python users."""

from __future__ import annotations

from pathlib import Path

from mytool.profile import Profile, load_profile
from mytool.ranking import Ranking, rank_report
from mytool.reading.scores import read_report
from mytool.report import Report


def load_ranking(
    path: str | Path, profile: str | Path | Profile | None = None, bottom_n: int | None = None
) -> tuple[Profile, Ranking, Report]:
    """Read the report at `path` and rank it; errors in the data stop here with `InputError`."""
    loaded = profile if isinstance(profile, Profile) else load_profile(profile)
    report = read_report(path, loaded)
    report.raise_for_errors()
    return loaded, rank_report(report, loaded, bottom_n), report
