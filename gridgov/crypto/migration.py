"""Sealing existing rows in place, for the data migrations that turn a plain column into a
sealed one (and back, when the migration is reversed). Raw SQL in batches: historical models
would try to open the plain values."""

from dataclasses import dataclass

from django.utils.module_loading import import_string

from gridgov.crypto.keys import cipher

BATCH = 2000


@dataclass(frozen=True)
class SealedColumn:
    table: str
    column: str
    context: str  # app_label.model_name.field, as the field binds it
    kind: str
    index_column: str
    masked_column: str = ""
    mask: str = ""


def _is_sealed(value: str) -> bool:
    return "$" in value  # no identifier contains "$"; every sealed value does


def seal_in_place(schema_editor, col: SealedColumn, reverse: bool = False) -> int:
    """Seal (or open, when reversing) every value of the column; returns the rows changed."""
    connection = schema_editor.connection
    q = connection.ops.quote_name
    box = cipher()
    mask = import_string(col.mask) if col.mask else None
    changed, last = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, {q(col.column)} FROM {q(col.table)} "  # noqa: S608 (names from code)
                f"WHERE id > %s AND {q(col.column)} IS NOT NULL AND {q(col.column)} <> '' "
                "ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return changed
            last = rows[-1][0]
            todo = [(pk, v) for pk, v in rows if _is_sealed(v) == reverse]
            if not todo:
                continue
            values = [v for _pk, v in todo]
            if reverse:
                plain = box.open(values, col.context.encode())
                sets = [(p, None, pk) for (pk, _v), p in zip(todo, plain, strict=True)]
                cursor.executemany(
                    f"UPDATE {q(col.table)} SET {q(col.column)} = %s, "  # noqa: S608
                    f"{q(col.index_column)} = %s WHERE id = %s",
                    sets,
                )
            else:
                tokens = box.seal(values, col.context.encode())
                indexes = box.index(values, col.kind.encode())
                params = [
                    [t, i, *([mask(v)] if mask else []), pk]
                    for (pk, v), t, i in zip(todo, tokens, indexes, strict=True)
                ]
                masked = f", {q(col.masked_column)} = %s" if mask else ""
                cursor.executemany(
                    f"UPDATE {q(col.table)} SET {q(col.column)} = %s, "  # noqa: S608
                    f"{q(col.index_column)} = %s{masked} WHERE id = %s",
                    params,
                )
            changed += len(todo)


def sealing(*columns: SealedColumn):
    """The forward and backward functions of a RunPython operation sealing these columns."""

    def forward(apps, schema_editor):
        for col in columns:
            seal_in_place(schema_editor, col)

    def backward(apps, schema_editor):
        for col in columns:
            seal_in_place(schema_editor, col, reverse=True)

    return forward, backward
