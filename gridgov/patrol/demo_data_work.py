"""Demo field work, through the services: the printed grid member gets tasks (open, overdue,
done), due visits of the grid's key populations (one visited with its position), and diary
entries (one reviewed, one turned into a case) so their phone is full on first login."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.demo.showcase import showcase
from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services
from gridgov.registry.models import Person

TASKS = [  # kind, title, days until due, done
    ("patrol", "巡查小区南门及周边商铺", 1, False),
    ("check", "核查群众反映的井盖松动问题", 2, False),
    ("collect", "核实3号楼新入住租户信息", -1, False),
    ("patrol", "巡查社区广场消防通道", -3, True),
    ("check", "核查路灯不亮的上报", -5, True),
]
DIARY = [  # tags, text, review rating
    (["minqing", "service"], "走访独居老人王大爷，身体状况良好，提醒冬季用电安全。", 5),
    (["dispute"], "2号楼楼上楼下因漏水产生矛盾，已初步调解，约定物业明日上门查看。", 4),
    (["hazard"], "小区北门电动车违规充电，飞线从三楼垂下，存在火灾隐患。", None),
    (["minyi"], "居民希望增加社区广场夜间照明，已记录并向社区反映。", None),
]


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    community, grid = showcase()
    member = User.objects.filter(username=f"g{grid}").first()
    supervisor = User.objects.filter(username=f"c{community}").first()
    if member is None or supervisor is None:
        return
    now = timezone.now()
    for kind, title, days, done in TASKS:
        data = services.TaskInput(
            kind=kind, title=title, due=now + datetime.timedelta(days=days, hours=2)
        )
        task = services.assign_task(supervisor, data, [member])[0]
        if done:
            services.complete_task(task, actor=member, note="已完成，情况正常。")
    made = services.create_due_visits(now, within=grid)
    person = (
        Person.objects.filter(area_code__startswith=grid, key_tags__isnull=False)
        .order_by("pk")
        .first()
    )
    if person is not None:
        home = services.building_position(person)
        lon, lat = (home[0] + 0.0003, home[1]) if home else (None, None)
        services.record_field_visit(
            person, actor=member, note="入户走访，情况稳定。", lon=lon, lat=lat
        )
    entries = []
    for tags, text, rating in DIARY:
        entry, _ = diary_services.write_diary(
            actor=member, data=diary_services.DiaryInput(text=text, tags=tags)
        )
        if rating:
            diary_services.review_diary(
                entry, actor=supervisor, rating=rating, note="记录具体，处置及时。"
            )
        entries.append(entry)
    diary_services.diary_to_case(entries[2], actor=member)
    stdout.write(
        f"  field work: {len(TASKS)} tasks, {made['created']} due visits, {len(DIARY)} diary"
    )
