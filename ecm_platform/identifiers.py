"""The identifiers of DOMAIN 2, validated the same way everywhere."""

import re

from django.core.exceptions import ValidationError
from stdnum import luhn

CIN_PATTERN = re.compile(r"^\d{8}[A-Z]$")
NPI_PATTERN = re.compile(r"^\d{10}$")
NPI_LUHN_PREFIX = "80840"  # the NPI check digit is a Luhn digit over 80840 + the first 9 digits


def normalize_cin(value: str) -> str:
    return (value or "").strip().upper()


def validate_cin(value: str) -> None:
    """A Medi-Cal CIN: 8 digits and one letter (the letter has no published check rule)."""
    if not CIN_PATTERN.match(normalize_cin(value)):
        raise ValidationError("A CIN is 8 digits followed by one letter, e.g. 91234567A.", code="invalid_cin")


def validate_npi(value: str) -> None:
    """A National Provider Identifier: 10 digits whose last is the Luhn check digit."""
    value = (value or "").strip()
    if not NPI_PATTERN.match(value):
        raise ValidationError("An NPI is exactly 10 digits.", code="invalid_npi")
    if not luhn.is_valid(NPI_LUHN_PREFIX + value):
        raise ValidationError(f"{value} is not a valid NPI: its check digit does not match.", code="invalid_npi")
