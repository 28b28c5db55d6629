"""The raw SQL of case services: the prepared insert of the intake path and the idempotency
key lookup."""

from django.db import connection, models
from django.db.models.signals import post_save
from django.utils import timezone

from gridgov.cases.models import Case
from gridgov.crypto.fields import SealedCharField

_INSERTS: dict[type, tuple[str, list]] = {}
# Field types whose Python values the database driver takes as they are.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.BooleanField,
)


def insert_row(obj) -> None:
    """INSERT one row with a statement prepared once per model: the intake path's two writes
    skip the ORM's per-call query compilation and field-by-field preparation."""
    model = type(obj)
    if model not in _INSERTS:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608 (names from the model)
        plan = [
            (
                f.attname,
                None
                if (isinstance(f, _PLAIN) or f.is_relation)
                and not f.choices
                and not isinstance(f, SealedCharField)  # sealed on the way in
                else f,
                getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False),
            )
            for f in fields
        ]
        _INSERTS[model] = (sql, plan)
    sql, plan = _INSERTS[model]
    params = []
    now = timezone.now()
    for attname, field, stamp in plan:
        if stamp:
            setattr(obj, attname, now)
        value = getattr(obj, attname)
        params.append(value if field is None else field.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    # As a save would: the change feed (exchange) hears of the new row in this transaction.
    post_save.send(
        sender=model,
        instance=obj,
        created=True,
        update_fields=None,
        raw=False,
        using=connection.alias,
    )


def find_case_by_idempotency_key(scope: str, key: str) -> Case | None:
    """The case this reporter's (or channel's) key made, if any — never another reporter's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM cases_case WHERE idempotency_scope = %s AND idempotency_key = %s",
            [scope, key],
        )
        row = cursor.fetchone()
    return Case.objects.get(pk=row[0]) if row else None
