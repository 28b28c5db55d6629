"""Moving every sealed value to the current data key: open with the key it names, seal and
index again with the current one, in batches, each batch one transaction. Rows keep working the
whole time (every version stays in the keyring until retired), and a row changed meanwhile by
the platform is left as it is (it was sealed anew anyway)."""

from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction

from gridgov.crypto.fields import SealedCharField
from gridgov.crypto.keys import cipher

Progress = Callable[[str, int, int], None]


def sealed_fields() -> list[SealedCharField]:
    return [
        f
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, SealedCharField)
    ]


def _names(field: SealedCharField) -> tuple[str, str, str | None]:
    q = connection.ops.quote_name
    index = field.blind_index
    return (
        q(field.model._meta.db_table),
        q(field.column),
        q(index.column) if index is not None else None,
    )


def count_with_version(field: SealedCharField, version: int, *, other: bool = False) -> int:
    """Rows of the field sealed with `version` (or, with `other`, with any other version)."""
    table, column, _index = _names(field)
    match = "NOT LIKE" if other else "LIKE"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
            f"AND {column} <> '' AND {column} {match} %s",
            [f"{version}$%"],
        )
        return cursor.fetchone()[0]


def reseal_field(field: SealedCharField, batch_size: int, progress: Progress | None) -> int:
    box = cipher()
    current = box.current_version()
    prefix = f"{current}$"
    table, column, index = _names(field)
    label = field.context.decode()
    total = count_with_version(field, current, other=True)
    key = connection.ops.quote_name(field.model._meta.pk.column)  # a number or a UUID
    done, last = 0, None
    while True:
        after = "" if last is None else f"{key} > %s AND "
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {key}, {column} FROM {table} WHERE {after}{column} IS NOT NULL "  # noqa: S608
                f"AND {column} <> '' ORDER BY {key} LIMIT %s",
                [*([] if last is None else [last]), batch_size],
            )
            rows = cursor.fetchall()
        if not rows:
            break
        last = rows[-1][0]
        todo = [(pk, token) for pk, token in rows if not token.startswith(prefix)]
        if not todo:
            continue
        plain = field.open_many([t for _pk, t in todo])
        sealed = field.seal_many(plain)
        if index is None:
            params = [(new, pk, old) for (pk, old), new in zip(todo, sealed, strict=True)]
            setting = f"{column} = %s"
        else:
            indexes = field.index_many(plain)
            params = [
                (new, idx, pk, old)
                for (pk, old), new, idx in zip(todo, sealed, indexes, strict=True)
            ]
            setting = f"{column} = %s, {index} = %s"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET {setting} WHERE {key} = %s AND {column} = %s",  # noqa: S608
                params,
            )
        done += len(todo)
        if progress:
            progress(label, done, total)
    return done


def reseal_all(batch_size: int = 1000, progress: Progress | None = None) -> dict[str, int]:
    """Every sealed value on the current key version; {field: rows resealed}. A second pass
    catches rows another process sealed with the previous version while the first ran."""
    done: dict[str, int] = {}
    for _attempt in range(3):
        for field in sealed_fields():
            label = field.context.decode()
            done[label] = done.get(label, 0) + reseal_field(field, batch_size, progress)
        if not any(left_behind().values()):
            break
    return done


def left_behind() -> dict[str, int]:
    """Rows per field still sealed with an older version."""
    current = cipher().current_version()
    return {f.context.decode(): count_with_version(f, current, other=True) for f in sealed_fields()}


def versions_in_use(versions: list[int]) -> set[int]:
    return {v for v in versions for f in sealed_fields() if count_with_version(f, v)}
