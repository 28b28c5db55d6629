"""Demo gazetteer: an address for every demo building, the named places, a few landmarks and
intersections near them, and one Open311 client system."""

import random

from django.db import transaction
from django.db.models import Q

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.registry import gazetteer_build
from gridgov.registry.models import Building

LANDMARKS = ["人民医院", "第一小学", "文化广场", "社区卫生服务中心", "农贸市场"]
ROADS = ["经三路", "花园路", "农业路", "纬五路", "金水路", "文化路"]


def load(*, stdout, seed: int = 0, **options) -> None:
    admin = (
        User.objects.filter(Q(is_superuser=True) | Q(role=Role.ADMIN), is_active=True)
        .order_by("pk")
        .first()
    )
    if admin is None:
        stdout.write("gazetteer: no administrator, skipped\n")
        return
    built = gazetteer_build.rebuild_from_registry(admin)
    rng = random.Random(seed)
    points = list(
        Building.objects.exclude(lon=None).order_by("code").values_list("lon", "lat")[:200]
    )
    rows = []
    for i, (lon, lat) in enumerate(rng.sample(points, min(len(points), 12))):
        road = ROADS[i % len(ROADS)]
        if i % 3 == 2:
            other = ROADS[(i + 2) % len(ROADS)]
            rows.append({"kind": "intersection", "name": f"{road}与{other}交叉口",
                         "lon": str(lon), "lat": str(lat)})  # fmt: skip
        else:
            rows.append({"kind": "landmark", "name": f"{road}{LANDMARKS[i % len(LANDMARKS)]}",
                         "lon": str(lon + 0.0003), "lat": str(lat)})  # fmt: skip
    unique = {row["name"]: row for row in rows}  # a road pair may come up twice
    report = gazetteer_build.import_addresses(admin, list(unique.values()), dry_run=False)
    try:
        from gridgov.areas.models import Area
        from gridgov.exchange.models import ClientSystem
        from gridgov.exchange.services.clients import issue_client

        with transaction.atomic():
            root = Area.objects.active().filter(parent__isnull=True).order_by("code").first()
            if root is not None and not ClientSystem.objects.filter(kind="open311").exists():
                issue_client(admin, name="演示 Open311 客户端", kind="open311",
                             area_codes=[root.code], owner_unit="演示")  # fmt: skip
    except Exception as exc:  # the demo keeps going without its client system
        stdout.write(f"gazetteer: no Open311 client ({exc})\n")
    stdout.write(f"gazetteer: {built} addresses from the registry, {report.written} imported\n")
