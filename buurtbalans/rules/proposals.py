"""A proposed change of the shared legal parameters, carried from the confirmation page to the confirm post.

The confirmation page lists every value that would change (old and new); only the confirm post writes. That
post carries the proposed values themselves, signed with the server's secret for the user who proposed them and
for an hour, so nothing is stored until it is confirmed, and nobody can alter the values between the two pages.
It also carries a fingerprint of the change the page showed: if another change came in between, the service
refuses (`ParameterProposalStale`) and the page shows the new difference instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core import signing

from buurtbalans.engine.parameters import ParameterRow

SALT = "buurtbalans.rules.parameter-proposal"
MAX_AGE_SECONDS = 3600


class ProposalInvalid(Exception):
    """The confirm post's proposal is forged, of another user, or older than an hour."""


@dataclass(frozen=True)
class Proposal:
    """Rows to store (from the form or a file), or one stored value to remove (`removal`)."""

    via: str  # ParameterChange.Via: "form" or "file"; "removed" for a removal
    rows: tuple[ParameterRow, ...] = ()
    file_name: str = ""
    removal: tuple[date, str] | None = None
    # Where to go back to: the set's date (form, removal) or None (the list, after a file).
    valid_from: date | None = None


def proposal_sign(proposal: Proposal, user) -> str:
    payload = {
        "u": user.pk,
        "via": proposal.via,
        "file": proposal.file_name,
        "rows": [[r.valid_from.isoformat(), r.key, r.value, r.source, r.note] for r in proposal.rows],
        "removal": [proposal.removal[0].isoformat(), proposal.removal[1]] if proposal.removal else None,
        "date": proposal.valid_from.isoformat() if proposal.valid_from else None,
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def proposal_read(token: str, user) -> Proposal:
    """The proposal in `token`, if it is genuine, the user's own and at most an hour old.

    Raises:
        ProposalInvalid: otherwise.
    """
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise ProposalInvalid from exc
    if payload.get("u") != user.pk:
        raise ProposalInvalid
    removal = payload.get("removal")
    return Proposal(
        via=payload["via"],
        rows=tuple(ParameterRow(date.fromisoformat(d), k, v, s, n) for d, k, v, s, n in payload["rows"]),
        file_name=payload.get("file") or "",
        removal=(date.fromisoformat(removal[0]), removal[1]) if removal else None,
        valid_from=date.fromisoformat(payload["date"]) if payload.get("date") else None,
    )
