"""The engines: the legal rules and algorithms of the product, pure Python and numpy.

No Django, no database and no clock (`tests/test_purity.py` checks it): the caller passes the reference date,
the legal parameter set and any seed, and stores what comes back (docs/architecture.md).

- `rules`: income bands, passend toewijzen, huurklasse and maximum rent (docs/rules/).
- `parameters`: the dated legal parameters and their sources.
- `allocation`: an allocation round (eligibility, priority, deferred acceptance, explanations, bid statuses).
- `labelling`: the labelling plan for vacancies (a mixed-integer program).
- `compliance`: the yearly allocation norms; `vitality`: a complex's vitality score; `geo`: plane geometry.
"""
