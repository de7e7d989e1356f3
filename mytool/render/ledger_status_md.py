"""The ready-to-circulate 通报 of `ledger status`, in Markdown from the bundled template."""

from __future__ import annotations

from mytool.analysis.ledger.columns import STATUSES
from mytool.analysis.ledger.status import LedgerStatus
from mytool.reading.period import period_label
from mytool.render.templating import make_environment, render

NOTICE_TEMPLATE = "ledger_notice.md.j2"


def notice_markdown(status: LedgerStatus) -> str:
    """The ready-to-circulate 通报, from the bundled template."""
    return render(
        make_environment(),
        NOTICE_TEMPLATE,
        status=status,
        statuses=STATUSES,
        period_label=period_label(status.period) if status.period else "",
    )
