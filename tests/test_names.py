"""`reading.names`: the matching indexes are built once per profile object and follow it."""

from __future__ import annotations

import gc
from dataclasses import replace

from mytool.profile import Unit
from mytool.reading import names
from mytool.reading.names import names_of


def test_one_profile_object_is_indexed_once(profile):
    assert names_of(profile) is names_of(profile)


def test_a_changed_profile_matches_by_its_own_names(profile):
    extra = Unit(name="试点镇", kind="镇", short="试点", aliases=("试点新镇",))
    changed = replace(profile, units=(*profile.units, extra))
    assert names_of(profile).canonical_unit("试点新镇") is None
    assert names_of(changed).canonical_unit("试点新镇") == "试点镇"
    assert names_of(changed).canonical_unit("九亭") == "九亭镇"


def test_the_indexes_go_with_their_profile(profile):
    changed = replace(profile, name="临时")
    key = id(changed)
    names_of(changed)
    assert key in names._BUILT
    del changed
    gc.collect()
    assert key not in names._BUILT
