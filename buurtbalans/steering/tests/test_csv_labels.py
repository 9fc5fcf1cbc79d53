"""A page's download in the Dutch CSV opens in columns and shows codes as words with the code next to them
(issue 14 item 6: "builtin" in the profiles download); the international CSV is as before."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def rows(response, delimiter):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def test_the_profiles_download_names_the_profile_in_dutch_with_its_code_next_to_it(client, bob, town):
    client.force_login(bob)
    dutch = rows(client.get(reverse("steering_profiles"), {"format": "csv-nl"}), ";")
    assert dutch and {(r["Profiel"], r["Profiel (code)"]) for r in dutch} == {("Standaardprofiel", "builtin")}
    # Shares with a decimal comma: "0,35", never "0.35".
    assert {r["Hoogste aandeel met een kenmerk kwetsbaarheid"] for r in dutch} == {"0,35"}
    international = rows(client.get(reverse("steering_profiles"), {"format": "csv"}), ",")
    assert {r["Profiel"] for r in international} == {"builtin"} and "Profiel (code)" not in international[0]
    assert len(international) == len(dutch)
