"""The overlay form: the plan's changes to a baseline as short lines of text."""

from django import forms


def _pairs(text: str, separator: str) -> list[list[str]]:
    return [[part.strip() for part in row.split(separator)] for row in text.splitlines() if row.strip()]


class OverlayForm(forms.Form):
    effective_from = forms.DateField(help_text="Today or later: files of earlier days keep their map.")
    renamed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Renamed headers",
        help_text="One a line: field = header, e.g. member_cin = Subscriber ID.",
    )  # fmt: skip
    extra_columns = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="The plan's own columns",
        help_text="One a line: field | header | required (or optional).",
    )  # fmt: skip
    extra_required = forms.CharField(
        required=False, label="Baseline fields required too", help_text="Fields, separated by commas."
    )

    def clean_renamed(self) -> dict:
        rows = _pairs(self.cleaned_data["renamed"], "=")
        if any(len(row) != 2 for row in rows):
            raise forms.ValidationError("Write each line as field = header.")
        return dict(rows)

    def clean_extra_columns(self) -> list[dict]:
        rows = _pairs(self.cleaned_data["extra_columns"], "|")
        if any(len(row) not in (2, 3) or (len(row) == 3 and row[2] not in ("required", "optional")) for row in rows):
            raise forms.ValidationError("Write each line as field | header | required (or optional).")
        return [{"field": row[0], "header": row[1], "required": row[2:] == ["required"]} for row in rows]

    def clean_extra_required(self) -> list[str]:
        return [field.strip() for field in self.cleaned_data["extra_required"].split(",") if field.strip()]
