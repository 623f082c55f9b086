"""The data the clocks read: each plan's holiday calendar and the versioned decision timeframes."""

from django.db import models
from django_scopes import ScopedManager

from ecm_platform.tenancy.models import HealthPlan


class HolidayCalendarYear(models.Model):
    """Marks one year of a plan's calendar as copied.

    Copied once from the default closures and then only edited by the plan administrator, so that
    a holiday-library upgrade never moves a deadline (DOMAIN 5.1).
    """

    plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="holiday_years")
    year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=100, help_text="Where the defaults were copied from.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="holiday_year_once_per_plan")]

    def __str__(self):
        return f"{self.plan} {self.year}"


class Holiday(models.Model):
    """A day the plan's offices are closed: not a working day for any deadline."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100)

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["plan", "date"], name="holiday_once_per_day")]

    def __str__(self):
        return f"{self.date} {self.name}"


class TimeframeRule(models.TextChoices):
    ROUTINE_WORKING_DAYS = "routine_working_days", "Routine decision: working days after receipt"
    ROUTINE_OUTER_LIMIT_DAYS = (
        "routine_outer_limit_days",
        "Routine decision: outer limit in calendar days after receipt",
    )
    EXPEDITED_HOURS = "expedited_hours", "Expedited decision: elapsed hours after receipt"
    EXTENSION_MAX_DAYS = "extension_max_days", "One-time extension: at most this many calendar days"


class DecisionTimeframe(models.Model):
    """One version of a decision-clock rule (DOMAIN 5.1). The version in force on the day of
    receipt is the one with the latest `effective_from` not after that day."""

    rule = models.CharField(max_length=40, choices=TimeframeRule.choices)
    effective_from = models.DateField()
    amount = models.PositiveIntegerField()
    citation = models.CharField(max_length=200)

    class Meta:
        ordering = ["rule", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "effective_from"], name="timeframe_one_version_per_day"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="timeframe_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_rule_display()}: {self.amount} from {self.effective_from}"
