"""The Member Transition List upload page (DOMAIN 3.5; issue 15: a list of any size is imported
as a background job, not in the request). Thin: the file is read into rows here, the job service
checks the capability and queues the import, and the page sends the user to the job's progress
page, which shows the row errors if any."""

from django import forms
from django.shortcuts import redirect, render

from authorizations.services import transition_import_start
from ecm_platform.csv_reader import NotUtf8, csv_rows
from ecm_platform.errors import DomainError
from ecm_platform.tenancy.access import Capability
from ecm_platform.tenancy.decorators import plan_page

COLUMNS = ["cin", "program", "transition_date", "provider_npi", "community_supports", "ecm"]
REQUIRED = COLUMNS[:3]  # the others are optional (FAQ 50: community_supports and ecm for WPC rows)
MAX_BYTES = 16 * 1024 * 1024  # about 400,000 rows


class TransitionUploadForm(forms.Form):
    file = forms.FileField(
        label="Member Transition List (CSV)",
        help_text=f"UTF-8 CSV with a header row; at most {MAX_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self):
        """The size is checked before a row is read (DOMAIN 11: limits before work)."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is {upload.size:,} bytes; the page takes at most {MAX_BYTES:,}.")
        return upload


def _rows(upload) -> list[dict]:
    """The file's rows as the API takes them. A line that cannot be read as the header's columns
    (undecodable bytes, too many or too few values) refuses the file: the job checks values, not
    the file's shape."""
    rows = []
    for row in csv_rows(upload, required=REQUIRED):
        if row.shape_error:
            raise DomainError(row.shape_error, field="file")
        bad = next((value for value in row.values() if isinstance(value, NotUtf8)), None)
        if bad is not None:
            raise DomainError(bad.message, field="file")
        rows.append({name: row.get(name) or "" for name in COLUMNS})
    return rows


@plan_page(Capability.TRANSITIONS_IMPORT)
def transition_upload(request):
    """Start the import and go to its progress page; 400 with the reason when the file is refused,
    409 while another list is importing."""
    form = TransitionUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = transition_import_start(
                plan=request.plan, actor=request.principal, rows=_rows(upload), source_name=upload.name
            )
        except DomainError as error:
            form.add_error("file", error.message)
            status = error.status_code
        else:
            return redirect("import-job", pk=job.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "authorizations/transition_upload.html", {"form": form, "columns": COLUMNS}, status=status)
