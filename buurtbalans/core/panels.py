"""A panel: one app's part of a page that combines apps (the complex page, in buurtbalans.screens).

Every app that has something to say about a complex offers it the same way, as
`selectors.complex_panel(user, complex_, *, reference_date) -> Panel | None`: the template that draws its section
and what that template needs. None means the user's role may not see it or there is nothing to show, and the
section is left out. The screen renders each panel in order with the page's `complex` and `today` added, so an
app's section needs nothing from the page it is shown on, and the page imports no app's views.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Panel:
    """A section of a combined page: `template` is rendered with `context` (plus the page's complex and date)."""

    template: str
    context: Mapping[str, object] = field(default_factory=dict)
