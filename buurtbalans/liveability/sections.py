"""Sections other apps add to the monitor's complex page, next to the vitality trend.

An app above liveability (history: the owned share and the means to steer, issue 16) registers a function
`section(user, complex_) -> core.panels.Panel | None` in its AppConfig.ready(); the page renders each one that
gives a panel, in the order registered. So the page shows what an upper app knows without importing it: the
imports keep pointing down the layers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.template.loader import render_to_string

from buurtbalans.core.panels import Panel

ComplexSection = Callable[[object, object], Panel | None]
_COMPLEX_SECTIONS: list[ComplexSection] = []


def complex_section_register(section: ComplexSection) -> None:
    """Add a section to the complex page (once: a second registration of the same function is ignored)."""
    if section not in _COMPLEX_SECTIONS:
        _COMPLEX_SECTIONS.append(section)


def complex_sections_rendered(request, complex_) -> list[str]:
    """Every registered section the user may see for this complex, rendered with the page's complex added."""
    panels = (section(request.user, complex_) for section in _COMPLEX_SECTIONS)
    return [render_to_string(panel.template, {"complex": complex_, **panel.context}, request=request)
            for panel in panels if panel is not None]
