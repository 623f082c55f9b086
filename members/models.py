"""Members of a plan, their enrollment in it and in other programs (DOMAIN 2, 4)."""

from django.db import models
from django.db.models.functions import Upper
from django_scopes import ScopedManager

from ecm_platform.identifiers import validate_cin, validate_npi
from ecm_platform.tenancy.models import County, HealthPlan


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    NONBINARY = "X", "Nonbinary"
    UNKNOWN = "U", "Unknown"


class MedicareModel(models.TextChoices):
    """How a Medi-Cal member also gets Medicare (DOMAIN 4, Figure 5)."""

    NONE = "none", "Not dual-eligible"
    MEDICARE_FFS = "medicare_ffs", "Medicare fee-for-service"
    MEDICARE_ADVANTAGE = "medicare_advantage", "Another Medicare Advantage plan"
    DSNP_LOOKALIKE = "dsnp_lookalike", "D-SNP look-alike"
    DSNP_UNALIGNED = "dsnp_unaligned", "Unaligned D-SNP"
    DSNP_ALIGNED = "dsnp_aligned", "Aligned D-SNP"
    CAL_MEDICONNECT = "cal_mediconnect", "Cal MediConnect"
    FIDE_SNP = "fide_snp", "FIDE-SNP"
    PACE = "pace", "PACE"


class Member(models.Model):
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="members")
    cin = models.CharField("CIN", max_length=9, validators=[validate_cin])
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    preferred_language = models.CharField(max_length=20, default="en", help_text="ISO 639-1, e.g. en, es")
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    medicare_model = models.CharField(max_length=30, choices=MedicareModel.choices, default=MedicareModel.NONE)
    pcp_npi = models.CharField("PCP NPI", max_length=10, blank=True, validators=[validate_npi])
    behavioral_health_npi = models.CharField(
        "behavioral health provider NPI", max_length=10, blank=True, validators=[validate_npi]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The names in capitals, kept by the database, for name search by prefix (selectors.member_search).
    # Stored columns, not expression indexes: under row-level security PostgreSQL uses an index only
    # for leakproof conditions, and UPPER(column) and LIKE are not (starts_with on a column is).
    first_name_key = models.GeneratedField(
        expression=Upper("first_name"), output_field=models.CharField(max_length=100), db_persist=True
    )
    last_name_key = models.GeneratedField(
        expression=Upper("last_name"), output_field=models.CharField(max_length=100), db_persist=True
    )

    objects = ScopedManager(plan="plan")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "cin"], name="member_cin_unique_per_plan")]
        indexes = [
            models.Index(fields=["plan", "last_name", "first_name"]),
            models.Index(fields=["plan", "birth_date"]),
            # Name search by prefix of either name (issue 15). The pattern operator class orders by
            # characters, as a prefix range needs, whatever the collation (PostgreSQL only).
            models.Index(
                fields=["plan", "last_name_key"],
                opclasses=["int8_ops", "text_pattern_ops"],
                name="member_last_name_key",
            ),
            models.Index(
                fields=["plan", "first_name_key"],
                opclasses=["int8_ops", "text_pattern_ops"],
                name="member_first_name_key",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.cin})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class EnrollmentSpan(models.Model):
    """Enrolled in the plan from `start_date` to `end_date`, inclusive (open-ended if empty)."""

    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="enrollments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["start_date"]
        indexes = [models.Index(fields=["plan", "member", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="enrollment_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.member_id} enrolled {self.start_date} - {self.end_date or 'open'}"


class ProgramTreatment(models.TextChoices):
    """How ECM treats enrollment in another program (DOMAIN 4)."""

    EXCLUDED = "excluded", "Excluded from ECM"
    EITHER_OR = "either_or", "Either/or: the member chooses"
    WRAP = "wrap", "Wrap: both, without duplication"
    WRAP_PENDING_GUIDANCE = "wrap_pending_guidance", "Wrap, pending guidance"


class Program(models.Model):
    """Another program a member may be in (reference data, DOMAIN 4)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgramRule(models.Model):
    """How ECM treats a program, in force from `effective_from` until `effective_to` (inclusive)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="rules")
    treatment = models.CharField(max_length=30, choices=ProgramTreatment.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["program", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["program", "effective_from"], name="program_rule_one_version_per_day")
        ]

    def __str__(self):
        return f"{self.program_id}: {self.treatment} from {self.effective_from}"


class ProgramEnrollment(models.Model):
    plan = models.ForeignKey(HealthPlan, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="program_enrollments")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = ScopedManager(plan="plan")

    class Meta:
        ordering = ["start_date"]
        indexes = [models.Index(fields=["plan", "member"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="program_enrollment_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.member_id} in {self.program_id} from {self.start_date}"


class MedicareModelRule(models.Model):
    """Whether a dual-eligible member in a Medicare model may receive ECM, by date (DOMAIN 4)."""

    medicare_model = models.CharField(max_length=30, choices=MedicareModel.choices)
    is_eligible = models.BooleanField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["medicare_model", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["medicare_model", "effective_from"],
                name="medicare_rule_one_version_per_day",
            )
        ]

    def __str__(self):
        return f"{self.medicare_model}: {self.is_eligible} from {self.effective_from}"
