"""How a grade band looks: its fill colour, as the profile's [[grades]] `color` gives it.

The colour is configuration (the profile file sets it) but only the renderers use it, so the
look-up lives here rather than on `Profile`.
"""

from __future__ import annotations

from mytool.profile import Profile

NO_COLOR = "FFFFFF"  # a grade the profile does not list: white, as a missing `color` is


def grade_color(profile: Profile, grade: str) -> str:
    """The RGB hex colour ("63BE7B") of `grade` in `profile`; white for an unknown grade."""
    return next((band.color for band in profile.grades if band.name == grade), NO_COLOR)
