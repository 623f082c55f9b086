"""The identifiers of DOMAIN 2, validated the same way everywhere."""

import re

from django.core.exceptions import ValidationError
from stdnum import luhn

CIN_PATTERN = re.compile(r"^\d{8}[A-Z]$")
NPI_PATTERN = re.compile(r"^\d{10}$")
NPI_LUHN_PREFIX = "80840"  # the NPI check digit is a Luhn digit over 80840 + the first 9 digits
TIN_PATTERN = re.compile(r"^\d{2}-?\d{7}$")  # an EIN as written (12-3456789) or as digits


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


def normalize_tin(value: str) -> str:
    """A taxpayer id (EIN) as its 9 digits: 12-3456789 is stored as 123456789."""
    value = (value or "").strip()
    return value.replace("-", "") if TIN_PATTERN.match(value) else value


def validate_tin(value: str) -> None:
    """A taxpayer id: an EIN of 9 digits, with or without the hyphen after the second."""
    if not TIN_PATTERN.match((value or "").strip()):
        raise ValidationError("A tax id (EIN) is 9 digits, e.g. 12-3456789 or 123456789.", code="invalid_tin")
