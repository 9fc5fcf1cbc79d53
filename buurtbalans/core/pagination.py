"""Paging a list on a screen: every app's lists use this one, so pages look and behave the same everywhere."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A paginator told the row count, so it never runs COUNT(*) over an expensive aggregate query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginate(request, queryset, *, per_page: int, count: int | None = None):
    """The requested page (`?page=`), its rows evaluated; a page number out of range shows the last page."""
    paginator = (
        CountedPaginator(queryset, per_page, count=count) if count is not None else Paginator(queryset, per_page)
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
