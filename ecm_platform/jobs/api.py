"""GET /api/v1/import-jobs/{id}/: a background import's state, progress and row report."""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from ecm_platform.api.views import PlanAPIView
from ecm_platform.jobs import services
from ecm_platform.jobs.models import ImportJob
from ecm_platform.tenancy.access import Capability


class ImportJobOutput(serializers.ModelSerializer):
    percent_done = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField(help_text="This job's status, to poll.")
    page = serializers.SerializerMethodField(help_text="This job's progress page.")

    class Meta:
        model = ImportJob
        fields = [
            "id", "kind", "state", "source_name", "rows_total", "rows_done", "percent_done", "report", "error",
            "created_at", "started_at", "heartbeat_at", "finished_at", "url", "page",
        ]  # fmt: skip

    def get_url(self, job) -> str:
        return reverse("api:import-job", args=[job.pk])

    def get_page(self, job) -> str:
        return reverse("import-job", args=[job.pk])


class ImportJobView(PlanAPIView):
    """A background import: `queued`, `running` (rows_done of rows_total), then `succeeded` or
    `failed` (nothing imported) with the first 1,000 row errors in `report.errors` and their true
    number in `report.error_count`. Readable by whoever may start its kind; a report listing row
    errors is a PHI read (they quote CINs) and is logged."""

    # Every role may ask; the job's own capability is checked by the selector.
    capability = Capability.PROFILE_READ

    @extend_schema(responses=ImportJobOutput)
    def get(self, request, pk: int):
        job = services.import_job_read(plan=request.plan, actor=request.principal, pk=pk, path=request.get_full_path())
        return Response(ImportJobOutput(job).data)


PATHS = [path("import-jobs/<int:pk>/", ImportJobView.as_view(), name="import-job")]
