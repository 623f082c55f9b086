"""Filters that turn bad query parameters into 400s (never 500s)."""

import django_filters
from django import forms

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A whole-number id: decimals and out-of-range values are invalid input."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1900)
        kwargs.setdefault("max_value", 2200)
        super().__init__(*args, **kwargs)
