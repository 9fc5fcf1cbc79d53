"""Schemas every resource shares: the error body, a page of rows, the purpose header."""

from typing import Annotated, Literal

from ninja import Header, Schema
from pydantic import Field, create_model

from buurtbalans.api.errors import ERROR_STATUSES
from buurtbalans.core.audit_labels import PURPOSE_LABELS


class ErrorItem(Schema):
    loc: list[str | int | None] = Field(description="Where: e.g. [\"query\", \"limit\"] or [file, row, column].")
    msg: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


# A row's id (a database BIGINT): larger numbers cannot name a row, and would overflow the database's integers.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

# Every operation may answer these with an ErrorOut: `response={200: ThingOut, ERRORS: ErrorOut}`.
ERRORS = frozenset(ERROR_STATUSES)

PurposeCode = Literal[tuple(sorted(PURPOSE_LABELS))]  # type: ignore[valid-type]


def purpose_header():
    """Declare on an operation that returns personal data, then check it with `access.purpose_of`:

    `x_purpose: PurposeCode = purpose_header()` (not `| None`: the header is optional, never "null")
    """
    return Header(None, alias="X-Purpose", description="Why you read this personal data (a purpose code); it is "
                  "written in the audit log. Required: without it the answer is 400.")


def page_of(item: type[Schema]) -> type[Schema]:
    """The schema of one page of `item` rows: {"items": [...], "next": link or null}."""
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        items=(list[item], ...),
        next=(str | None, Field(None, description="The next page, or null on the last page.")),
    )
