"""The upload form of the portfolio import."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.portfolio.importing.columns import sheet_for

# What docs/import.md promises for the screen as for the command (a folder cannot be uploaded).
ALLOWED_SUFFIXES = (".xlsx", ".zip", ".csv")
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class PortfolioUploadForm(UtrechtFormMixin, forms.Form):
    """An .xlsx workbook, a .zip of CSV files or one CSV file named after its sheet; the dry run checks the rest."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel file (.xlsx), a .zip file with CSV files, or one CSV file named after its sheet "
                    "(for example dwellings.csv or huishoudens.csv). Nothing is saved before you confirm."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.zip,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Choose an .xlsx file, a .zip file or a .csv file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 500 MB)."))
        if name.endswith(".csv"):
            # One CSV file is one sheet, and its name says which (as for the command).
            if sheet_for(PurePath(upload.name).stem) is None:
                raise forms.ValidationError(
                    _("Name the CSV file after its sheet, for example complexes.csv, dwellings.csv, "
                      "households.csv, tenancies.csv, markers.csv or applicants.csv (Dutch names work too).")
                )
            return upload
        # Workbooks and zips are both zip archives; anything else is not worth a job.
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("This file cannot be read. Is it really an .xlsx or .zip file?"))
        upload.seek(0)
        return upload

    @property
    def suffix(self) -> str:
        return "." + self.cleaned_data["file"].name.lower().rsplit(".", 1)[-1]
