"""The public allow-list of categories: what citizens may choose and see on the portal.

Categories about people — disputes, public security, petitions, welfare claims, begging — are
never public (`NEVER_PUBLIC`), whatever an administrator adds."""

from gridgov.cases.models import Category

# Codes (and prefixes) that are never shown in public.
NEVER_PUBLIC = ("E0601", "E0602", "E0605", "E0606", "E0502", "E06")
ALLOWED_IN_E06 = ("E0603", "E0604")

# (code, icon, public name, search words, sensitive: shown on a 1 km grid, without text)
DEFAULT = [
    ("E0102", "🗑", "垃圾乱堆", "垃圾 脏 臭 laji", False),
    ("E0104", "🧹", "道路不洁", "马路 脏 扫 daolu", False),
    ("E0201", "📄", "小广告", "牛皮癣 广告 贴 xiaoguanggao", False),
    ("E0504", "🚗", "乱停车", "停车 汽车 挡路 tingche", False),
    ("E0505", "🚲", "单车乱放", "共享单车 电动车 danche", False),
    ("E0401", "🕳", "路面塌陷", "坑 塌 路面 tanxian", False),
    ("E0402", "💧", "水管破裂", "漏水 自来水 水管 loushui", False),
    ("E0405", "🌊", "道路积水", "积水 下雨 淹 jishui", False),
    ("E0404", "🚰", "下水道堵塞", "下水道 堵 污水 xiashuidao", False),
    ("C0102", "⚫", "井盖缺损", "井盖 丢 坏 jinggai", False),
    ("C0110", "💡", "路灯不亮", "路灯 黑 灯 ludeng", False),
    ("C0206", "🚦", "信号灯故障", "红绿灯 信号灯 xinhaodeng", False),
    ("C0402", "🌳", "行道树", "树 倒 枝 shu", False),
    ("C0301", "🚻", "公共厕所", "厕所 公厕 cesuo", False),
    ("E0301", "🔊", "施工扰民", "噪音 施工 吵 zaoyin", False),
    ("E0302", "🌫", "工地扬尘", "扬尘 灰 工地 yangchen", False),
    ("E0101", "🏚", "私搭乱建", "违建 搭建 weijian", True),
    ("E0604", "🧯", "消防隐患", "消防 通道 火 xiaofang", True),
]


def may_be_public(category: Category) -> bool:
    code = category.code
    if code in ALLOWED_IN_E06:
        return True
    return not any(code.startswith(p) for p in NEVER_PUBLIC)
