"""A measure run as CSV and XLSX (DOMAIN 10: runs downloadable as XLSX and CSV), read back and
compared with the run's figures: the quarter of tests/outreach/test_measures.py."""

import csv
import io

import pytest
from openpyxl import load_workbook

from outreach.measure_runs import MEASURES, measure_run_csv, measure_run_xlsx
from outreach.models import Method
from tests.outreach.test_measures import build, quarter_rows  # noqa: F401 - the fixture, by name

pytestmark = pytest.mark.usefixtures("in_plan_a", "quarter_rows")

STRATIFICATIONS = ("by_county", "by_pof", "by_provider")
LINES = [key for key, _label in MEASURES]
LINES[3:3] = [f"attempts.{method.value}" for method in Method]


def value_of(measures: dict, line: str):
    if line.startswith("attempts."):
        return measures["attempts_by_method"][line.removeprefix("attempts.")]
    return measures[line]


def test_the_csv_has_a_row_per_stratum_and_measure_with_the_runs_facts(plan_a):
    """DOMAIN 10: one row per stratum and measure (the five, attempts by every method), each with
    the plan, run, quarter and when and by whom it was built; the values are the run's figures."""
    run = build(plan_a)
    rows = list(csv.DictReader(io.StringIO(measure_run_csv(run))))
    strata = [("total", "total", run.figures["total"])] + [
        (stratification, stratum["key"], stratum) for stratification in STRATIFICATIONS
        for stratum in run.figures[stratification]
    ]  # fmt: skip
    assert len(rows) == len(strata) * len(LINES) == 9 * 12  # the total, 2 counties, 3 POF strata, 3 providers
    expected = [
        (stratification, key, line, str(value_of(measures, line)))
        for stratification, key, measures in strata
        for line in LINES
    ]
    assert [(row["stratification"], row["stratum_key"], row["measure"], row["value"]) for row in rows] == expected
    facts = {
        (row["plan"], row["run"], row["year"], row["quarter"], row["period_start"], row["period_end"], row["built_by"])
        for row in rows
    }
    assert facts == {("plan-a", str(run.pk), "2026", "3", "2026-07-01", "2026-09-30", "system:operator")}
    hours = next(row for row in rows if row["stratification"] == "total" and row["measure"] == "hours")
    assert (hours["measure_label"], hours["value"]) == ("Total hours spent on outreach", "1.97")
    robocall = next(row for row in rows if row["stratum_key"] == "07" and row["measure"] == "attempts.robocall")
    assert (robocall["stratum_label"], robocall["measure_label"], robocall["value"]) == (
        "Contra Costa",
        "Total outreach attempts: Robo-call",
        "1",
    )


def test_the_workbook_has_totals_a_sheet_per_stratification_and_the_inputs(plan_a):
    """DOMAIN 10: Totals, By County, By Population of Focus, By Provider and Inputs sheets whose
    cells are the run's figures and inputs."""
    run = build(plan_a)
    workbook = load_workbook(io.BytesIO(measure_run_xlsx(run)))
    assert workbook.sheetnames == ["Totals", "By County", "By Population of Focus", "By Provider", "Inputs"]
    totals = list(workbook["Totals"].iter_rows(min_row=2, values_only=True))
    assert [(key, value) for key, _label, value in totals] == [
        (line, value_of(run.figures["total"], line)) for line in LINES
    ]
    for stratification, title in zip(
        STRATIFICATIONS, ("By County", "By Population of Focus", "By Provider"), strict=True
    ):
        header, *rows = workbook[title].iter_rows(values_only=True)
        assert len(header) == 2 + len(LINES)
        assert rows == [
            (stratum["key"], stratum["label"], *(value_of(stratum, line) for line in LINES))
            for stratum in run.figures[stratification]
        ]
    inputs = dict(workbook["Inputs"].iter_rows(min_row=2, values_only=True))
    assert inputs["run"] == run.pk and inputs["counting_rules"] == run.inputs["counting_rules"]
    assert inputs["outreach_settings.unreachable_attempts"] == 3
    assert (inputs["attempts_considered"], inputs["period.first_day"], inputs["time_zone"]) == (
        11,
        "2026-07-01",
        "America/Los_Angeles",
    )


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text(plan_a, quarter_rows):  # noqa: F811
    """A provider's name is the plan's data: one starting with "=" is written as text in both files."""
    provider = quarter_rows["p1"]
    type(provider).objects.filter(pk=provider.pk).update(name='=HYPERLINK("http://example.org")')
    run = build(plan_a)
    assert "'=HYPERLINK" in measure_run_csv(run)
    sheet = load_workbook(io.BytesIO(measure_run_xlsx(run)))["By Provider"]
    labels = {key: label for key, label, *_values in sheet.iter_rows(min_row=2, values_only=True)}
    assert labels[provider.npi] == '\'=HYPERLINK("http://example.org")'
