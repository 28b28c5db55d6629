"""The data catalogue (in code, versioned) and applications for conditional data sets.

Share classes follow 国发〔2016〕51号: unconditional (无条件共享), conditional (有条件共享: a
client system applies, an administrator approves or refuses with a reason within a deadline)
and not shared (不予共享). A data set with personal or masked fields is never unconditional;
special-population data (sensitive personal information, 个人信息保护法 art. 28) is conditional
and its approval names the legal basis, purpose, fields, recipient and expiry. The rules are
checked by `check_catalogue()` (a test runs it).

Rows are built here, restricted to the client's areas (`area_code` under one of its scope
areas) and, for an incremental package, to what changed in the period (`updated_at`).
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import masking
from gridgov.accounts.models import User
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.exchange.models import (
    ApplicationState,
    ClientKind,
    ClientSystem,
    DataApplication,
)
from gridgov.exchange.services.catalogue_codes import national
from gridgov.exchange.services.clients import client_area_codes, require_manager

CATALOGUE_VERSION = 1

UNCONDITIONAL = "unconditional"
CONDITIONAL = "conditional"
NOT_SHARED = "not_shared"
SHARE_LABELS = {
    UNCONDITIONAL: gettext_lazy("Unconditional sharing"),
    CONDITIONAL: gettext_lazy("Conditional sharing"),
    NOT_SHARED: gettext_lazy("Not shared"),
}
# Client systems that may receive data sets.
RECEIVING_KINDS = (ClientKind.EXCHANGE, ClientKind.FEDERATION)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str  # zh-Hans
    personal: bool = False  # delivered in full only under an approval, in an encrypted package
    masked: bool = False  # delivered masked (gridgov.masking), still personal for the class
    table: str = ""  # a national code table: the package has <name>_code and <name>_name

    @property
    def columns(self) -> list[str]:
        return [f"{self.name}_code", f"{self.name}_name"] if self.table else [self.name]


@dataclass(frozen=True)
class DataSet:
    key: str
    name_zh: str
    name_en: str
    share: str
    fields: tuple[FieldSpec, ...]
    rows: Callable[..., Iterator[dict]]  # (area codes, since, until, wanted=field names)
    key_field: str = "id"
    incremental: bool = True  # rows carry updated_at: a package can hold only the changes
    special: bool = False  # sensitive personal information (PIPL art. 28)
    basis: str = ""  # why it is shared this way

    @property
    def personal(self) -> bool:
        return any(f.personal or f.masked for f in self.fields)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_zh if (get_language() or "zh").startswith("zh") else self.name_en


def _in_areas(qs: QuerySet, codes: list[str], field_name: str = "area_code") -> QuerySet:
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(**{f"{field_name}__startswith": code})
    return qs.filter(q)


def _period(qs: QuerySet, since, until) -> QuerySet:
    if since is not None:
        qs = qs.filter(updated_at__gt=since)
    if until is not None:
        qs = qs.filter(updated_at__lte=until)
    return qs


def _wants(wanted, name: str) -> bool:
    return wanted is None or name in wanted


def _iso(value) -> str:
    return value.isoformat() if value is not None else ""


def _coded(row: dict, name: str, table: str, value) -> None:
    row[f"{name}_code"], row[f"{name}_name"] = national(table, value)


def _cases(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.cases.models import Case

    qs = _period(_in_areas(Case.objects.all(), codes), since, until)
    for c in qs.select_related("category").order_by("pk").iterator(chunk_size=2000):
        yield {
            "id": c.pk,
            "title": c.title,
            "category": c.category.code if c.category_id else "",
            "status": c.status,
            "channel": c.channel,
            "urgency": c.urgency,
            "area_code": c.area_code,
            "reported_at": _iso(c.created_at),
            "closed_at": _iso(c.closed_at),
            "updated_at": _iso(c.updated_at),
        }


def _case_facts(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.assessment.models import CaseFact

    qs = _in_areas(CaseFact.objects.all(), codes).order_by("case_id")
    for f in qs.values(
        "case_id", "month", "day", "closed_day", "area_code", "category_code", "major_code"
    ).iterator(chunk_size=2000):
        yield dict(f)


def _population(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.registry.models import Household, Person

    people = (
        _in_areas(Person.objects.filter(merged_into__isnull=True), codes)
        .values("area_code")
        .annotate(
            people=Count("pk"),
            registered=Count("pk", filter=Q(registration="registered")),
            floating=Count("pk", filter=Q(registration="floating")),
            overseas=Count("pk", filter=Q(registration="overseas")),
        )
        .order_by("area_code")
    )
    households = dict(
        _in_areas(Household.objects.all(), codes)
        .values("area_code")
        .annotate(n=Count("pk"))
        .order_by("area_code")
        .values_list("area_code", "n")
    )
    for row in people:
        yield {**row, "households": households.get(row["area_code"], 0)}


def _people(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.registry.models import Person

    qs = _period(_in_areas(Person.objects.filter(merged_into__isnull=True), codes), since, until)
    for p in qs.order_by("pk").iterator(chunk_size=2000):
        row = {
            "id": p.pk,
            "name": p.name,
            # Sealed values are opened only when the package holds them.
            "id_number": (p.id_number or "") if _wants(wanted, "id_number") else "",
            "phone": masking.mask_phone(p.phone) if _wants(wanted, "phone") else "",
            "birth_date": _iso(p.birth_date),
            "registration": p.registration,
            "area_code": p.area_code,
            "updated_at": _iso(p.updated_at),
        }
        _coded(row, "sex", "GB/T 2261.1", p.sex)
        _coded(row, "ethnicity", "GB/T 3304", p.ethnicity)
        _coded(row, "education", "GB/T 4658", p.education)
        _coded(row, "marital_status", "GB/T 2261.2", p.marital_status)
        _coded(row, "political_status", "GB/T 4762", p.political_status)
        _coded(row, "nationality", "GB/T 2659", p.nationality)
        yield row


def _households(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.registry.models import Household

    qs = _in_areas(Household.objects.all(), codes).annotate(n=Count("members"))
    for h in qs.select_related("head").order_by("pk").iterator(chunk_size=2000):
        yield {
            "id": h.pk,
            "number": h.number,
            "head_name": h.head.name if h.head_id else "",
            "members": h.n,
            "area_code": h.area_code,
        }


def _organizations(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.registry.models import Organization

    qs = _period(_in_areas(Organization.objects.all(), codes), since, until)
    for o in qs.order_by("pk").iterator(chunk_size=2000):
        row = {
            "id": o.pk,
            "name": o.name,
            "credit_code": o.credit_code or "",
            "kind": o.kind,
            "address": o.address,
            "area_code": o.area_code,
            "updated_at": _iso(o.updated_at),
        }
        _coded(row, "industry", "GB/T 4754", o.industry)
        yield row


def _places(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.registry.models import Place

    qs = _period(_in_areas(Place.objects.all(), codes), since, until)
    for p in qs.order_by("pk").iterator(chunk_size=2000):
        yield {
            "id": p.pk,
            "name": p.name,
            "kind": p.kind,
            "lon": p.lon,
            "lat": p.lat,
            "area_code": p.area_code,
            "updated_at": _iso(p.updated_at),
        }


def _special(codes, since, until, wanted=None) -> Iterator[dict]:
    from gridgov.lines.models import SpecialRecord

    qs = _period(_in_areas(SpecialRecord.objects.all(), codes), since, until)
    for r in qs.select_related("person", "category").order_by("pk").iterator(chunk_size=2000):
        yield {
            "id": r.pk,
            "person_id": r.person_id,
            "name": r.person.name,
            "id_number": (r.person.id_number or "") if _wants(wanted, "id_number") else "",
            "category": r.category.code,
            "risk_level": r.risk_level,
            "state": r.state,
            "area_code": r.area_code,
            "updated_at": _iso(r.updated_at),
        }


def _nothing(codes, since, until, wanted=None) -> Iterator[dict]:
    return iter(())


_AREA = FieldSpec("area_code", "区划代码")
_UPDATED = FieldSpec("updated_at", "更新时间")

DATASETS: dict[str, DataSet] = {
    d.key: d
    for d in (
        DataSet(
            "cases",
            "事件",
            "Cases",
            UNCONDITIONAL,
            (
                FieldSpec("id", "事件编号"),
                FieldSpec("title", "标题"),
                FieldSpec("category", "事件分类代码"),
                FieldSpec("status", "状态"),
                FieldSpec("channel", "来源渠道"),
                FieldSpec("urgency", "紧急程度"),
                _AREA,
                FieldSpec("reported_at", "上报时间"),
                FieldSpec("closed_at", "结案时间"),
                _UPDATED,
            ),
            _cases,
            basis="没有报告人信息与描述正文",
        ),
        DataSet(
            "case_facts",
            "事件统计事实",
            "Case facts",
            UNCONDITIONAL,
            (
                FieldSpec("case_id", "事件编号"),
                FieldSpec("month", "月份"),
                FieldSpec("day", "日期"),
                FieldSpec("closed_day", "结案日期"),
                _AREA,
                FieldSpec("category_code", "事件分类代码"),
                FieldSpec("major_code", "大类代码"),
            ),
            _case_facts,
            key_field="case_id",
            incremental=False,
        ),
        DataSet(
            "population_stats",
            "分区域人口统计",
            "Population statistics per area",
            UNCONDITIONAL,
            (
                _AREA,
                FieldSpec("people", "人数"),
                FieldSpec("registered", "户籍人口"),
                FieldSpec("floating", "流动人口"),
                FieldSpec("overseas", "境外人员"),
                FieldSpec("households", "户数"),
            ),
            _population,
            key_field="area_code",
            incremental=False,
            basis="汇总数据，不含个人信息",
        ),
        DataSet(
            "organizations",
            "单位组织",
            "Organizations",
            UNCONDITIONAL,
            (
                FieldSpec("id", "单位编号"),
                FieldSpec("name", "单位名称"),
                FieldSpec("credit_code", "统一社会信用代码"),
                FieldSpec("kind", "单位类型"),
                FieldSpec("industry", "行业", table="GB/T 4754"),
                FieldSpec("address", "地址"),
                _AREA,
                _UPDATED,
            ),
            _organizations,
            basis="不含法定代表人与负责人",
        ),
        DataSet(
            "places",
            "部件与场所",
            "Places",
            UNCONDITIONAL,
            (
                FieldSpec("id", "编号"),
                FieldSpec("name", "名称"),
                FieldSpec("kind", "类型"),
                FieldSpec("lon", "经度"),
                FieldSpec("lat", "纬度"),
                _AREA,
                _UPDATED,
            ),
            _places,
        ),
        DataSet(
            "people",
            "实有人口",
            "People",
            CONDITIONAL,
            (
                FieldSpec("id", "人员编号"),
                FieldSpec("name", "姓名", personal=True),
                FieldSpec("id_number", "公民身份号码", personal=True),
                FieldSpec("phone", "联系电话", masked=True),
                FieldSpec("sex", "性别", table="GB/T 2261.1"),
                FieldSpec("birth_date", "出生日期", personal=True),
                FieldSpec("ethnicity", "民族", table="GB/T 3304"),
                FieldSpec("education", "学历", table="GB/T 4658"),
                FieldSpec("marital_status", "婚姻状况", table="GB/T 2261.2"),
                FieldSpec("political_status", "政治面貌", table="GB/T 4762"),
                FieldSpec("nationality", "国籍", table="GB/T 2659"),
                FieldSpec("registration", "人口类型"),
                _AREA,
                _UPDATED,
            ),
            _people,
        ),
        DataSet(
            "households",
            "户",
            "Households",
            CONDITIONAL,
            (
                FieldSpec("id", "户编号"),
                FieldSpec("number", "户号", personal=True),
                FieldSpec("head_name", "户主姓名", personal=True),
                FieldSpec("members", "人数"),
                _AREA,
            ),
            _households,
            incremental=False,
        ),
        DataSet(
            "special_populations",
            "特殊人群",
            "Special populations",
            CONDITIONAL,
            (
                FieldSpec("id", "记录编号"),
                FieldSpec("person_id", "人员编号"),
                FieldSpec("name", "姓名", personal=True),
                FieldSpec("id_number", "公民身份号码", personal=True),
                FieldSpec("category", "人群类别"),
                FieldSpec("risk_level", "风险等级", personal=True),
                FieldSpec("state", "状态"),
                _AREA,
                _UPDATED,
            ),
            _special,
            special=True,
            basis="敏感个人信息（个人信息保护法第二十八条）",
        ),
        DataSet(
            "key_population_tags",
            "重点人员标记",
            "Key-population tags",
            NOT_SHARED,
            (
                FieldSpec("person_id", "人员编号"),
                FieldSpec("category", "类别", personal=True),
                FieldSpec("level", "管控等级", personal=True),
            ),
            _nothing,
            key_field="person_id",
            incremental=False,
            basis="工作标记，仅在本平台内使用",
        ),
    )
}


def check_catalogue() -> list[str]:
    """The rules every data set keeps; empty when all hold."""
    problems = []
    for d in DATASETS.values():
        if d.share not in SHARE_LABELS:
            problems.append(f"{d.key}: unknown share class {d.share!r}")
        if d.personal and d.share == UNCONDITIONAL:
            problems.append(f"{d.key}: has personal fields, so it cannot be unconditional")
        if d.special and d.share != CONDITIONAL:
            problems.append(f"{d.key}: special-population data is shared only conditionally")
        if not d.name_zh or not d.name_en:
            problems.append(f"{d.key}: needs a Chinese and an English name")
        if d.field(d.key_field) is None:
            problems.append(f"{d.key}: its key field {d.key_field!r} is not one of its fields")
        if d.incremental and d.field("updated_at") is None:
            problems.append(f"{d.key}: incremental without updated_at")
    return problems


def dataset(key: str) -> DataSet:
    found = DATASETS.get(key)
    if found is None:
        raise ValidationError({"dataset": _("No such data set in the catalogue.")})
    return found


def may_receive(client: ClientSystem) -> bool:
    return client.active and client.kind in RECEIVING_KINDS


# Applications and approvals ------------------------------------------------------------------

_APP_FIELDS = [
    "dataset",
    "fields",
    "purpose",
    "legal_basis",
    "recipient",
    "expires_on",
    "state",
    "decision_reason",
]
MAX_EXPIRY_DAYS = 3 * 366


def decision_due(start: datetime.datetime) -> datetime.datetime:
    """The deadline for a decision: GRIDGOV_EXCHANGE_DECISION_DAYS working days (default 5)."""
    from gridgov.cases import worktime

    days = getattr(settings, "GRIDGOV_EXCHANGE_DECISION_DAYS", 5)
    return worktime.add_working_minutes(start, days * worktime.minutes_per_workday())


def is_overdue(app: DataApplication, now: datetime.datetime | None = None) -> bool:
    return app.state == ApplicationState.PENDING and (now or timezone.now()) > app.due_at


@transaction.atomic
def apply_for(
    actor: User,
    client: ClientSystem,
    *,
    dataset_key: str,
    fields: list[str],
    purpose: str,
    legal_basis: str,
    expires_on: datetime.date,
    recipient: str = "",
) -> DataApplication:
    """A client system's application for a conditional data set (actor: the client's system
    account, or an administrator filing it on the client's behalf)."""
    if not may_receive(client):
        raise PermissionDenied(_("This client system may not receive data sets."))
    d = dataset(dataset_key)
    if d.share != CONDITIONAL:
        raise ValidationError(
            {"dataset": _("Only conditionally shared data sets are applied for.")}
        )
    errors: dict[str, str] = {}
    fields = list(dict.fromkeys(fields))
    unknown = [f for f in fields if d.field(f) is None]
    if not fields:
        errors["fields"] = _("Name the fields you need.")
    elif unknown:
        errors["fields"] = _("Not fields of this data set: %(names)s") % {
            "names": ", ".join(str(f)[:40] for f in unknown[:5])
        }
    if not purpose.strip():
        errors["purpose"] = _("State the purpose.")
    if not legal_basis.strip():
        errors["legal_basis"] = _("State the legal basis.")
    recipient = recipient.strip() or (client.owner_unit if not d.special else "")
    if not recipient:
        errors["recipient"] = _("Name the recipient.")
    today = timezone.localdate()
    if expires_on <= today:
        errors["expires_on"] = _("The expiry must lie in the future.")
    elif (expires_on - today).days > MAX_EXPIRY_DAYS:
        errors["expires_on"] = _("An approval lasts at most three years.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    app = DataApplication.objects.create(
        client=client,
        dataset=d.key,
        catalogue_version=CATALOGUE_VERSION,
        fields=fields,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        recipient=recipient,
        expires_on=expires_on,
        submitted_at=now,
        due_at=decision_due(now),
    )
    record_change(
        actor=actor, action=ChangeAction.CREATE, instance=app, after=snapshot(app, _APP_FIELDS)
    )
    return app


@transaction.atomic
def decide(actor: User, app: DataApplication, *, approve: bool, reason: str) -> DataApplication:
    """Approve or refuse, always with a reason; the decision is in the change log."""
    require_manager(actor)
    app = DataApplication.objects.select_for_update().get(pk=app.pk)
    if app.state != ApplicationState.PENDING:
        raise ValidationError(_("This application has already been decided."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    before = snapshot(app, _APP_FIELDS)
    app.state = ApplicationState.APPROVED if approve else ApplicationState.REFUSED
    app.decided_by = actor
    app.decided_at = timezone.now()
    app.decision_reason = reason.strip()[:500]
    app.save(update_fields=["state", "decided_by", "decided_at", "decision_reason"])
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=app,
        before=before,
        after=snapshot(app, _APP_FIELDS),
    )
    return app


def approval_for(client: ClientSystem, dataset_key: str) -> DataApplication | None:
    """The client's approval in force for this data set (the newest), else None."""
    return (
        DataApplication.objects.filter(
            client=client,
            dataset=dataset_key,
            state=ApplicationState.APPROVED,
            expires_on__gte=timezone.localdate(),
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


def offered_fields(client: ClientSystem, d: DataSet) -> tuple[list[FieldSpec], DataApplication]:
    """The fields a package of `d` for `client` holds, and the approval (None if unconditional).
    Raises PermissionDenied when the client may not have the data set."""
    if not may_receive(client) or d.share == NOT_SHARED:
        raise PermissionDenied(_("This data set is not shared with this client system."))
    if d.share == UNCONDITIONAL:
        return list(d.fields), None  # type: ignore[return-value]
    app = approval_for(client, d.key)
    if app is None:
        raise PermissionDenied(_("This data set needs an approval in force."))
    chosen = [f for f in d.fields if f.name in app.fields]
    # The key and the area always travel, so that the recipient can merge increments.
    for must in (d.key_field, "area_code", "updated_at"):
        spec = d.field(must)
        if spec is not None and spec not in chosen:
            chosen.insert(0, spec)
    return chosen, app


def client_areas(client: ClientSystem) -> list[str]:
    return sorted(client_area_codes(client))
