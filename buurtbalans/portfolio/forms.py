"""The upload form of the portfolio import."""

from __future__ import annotations

import zipfile

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin

ALLOWED_SUFFIXES = (".xlsx", ".zip")
MAX_UPLOAD_BYTES = 500 * 1024 * 1024


class PortfolioUploadForm(UtrechtFormMixin, forms.Form):
    """An .xlsx workbook or a .zip of CSV files; the content is checked by the import's dry run."""

    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel file (.xlsx) or a .zip file with CSV files. Nothing is saved before you confirm."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.zip"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Choose an .xlsx file or a .zip file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 500 MB)."))
        # Both formats are zip archives; anything else is not worth a job.
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("This file cannot be read. Is it really an .xlsx or .zip file?"))
        upload.seek(0)
        return upload

    @property
    def suffix(self) -> str:
        return ".zip" if self.cleaned_data["file"].name.lower().endswith(".zip") else ".xlsx"
