"""The bids screen takes one CSV file, separated by `;` (Dutch Excel) or `,` (docs/allocation-product.md, "Importing
bids"; issue 14 item 6); a bad row is reported with file, row and column and nothing is written."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.allocation.models import Bid
from buurtbalans.allocation.tests.test_bid_import import english, open_round  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("separator", [";", ","])
def test_one_csv_file_of_bids_is_imported_whatever_its_separator(client, alice, open_round, separator):  # noqa: F811
    _round, (l1, l2), _people = open_round
    client.force_login(alice)
    text = "\r\n".join([
        separator.join(["Publicatie", "Inschrijfnummer", "Volgorde", "Reactiedatum"]),
        separator.join([l1.reference, "W-001", "1", "26-05-2025 09:15"]),
        separator.join([l2.reference, "W-002", "1", "2025-05-26"]),
        "",
    ])
    upload = SimpleUploadedFile("export uit woonruimteportaal.csv", ("\ufeff" + text).encode(), content_type="text/csv")
    response = client.post(reverse("allocation_bid_import"), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.is_valid and report.written, report.errors
    assert set(Bid.objects.values_list("applicant__external_id", "preference")) == {("W-001", 1), ("W-002", 1)}


def test_a_bad_row_names_file_row_and_column_and_nothing_is_written(client, alice, open_round):  # noqa: F811
    _round, (l1, _l2), _people = open_round
    client.force_login(alice)
    text = f"listing,applicant,preference,submitted_at\n{l1.reference},W-001,1,2025-05-26\n{l1.reference},W-002,een," \
           "2025-05-26\n"
    upload = SimpleUploadedFile("bids.csv", text.encode(), content_type="text/csv")
    report = client.post(reverse("allocation_bid_import"), {"file": upload}).context["report"]
    assert [(e.file, e.row, e.column) for e in report.errors] == [("bids.csv", 3, "preference")]
    assert not Bid.objects.exists()
