"""The bare baseline of bench/intake.py: a plain Django view that saves one row through the ORM,
served only when the setting GRIDGOV_BENCH_BARE is on (never in a normal installation)."""

from django.db import connection, models
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


class BareRow(models.Model):
    body = models.TextField()
    created = models.DateTimeField()

    class Meta:
        app_label = "cases"
        managed = False
        db_table = "bench_bare"

    def __str__(self) -> str:
        return f"row {self.pk}"


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    row = BareRow.objects.create(
        body=request.body.decode("utf-8", "replace")[:500], created=timezone.now()
    )
    return JsonResponse({"id": row.pk}, status=201)


def create_table() -> None:
    with connection.schema_editor() as editor:
        editor.create_model(BareRow)


urlpatterns = [path("bench/bare", bare_insert)]
