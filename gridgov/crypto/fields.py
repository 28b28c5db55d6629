"""Model fields for identifiers kept sealed at rest.

    id_number = SealedCharField(_("ID number"), max_length=18, kind="id_number", null=True)
    id_number_index = BlindIndexField(of="id_number", unique=True)
    id_number_masked = MaskedField(of="id_number", mask="gridgov.registry.identity.mask_id")

Python code sees the plain value in `person.id_number`; the database holds only the SM4-GCM
sealed text, the blind index (HMAC-SM3) and, where lists need it, the masked form. The index and
the masked form follow the plain value by themselves (save, bulk_create, bulk_update, and
`save(update_fields=[...])` on a `SealedModel`); only `QuerySet.update()` cannot be used on a
sealed field (it would leave the index behind).

Lookups: `filter(id_number=x)` and `filter(id_number__in=[...])` match through the blind index
(under every key version, so rows not yet rotated are found); `isnull` works as usual. Every
other lookup (prefix, substring, order) raises FieldError: the database cannot see the values.
"""

from collections.abc import Iterable

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.query_utils import DeferredAttribute
from django.utils.module_loading import import_string

from gridgov.crypto.blind_index import INDEX_CHARS
from gridgov.crypto.cipher import sealed_length
from gridgov.crypto.keys import cipher


class SealedCharField(models.CharField):
    """Text sealed with the current data key; `max_length` is the plain value's."""

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.context = f"{cls._meta.label_lower}.{name}".encode()

    def db_type_parameters(self, connection):
        return {**super().db_type_parameters(connection), "max_length": self.sealed_length}

    @property
    def sealed_length(self) -> int:
        return sealed_length(self.max_length)

    def get_db_prep_value(self, value, connection, prepared=False):
        value = self.get_prep_value(value)
        if value in (None, ""):
            return value
        return cipher().seal([value], self.context)[0]

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return cipher().open([value], self.context)[0]

    def get_lookup(self, lookup_name):
        if lookup_name not in ("exact", "in", "isnull"):
            return None  # FieldError: "Unsupported lookup"
        return super().get_lookup(lookup_name)

    def get_transform(self, name):
        return None

    @property
    def index_field(self) -> "BlindIndexField":
        found = self.blind_index
        if found is None:
            raise FieldError(f"{self.context.decode()} has no blind index: it cannot be looked up")
        return found

    @property
    def blind_index(self) -> "BlindIndexField | None":
        """The field's blind index, if it has one (a secret kept only to be used has none)."""
        return next(
            (
                f
                for f in self.model._meta.concrete_fields
                if isinstance(f, BlindIndexField) and f.of == self.name
            ),
            None,
        )

    def seal_many(self, values: list[str]) -> list[str]:
        return cipher().seal(values, self.context) if values else []

    def open_many(self, tokens: list[str]) -> list[str]:
        return cipher().open(tokens, self.context) if tokens else []

    def index_many(self, values: list[str], version: int | None = None) -> list[str]:
        return cipher().index(values, self.kind.encode(), version) if values else []

    def index_candidates(self, values: Iterable[str], older_only: bool = False) -> dict[str, str]:
        """{index: value} under every key version in the keyring (older ones too, for rows a
        rotation has not reached yet); only the older ones when asked."""
        values = list(values)
        found: dict[str, str] = {}
        versions = cipher().versions()
        for version in versions[1:] if older_only else versions:
            found.update(zip(self.index_many(values, version), values, strict=True))
        return found


def _sealed_match(lhs, values: list, compiler) -> tuple[str, list]:
    if not isinstance(lhs, Col) or not isinstance(lhs.target, SealedCharField):
        raise FieldError("A sealed field can only be compared as itself.")
    if any(hasattr(v, "resolve_expression") for v in values):
        raise FieldError("A sealed field is compared with plain values, through its blind index.")
    field = lhs.target
    plain = [str(v) for v in values if v not in (None, "")]
    parts, params = [], []
    if "" in values:
        sql, p = compiler.compile(lhs)
        parts.append(f"{sql} = %s")
        params += [*p, ""]
    if plain:
        sql, p = compiler.compile(Col(lhs.alias, field.index_field))
        candidates = list(field.index_candidates(plain))
        parts.append(f"{sql} IN ({', '.join(['%s'] * len(candidates))})")
        params += [*p, *candidates]
    if not parts:
        return "1 = 0", []
    return "(" + " OR ".join(parts) + ")", params


@SealedCharField.register_lookup
class SealedExact(models.Lookup):
    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return _sealed_match(self.lhs, [self.rhs], compiler)


@SealedCharField.register_lookup
class SealedIn(models.Lookup):
    lookup_name = "in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("A sealed field is compared with plain values, not a query.")
        return _sealed_match(self.lhs, list(self.rhs), compiler)


class _Derived(DeferredAttribute):
    """Read: computed from the plain value when it is loaded (so a save of any kind writes the
    right one), else the stored column (lists read the masked form without decrypting)."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        source = self.field.of
        data = instance.__dict__
        if source not in data:
            return super().__get__(instance, cls)
        plain = data[source]
        key = f"_derived_{self.field.attname}"
        cached = data.get(key)
        if cached is None or cached[0] != plain:
            cached = data[key] = (plain, self.field.derive(instance, plain))
        return cached[1]

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class _DerivedField(models.CharField):
    descriptor_class = _Derived

    def __init__(self, *args, of: str, **kwargs):
        self.of = of
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["of"] = self.of
        kwargs.pop("editable", None)
        kwargs.pop("blank", None)
        return name, path, args, kwargs

    def source(self, instance) -> SealedCharField:
        return instance._meta.get_field(self.of)


class BlindIndexField(_DerivedField):
    """The HMAC-SM3 blind index of a sealed field (None when the value is empty)."""

    def __init__(self, *args, **kwargs):
        kwargs["max_length"] = INDEX_CHARS
        kwargs["null"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs.pop("null", None)
        return name, path, args, kwargs

    def derive(self, instance, plain):
        return self.source(instance).index_many([plain])[0] if plain else None


class MaskedField(_DerivedField):
    """The masked form of a sealed field, for lists and pages that never show the full value."""

    def __init__(self, *args, mask: str, **kwargs):
        self.mask = mask
        kwargs.setdefault("max_length", 24)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def derive(self, instance, plain):
        return import_string(self.mask)(plain or "")


def derived_of(model: type[models.Model], names: Iterable[str]) -> set[str]:
    """The index and masked fields that follow any of the named fields."""
    names = set(names)
    return {
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, _DerivedField) and (f.of in names or f.of + "_id" in names)
    }


class SealedModel(models.Model):
    """A model with sealed fields: `save(update_fields=[…])` also saves what follows them."""

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = {*update_fields, *derived_of(type(self), update_fields)}
        super().save(*args, update_fields=update_fields, **kwargs)


def seal_records(model: type[models.Model], records: list[dict], names: Iterable[str]) -> None:
    """For raw inserts: `record["_sealed"][name] = (sealed, index, masked)` for each named
    sealed field (None, None, "" when empty), in batches; records already sealed are skipped."""
    todo = [r for r in records if "_sealed" not in r]
    for r in todo:
        r["_sealed"] = {}
    for name in names:
        field = model._meta.get_field(name)
        masked = next(
            (f for f in model._meta.concrete_fields if isinstance(f, MaskedField) and f.of == name),
            None,
        )
        mask = import_string(masked.mask) if masked is not None else None
        filled = [r for r in todo if r.get(name)]
        plain = [r[name] for r in filled]
        for r, token, index in zip(
            filled, field.seal_many(plain), field.index_many(plain), strict=True
        ):
            r["_sealed"][name] = (token, index, mask(r[name]) if mask else "")
        empty = (None if field.null else "", None, "")
        for r in todo:
            r["_sealed"].setdefault(name, empty)


def ids_by_index(
    model: type[models.Model], name: str, known: dict[str, str], fetch
) -> dict[str, int]:
    """{value: id} of the rows holding these values of a sealed field, found through the blind
    index; `known` is {current index: value} (from `seal_records`), older key versions are
    added here; `fetch(column, indexes)` returns {index: id}."""
    field = model._meta.get_field(name)
    candidates = {**known, **field.index_candidates(known.values(), older_only=True)}
    found = fetch(field.index_field.column, list(candidates))
    return {candidates[index]: pk for index, pk in found.items()}
