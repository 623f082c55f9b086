"""The quarter's closed-loop referral and encounter measures (issue 18; DOMAIN 9, 10, 11), figures
only, no member identifier, each built by a few aggregate queries (never a per-referral query):

- referrals sent in the quarter, in total and per service;
- referrals open at the quarter's end by their state then (the last event on or before it) and by
  age (days since sent, in bands);
- referrals closed in the quarter by closure reason;
- days from sent to the provider's acceptance, and from sent to the service's start, for those
  accepted or started in the quarter (count, median, 90th percentile, longest);
- encounters of the quarter (their first day in it) per service: lines, members, units, in person
  and telephonic or telehealth, and how many came from unsuccessful outreach (U8).

Days are whole local calendar days (America/Los_Angeles, `clocks`).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil

from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from community_supports.models import ClosureReason, Referral, ReferralEvent, ReferralStatus
from ecm_platform import clocks
from ecm_platform.tenancy.models import HealthPlan
from encounters.models import Encounter, EncounterSource
from outreach.measures import Quarter

# Age bands of an open referral at the quarter's end, in days since it was sent (inclusive bounds).
AGE_BANDS = (("0-7", 0, 7), ("8-30", 8, 30), ("31-60", 31, 60), ("61+", 61, None))


@dataclass(frozen=True)
class Bounds:
    first_day: date
    last_day: date
    start: datetime  # the first day's local midnight
    end: datetime  # the day after the last day's local midnight (exclusive)


def bounds_of(quarter: Quarter) -> Bounds:
    after = clocks.start_of_day(quarter.last_day + timedelta(days=1))
    return Bounds(quarter.first_day, quarter.last_day, clocks.start_of_day(quarter.first_day), after)


def _age_filter(window: Bounds, low: int, high: int | None) -> Q:
    """Sent `low` to `high` whole days before the quarter's last day: by the instant, so the index
    on the sending instant serves it."""
    sent_by = Q(sent_at__lt=clocks.start_of_day(window.last_day - timedelta(days=low - 1)))
    if high is None:
        return sent_by
    return sent_by & Q(sent_at__gte=clocks.start_of_day(window.last_day - timedelta(days=high)))


def _spread(days: list[int]) -> dict:
    """Count, median, 90th percentile (nearest rank) and longest of whole-day durations."""
    if not days:
        return {"count": 0, "median_days": None, "p90_days": None, "longest_days": None}
    days = sorted(days)
    middle = len(days) // 2
    median = days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) / 2
    return {
        "count": len(days),
        "median_days": median,
        "p90_days": days[ceil(0.9 * len(days)) - 1],
        "longest_days": days[-1],
    }


def _local_day(instant: datetime) -> date:
    return clocks.local_date(instant)


def referral_measures(*, plan: HealthPlan, quarter: Quarter) -> dict:
    window = bounds_of(quarter)
    referrals = Referral.objects.filter(plan=plan)
    sent = referrals.filter(sent_at__gte=window.start, sent_at__lt=window.end)
    by_service = sent.values("service__code", "service__name").annotate(count=Count("id")).order_by("service__code")

    # The state at the quarter's end: the referral's last event on or before it.
    state_then = (
        ReferralEvent.objects.filter(referral=OuterRef("pk"), at__lt=window.end).order_by("-at", "-id").values("status")
    )
    open_then = (
        referrals.filter(sent_at__lt=window.end)
        .annotate(state_then=Coalesce(Subquery(state_then[:1]), Value(ReferralStatus.SENT)))
        .exclude(state_then=ReferralStatus.CLOSED)
    )
    states = dict(open_then.values_list("state_then").annotate(count=Count("id")).order_by())
    ages = open_then.aggregate(
        **{band: Count("id", filter=_age_filter(window, low, high)) for band, low, high in AGE_BANDS}
    )

    closed = referrals.filter(closed_at__gte=window.start, closed_at__lt=window.end)
    closure_counts = dict(closed.values_list("closure_reason").annotate(count=Count("id")).order_by())
    accepted = referrals.filter(
        responded_at__gte=window.start, responded_at__lt=window.end, decline_reason=""
    ).values_list("sent_at", "responded_at")
    started = referrals.filter(
        service_started_on__gte=window.first_day, service_started_on__lte=window.last_day
    ).values_list("sent_at", "service_started_on")
    return {
        "sent": sent.count(),
        "sent_by_service": [
            {"key": row["service__code"], "label": row["service__name"], "count": row["count"]} for row in by_service
        ],
        "open_at_end_by_state": [
            {"key": status.value, "label": status.label, "count": states.get(status.value, 0)}
            for status in ReferralStatus
            if status != ReferralStatus.CLOSED
        ],
        "open_at_end_by_age": [{"key": band, "count": ages[band]} for band, _, _ in AGE_BANDS],
        "closed": sum(closure_counts.values()),
        "closed_by_reason": [
            {"key": reason.value, "label": reason.label, "count": closure_counts.get(reason.value, 0)}
            for reason in ClosureReason
        ],
        "days_to_acceptance": _spread([(_local_day(answered) - _local_day(sent)).days for sent, answered in accepted]),
        "days_to_service": _spread([(began - _local_day(sent)).days for sent, began in started]),
    }


def encounter_measures(*, plan: HealthPlan, quarter: Quarter) -> dict:
    window = bounds_of(quarter)
    rows = (
        Encounter.objects.filter(plan=plan, service_from__gte=window.first_day, service_from__lte=window.last_day)
        .values("service__code", "service__name")
        .annotate(
            lines=Count("id"),
            members=Count("member", distinct=True),
            units=Sum("units"),
            # Named apart from the fields they count: an annotation would shadow its field in the filter.
            in_person_lines=Count("id", filter=Q(in_person=True)),
            remote_lines=Count("id", filter=Q(in_person=False)),
            outreach_lines=Count("id", filter=Q(source=EncounterSource.OUTREACH_ATTEMPT)),
        )
        .order_by("service__code")
    )
    by_service = [
        {
            "key": row["service__code"],
            "label": row["service__name"],
            "lines": row["lines"],
            "members": row["members"],
            "units": f"{row['units'] or 0:.2f}",
            "in_person": row["in_person_lines"],
            "telephonic_or_telehealth": row["remote_lines"],
            "unsuccessful_outreach": row["outreach_lines"],
        }
        for row in rows
    ]
    return {"lines": sum(row["lines"] for row in by_service), "by_service": by_service}


def loop_measures(*, plan: HealthPlan, quarter: Quarter) -> dict:
    return {
        "quarter": f"{quarter.year} Q{quarter.quarter}",
        "first_day": quarter.first_day.isoformat(),
        "last_day": quarter.last_day.isoformat(),
        "referrals": referral_measures(plan=plan, quarter=quarter),
        "encounters": encounter_measures(plan=plan, quarter=quarter),
    }
