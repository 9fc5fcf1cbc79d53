"""The upload form of the portfolio import."""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.portfolio.importing.readers import HEADER_PEEK_BYTES, csv_header, csv_sheet_for

# What docs/import.md promises for the screen as for the command (a folder cannot be uploaded).
ALLOWED_SUFFIXES = (".xlsx", ".zip", ".csv")
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class PortfolioUploadForm(UtrechtFormMixin, forms.Form):
    """An .xlsx workbook, a .zip of CSV files or one CSV file (its name or header says which sheet); the dry run
    checks the rest."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel file (.xlsx), a .zip file with CSV files, or one CSV file (for example dwellings.csv, "
                    "or an export of your housing system with the column names of one sheet). Separated by ; or , "
                    "and with decimal commas or points. Nothing is saved before you confirm."),
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
            # One CSV file is one sheet: its name says which (as for the command), or else its header does.
            file_name = PurePath(upload.name).name
            upload.seek(0)
            header = csv_header(upload.read(HEADER_PEEK_BYTES), file_name)
            upload.seek(0)
            if csv_sheet_for(file_name, header) is None:
                raise forms.ValidationError(
                    _("%(file)s: we cannot tell which sheet this is. Name the CSV file after its sheet, for example "
                      "complexes.csv, dwellings.csv, households.csv, tenancies.csv, markers.csv or applicants.csv "
                      "(Dutch names work too), or give it the column names of one sheet (see the import "
                      "documentation).") % {"file": file_name}
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
