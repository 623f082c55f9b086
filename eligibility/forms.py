from django import forms

from eligibility.intake import REQUEST_BYTES, REQUEST_ROWS
from eligibility.models import DeterminationSource, PopulationOfFocus
from eligibility.services import MANUAL_SOURCES


class MemberSearchForm(forms.Form):
    cin = forms.CharField(required=False, label="CIN", max_length=9)
    name = forms.CharField(required=False, label="Name")
    birth_date = forms.DateField(required=False, label="Birth date", widget=forms.DateInput(attrs={"type": "date"}))

    def has_criteria(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class AsOfForm(forms.Form):
    as_of = forms.DateField(required=False, label="Eligibility as of", widget=forms.DateInput(attrs={"type": "date"}))


class DeterminationForm(forms.Form):
    """Mirrors the POF's criteria (DOMAIN 3.1): one checkbox per criterion."""

    source = forms.ChoiceField(choices=[c for c in DeterminationSource.choices if c[0] in MANUAL_SOURCES])
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    criteria_met = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Criteria met")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Evidence note")
    justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for a discretionary high utilizer.",
    )

    def __init__(self, *args, pof: PopulationOfFocus, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria_met"].choices = [(c, c) for c in pof.criteria]
        rule = "all of these" if pof.requires_all_criteria else "at least one of these"
        self.fields["criteria_met"].help_text = f"{pof.name} requires {rule}."


class ClaimsUploadForm(forms.Form):
    file = forms.FileField(
        label="Claims CSV",
        help_text=(
            f"UTF-8 CSV with a header row; at most {REQUEST_ROWS:,} rows and {REQUEST_BYTES // (1024 * 1024)} MB."
        ),
    )

    def clean_file(self):
        """The size is checked before a row is read (DOMAIN 11: limits before work)."""
        upload = self.cleaned_data["file"]
        if upload.size > REQUEST_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the upload page takes at most {REQUEST_BYTES:,} "
                f"({REQUEST_BYTES // (1024 * 1024)} MB). Split the file, or load it with manage.py load_claims."
            )
        return upload


class WorklistFilterForm(forms.Form):
    county = forms.ChoiceField(required=False)
    pof = forms.ChoiceField(required=False, label="Population of Focus")
    new_only = forms.BooleanField(required=False, label="Newly flagged by the last scan")
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("-flagged", "Newest first"),
            ("flagged", "Oldest first"),
            ("name", "Name"),
            ("county", "County"),
        ],
    )

    def __init__(self, *args, counties, pofs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = [("", "All counties")] + [(c.code, c.name) for c in counties]
        self.fields["pof"].choices = [("", "All")] + [(p.code, p.name) for p in pofs]
