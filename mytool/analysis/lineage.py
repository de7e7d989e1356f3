"""Re-express a report's district category scores in another report's category scheme.

The scheme changed in 2022 H2 from 13 categories to 11; the profile's `[category_lineage]` says
which new category each old one became. Several old categories may have become one new category
(集市菜场, 交通集散地, 校园周边, 医院周边 → 公共场所): its score is then the plain mean of their
district scores, and it has no rank of its own. A category with no counterpart keeps its own name,
so it is never compared with anything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from mytool.analysis.ranking import CategoryResult
from mytool.numbers import mean2
from mytool.profile import Profile


@dataclass(frozen=True)
class SchemeScore:
    """A district category score under a name of the target scheme."""

    category: str
    score: float
    rank: int | None  # the rank in its own report; None when merged from several categories
    sources: tuple[str, ...]  # the report's own categories this score stands for

    @property
    def mapped(self) -> bool:
        return self.sources != (self.category,)


def scheme_key(name: str, scheme: Collection[str], profile: Profile) -> str:
    """The name `name` goes by in `scheme`: itself, its lineage successor, or itself unmatched."""
    if name in scheme:
        return name
    successor = profile.lineage.get(name)
    return successor if successor is not None and successor in scheme else name


def in_scheme(
    categories: Sequence[CategoryResult], scheme: Collection[str], profile: Profile
) -> dict[str, SchemeScore]:
    """`categories` keyed by their names in `scheme` (order kept from `categories`).

    A category present under the scheme's own name is used as is; old categories that would merge
    into it are then left under their own names (unmatched) rather than mixed in.
    """
    groups: dict[str, list[CategoryResult]] = defaultdict(list)
    for result in categories:
        groups[scheme_key(result.category, scheme, profile)].append(result)
    scores: dict[str, SchemeScore] = {}
    for key, members in groups.items():
        direct = [m for m in members if m.category == key]
        if direct:
            scores[key] = SchemeScore(key, direct[0].score, direct[0].rank, (key,))
            for other in members:
                if other.category != key:
                    scores[other.category] = SchemeScore(
                        other.category, other.score, other.rank, (other.category,)
                    )
            continue
        order = list(profile.lineage)
        members.sort(key=lambda m: order.index(m.category) if m.category in order else len(order))
        merged = mean2(m.score for m in members)
        assert merged is not None  # a group has at least one member
        rank = members[0].rank if len(members) == 1 else None
        scores[key] = SchemeScore(key, merged, rank, tuple(m.category for m in members))
    return scores
