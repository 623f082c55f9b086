"""A measure run as files (DOMAIN 10: downloadable as CSV and XLSX), read from the run's stored
figures and inputs only, so a file is the same however often and whenever it is made."""

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook

from outreach.measures import MEASURES, METHODS, STRATIFICATIONS
from outreach.models import MeasureRun

CSV_COLUMNS = (
    "plan",
    "run",
    "year",
    "quarter",
    "period_start",
    "period_end",
    "built_at",
    "built_by",
    "stratification",
    "stratum_key",
    "stratum_label",
    "measure",
    "measure_label",
    "value",
)
TOTAL = ("total", "All")
# A spreadsheet runs a cell that starts with one of these as a formula: a provider's name could.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def measure_lines(measures: dict) -> Iterator[tuple[str, str, int | float]]:
    """(key, label, value) of the five measures, attempts followed by one line per method."""
    labels = dict(MEASURES)
    for key, label in MEASURES:
        yield key, label, measures[key]
        if key == "attempts":
            for method in METHODS:
                yield (
                    f"attempts.{method.value}",
                    f"{labels['attempts']}: {method.label}",
                    measures["attempts_by_method"][method.value],
                )


def _text(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _strata(run: MeasureRun) -> Iterator[tuple[str, str, str, dict]]:
    """(stratification, key, label, measures): the total first, then every stratum."""
    yield "total", *TOTAL, run.figures["total"]
    for stratification, _title in STRATIFICATIONS:
        for stratum in run.figures[stratification]:
            yield stratification, stratum["key"], stratum["label"], stratum


def measure_run_csv(run: MeasureRun) -> str:
    """One row per stratum and measure, each carrying the run's header facts."""
    header = (
        run.plan.code,
        run.pk,
        run.year,
        run.quarter,
        run.period_start.isoformat(),
        run.period_end.isoformat(),
        run.built_at.isoformat(),
        run.built_by_label,
    )
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for stratification, key, label, measures in _strata(run):
        for measure, measure_label, value in measure_lines(measures):
            writer.writerow(
                [_text(cell) for cell in (*header, stratification, key, label, measure, measure_label, value)]
            )
    return output.getvalue()


def _inputs_rows(inputs: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    for name, value in inputs.items():
        if isinstance(value, dict):
            yield from _inputs_rows(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def measure_run_xlsx(run: MeasureRun) -> bytes:
    """A Totals sheet, one sheet per stratification (a row per stratum, a column per measure line),
    and an Inputs sheet (the run's facts and what it was built from)."""
    workbook = Workbook()
    totals = workbook.active
    totals.title = "Totals"
    totals.append(("Key", "Measure", "Value"))
    for line in measure_lines(run.figures["total"]):
        totals.append(line)
    line_labels = [label for _key, label, _value in measure_lines(run.figures["total"])]
    for stratification, title in STRATIFICATIONS:
        sheet = workbook.create_sheet(f"By {title}"[:31])
        sheet.append(("Key", title, *line_labels))
        for stratum in run.figures[stratification]:
            values = [value for _key, _label, value in measure_lines(stratum)]
            sheet.append((_text(stratum["key"]), _text(stratum["label"]), *values))
    inputs = workbook.create_sheet("Inputs")
    inputs.append(("Input", "Value"))
    facts = {
        "plan": run.plan.code,
        "run": run.pk,
        "year": run.year,
        "quarter": run.quarter,
        "period_start": run.period_start.isoformat(),
        "period_end": run.period_end.isoformat(),
        "built_at": run.built_at.isoformat(),
        "built_by": run.built_by_label,
        "duration_ms": run.duration_ms,
    }
    for name, value in _inputs_rows(facts | run.inputs):
        inputs.append((name, _text(value)))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
