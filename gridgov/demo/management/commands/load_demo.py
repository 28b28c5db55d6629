import importlib
import json
import os
import secrets
import time
from pathlib import Path

import numpy as np
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from gridgov.accounts.models import DepartmentLevel, ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import UserSpec, bulk_create_users, create_department
from gridgov.accounts.system import DEMO, system_user
from gridgov.areas.models import Area, Level
from gridgov.areas.services import AreaInput, bulk_load
from gridgov.demo import district, showcase
from gridgov.demo.names import mobile_number, person_name

DISTRICT_DEPARTMENTS = [
    ("CG", "城市管理局", "城市管理"),
    ("HB", "生态环境分局", "生态环境"),
    ("ZJ", "住房和城乡建设局", "住房建设"),
    ("GA", "公安分局", "公安"),
    ("SJ", "市场监督管理局", "市场监管"),
    ("YJ", "应急管理局", "应急管理"),
    ("SW", "水务局", "水务"),
    ("JT", "交通运输局", "交通"),
    ("MZ", "民政局", "民政"),
    ("WJ", "卫生健康委员会", "卫生健康"),
    ("YL", "园林绿化中心", "园林绿化"),
    ("XF", "消防救援大队", "消防"),
    ("GD", "供电公司", "电力"),
    ("GS", "自来水公司", "供水"),
    ("RQ", "燃气公司", "燃气"),
    ("SF", "司法局", "司法调解"),
    ("XFJ", "信访局", "信访"),
]
STREET_DEPARTMENTS = [("ZF", "综合行政执法中队", "城市管理"), ("PA", "平安建设办公室", "综治维稳")]


class Command(BaseCommand):
    help = (
        "Load the demo jurisdiction: 金水区 (~1,000 grids) or, with --scale city, 郑州市 (~20,000)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["district", "city"], default="district")
        parser.add_argument(
            "--size",
            choices=["full", "small"],
            default="full",
            help="small: a twentieth of the people and cases, through the same code (for CI).",
        )
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when areas exist.")
        parser.add_argument("--no-users", action="store_true", help="Areas and departments only.")
        parser.add_argument(
            "--only-areas", action="store_true", help="Skip the other parts' demo data."
        )

    def handle(self, *args, scale, size, seed, if_empty, no_users, only_areas, **options):
        accounts_file = settings.GRIDGOV_DEMO_ACCOUNTS_FILE
        if Area.objects.exists():
            if if_empty and not accounts_file.exists():
                raise CommandError(
                    "The database holds areas but no demo accounts file: an earlier demo load did"
                    " not finish. Empty the database (gridgov flush) and load the demo again."
                )
            if if_empty:
                self.stdout.write("The demo is already loaded.")
                return
            raise CommandError("Areas exist already: load the demo into an empty database.")
        # A file left by a load into another database must not be taken for this one's.
        accounts_file.unlink(missing_ok=True)
        started = time.monotonic()
        with tqdm(total=district.community_count(scale), desc="areas", unit="community") as bar:
            areas = district.build(scale, seed=seed, progress=lambda n: bar.update(n - bar.n))
        # All or nothing: a load that fails leaves an empty database, so the next run loads again.
        with transaction.atomic():
            rows = [
                AreaInput(a.code, a.name, a.level, a.parent_code, a.kind, a.risk, a.geom)
                for a in areas
            ]
            bulk_load(rows, actor=system_user(DEMO), note="demo")
            departments = self._departments(areas)
            accounts = [] if no_users else self._users(areas, departments, seed)
            if not only_areas:
                self._other_parts(scale=scale, size=size, seed=seed)
        self._write_accounts(accounts)
        self.stdout.write(self.style.SUCCESS(f"Demo loaded in {time.monotonic() - started:.0f} s."))
        self._print_accounts()

    def _departments(self, areas) -> list:
        made = []
        for a in tqdm(
            [a for a in areas if a.level in (Level.DISTRICT, Level.STREET)], desc="departments"
        ):
            area = Area.objects.get(code=a.code)
            table = DISTRICT_DEPARTMENTS if a.level == Level.DISTRICT else STREET_DEPARTMENTS
            prefix = a.name if a.level == Level.STREET else ""
            for abbr, name, line in table:
                made.append(
                    create_department(
                        actor=system_user(DEMO),
                        code=f"{a.code}-{abbr}",
                        name=f"{prefix}{name}" if prefix else f"{a.name}{name}",
                        level=DepartmentLevel.DISTRICT
                        if a.level == Level.DISTRICT
                        else DepartmentLevel.STREET,
                        area=area,
                        line=line,
                        phone=f"0371-{6000_0000 + len(made):08d}",
                    )
                )
        return made

    def _users(self, areas, departments, seed) -> list[dict]:
        rng = np.random.default_rng(seed + 1)
        root = next(a for a in areas if a.parent_code is None)
        districts = [a for a in areas if a.level == Level.DISTRICT]
        streets = [a for a in areas if a.level == Level.STREET]
        communities = [a for a in areas if a.level == Level.COMMUNITY]
        grids_by_community: dict[str, list[str]] = {}
        for a in areas:
            if a.level == Level.GRID:
                grids_by_community.setdefault(a.parent_code, []).append(a.code)
        # The printed community and grid accounts: the ones the other parts fill with data.
        shown_community, shown_grid = showcase.pick((a.code, a.level) for a in areas)
        fixed = os.environ.get("GRIDGOV_DEMO_PASSWORD")

        def password() -> str:
            return fixed or secrets.token_urlsafe(9)

        listed: list[dict] = []
        specs: list[UserSpec] = []

        def add(username, role, scope, *, label, show=False, **extra):
            spec = UserSpec(
                username=username,
                role=role,
                scope_codes=scope,
                full_name=person_name(rng),
                phone=mobile_number(rng),
                **extra,
            )
            if show:
                spec.password = password()
                listed.append(
                    {
                        "username": username,
                        "password": spec.password,
                        "role": role,
                        "label": label,
                        "scope": scope,
                        "name": spec.full_name,
                    }
                )
            specs.append(spec)

        top = districts[0]
        add("admin", Role.ADMIN, [root.code], label="系统管理员", show=True)
        add(
            "district_op",
            Role.DISTRICT_OPERATOR,
            [top.code],
            label=f"{top.name}指挥中心操作员",
            show=True,
        )
        add("leader", Role.LEADER, [root.code], label="领导", show=True)
        add("auditor", Role.AUDITOR, [root.code], label="审计管理员", show=True)
        add("security", Role.SECURITY_ADMIN, [root.code], label="安全管理员", show=True)
        for i, s in enumerate(streets):
            add(
                f"s{s.code}",
                Role.STREET_OPERATOR,
                [s.code],
                label=f"{s.name}指挥中心操作员",
                show=i < 2,
            )
        for c in communities:
            grids = grids_by_community.get(c.code, [])
            add(
                f"c{c.code}",
                Role.COMMUNITY_STAFF,
                [c.code],
                label=f"{c.name}工作人员（网格长）",
                show=c.code == shown_community,
                assignments=[(g, ForceType.GRID_LEADER) for g in grids],
            )
            add(
                f"p{c.code}",
                Role.GRID_MEMBER,
                [c.code],
                label=f"{c.name}社区民警",
                assignments=[(g, ForceType.POLICE) for g in grids],
            )
            add(
                f"v{c.code}",
                Role.GRID_MEMBER,
                [c.code],
                label=f"{c.name}督导员",
                assignments=[(g, ForceType.SUPERVISOR) for g in grids],
            )
            for g in grids:
                add(
                    f"g{g}",
                    Role.GRID_MEMBER,
                    [g],
                    label="网格员",
                    show=g == shown_grid,
                    assignments=[(g, ForceType.GRID_MEMBER)],
                )
        for i, d in enumerate(departments):
            add(
                f"d{d.code}",
                Role.DEPARTMENT_HANDLER,
                [d.area_code],
                label=f"{d.name}处置人员",
                show=i == 0,
                department_code=d.code,
            )
        shared = password()
        with tqdm(total=len(specs), desc="users", unit="user") as bar:
            bulk_create_users(specs, shared_password=shared, actor=system_user(DEMO), note="demo")
            bar.update(len(specs))
        listed.append(
            {
                "username": "g<网格编码> / c<社区编码> / s<街道编码> / d<部门编码>",
                "password": shared,
                "role": "*",
                "label": "其余演示账号（共用密码）",
                "scope": [],
                "name": "",
            }
        )
        return listed

    def _other_parts(self, **options) -> None:
        """Each part may ship `demo_data.load(**options)`, and a part built in sections one
        `demo_data_<section>.py` each; run them in INSTALLED_APPS order (sections by name)."""
        for config in apps.get_app_configs():
            folder = Path(config.path)
            names = ["demo_data"] if (folder / "demo_data.py").exists() else []
            names += sorted(p.stem for p in folder.glob("demo_data_*.py"))
            for name in names:
                module = importlib.import_module(f"{config.name}.{name}")
                self._refresh_statistics()
                self.stdout.write(f"demo data: {config.label} ({name})")
                module.load(stdout=self.stdout, **options)

    @staticmethod
    def _refresh_statistics() -> None:
        """The demo loads in one transaction, so PostgreSQL's planner still holds the statistics
        of the empty tables and picks plans that take minutes on the rows just written; ANALYZE
        inside the transaction counts them (it sees its own transaction's rows)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _write_accounts(self, accounts: list[dict]) -> None:
        path = settings.GRIDGOV_DEMO_ACCOUNTS_FILE
        path.write_text(json.dumps(accounts, ensure_ascii=False, indent=2), encoding="utf-8")
        path.chmod(0o600)

    def _print_accounts(self) -> None:
        path = settings.GRIDGOV_DEMO_ACCOUNTS_FILE
        if not path.exists():
            return
        self.stdout.write(f"\nDemo accounts ({path}):")
        for a in json.loads(path.read_text(encoding="utf-8")):
            self.stdout.write(
                f"  {a['username']:<28} {a['password']:<16} {a['role']:<20} {a['label']}"
            )
        if settings.GRIDGOV_REQUIRE_2FA:
            self.stdout.write(
                "\nTwo-factor sign-in is on: at their first sign-in, accounts that may see personal"
                "\ndata or manage users set up an authenticator app (any TOTP app; the page shows a"
                "\nQR code). To try the demo without it, start with GRIDGOV_REQUIRE_2FA=0."
            )
        self.stdout.write("")
