"""The registry's stored values mapped to the national code tables.

The registry stores these fields as words (民族 "汉族", 文化程度 "大学本科", …) and sex as M/F;
a package carries the national code and the national name beside each. A value that no table
entry matches is exported with an empty code and its own text as the name (never guessed).

- sex: GB/T 2261.1-2003; marital status: GB/T 2261.2-2003; ethnicity: GB/T 3304-1991 (the
  registry's list is that standard's, in its order); education: GB/T 4658-2006; political
  status: GB/T 4762-1984; nationality: GB/T 2659-2000 (alpha-3; the common ones); industry:
  GB/T 4754-2017 (the 20 sections A–T).
"""

from pathlib import Path

SEX = {"M": ("1", "男性"), "F": ("2", "女性"), "": ("0", "未知的性别")}

_ETHNIC_NAMES = (
    (Path(__file__).parents[2] / "registry" / "data" / "ethnicities.txt")
    .read_text(encoding="utf-8")
    .split("\n", 1)[1]
    .split()
)
ETHNICITY = {name: (f"{i:02d}", name) for i, name in enumerate(_ETHNIC_NAMES, start=1)}
ETHNICITY["其他"] = ("97", "其他")
ETHNICITY["外国血统"] = ("98", "外国血统中国籍人士")

MARITAL = {
    "未婚": ("10", "未婚"),
    "已婚": ("20", "已婚"),
    "初婚": ("21", "初婚"),
    "再婚": ("22", "再婚"),
    "复婚": ("23", "复婚"),
    "丧偶": ("30", "丧偶"),
    "离婚": ("40", "离婚"),
    "未说明": ("90", "未说明的婚姻状况"),
}

EDUCATION = {
    "研究生": ("10", "研究生教育"),
    "博士": ("11", "博士研究生毕业"),
    "硕士": ("14", "硕士研究生毕业"),
    "大学本科": ("20", "大学本科教育"),
    "本科": ("20", "大学本科教育"),
    "大学专科": ("30", "大学专科教育"),
    "大专": ("30", "大学专科教育"),
    "中专": ("40", "中等职业教育"),
    "中等专科": ("40", "中等职业教育"),
    "职高": ("40", "中等职业教育"),
    "技校": ("40", "中等职业教育"),
    "高中": ("60", "普通高级中学教育"),
    "初中": ("70", "初级中学教育"),
    "小学": ("80", "小学教育"),
    "文盲": ("90", "其他"),
    "其他": ("90", "其他"),
}

POLITICAL = {
    "中共党员": ("01", "中国共产党党员"),
    "中国共产党党员": ("01", "中国共产党党员"),
    "党员": ("01", "中国共产党党员"),
    "中共预备党员": ("02", "中国共产党预备党员"),
    "预备党员": ("02", "中国共产党预备党员"),
    "共青团员": ("03", "中国共产主义青年团团员"),
    "团员": ("03", "中国共产主义青年团团员"),
    "民革会员": ("04", "中国国民党革命委员会会员"),
    "民盟盟员": ("05", "中国民主同盟盟员"),
    "民建会员": ("06", "中国民主建国会会员"),
    "民进会员": ("07", "中国民主促进会会员"),
    "农工党党员": ("08", "中国农工民主党党员"),
    "致公党党员": ("09", "中国致公党党员"),
    "九三学社社员": ("10", "九三学社社员"),
    "台盟盟员": ("11", "台湾民主自治同盟盟员"),
    "无党派人士": ("12", "无党派民主人士"),
    "无党派民主人士": ("12", "无党派民主人士"),
    "群众": ("13", "群众"),
}

NATIONALITY = {
    "中国": ("CHN", "中国"),
    "美国": ("USA", "美国"),
    "日本": ("JPN", "日本"),
    "韩国": ("KOR", "韩国"),
    "朝鲜": ("PRK", "朝鲜"),
    "俄罗斯": ("RUS", "俄罗斯联邦"),
    "英国": ("GBR", "英国"),
    "法国": ("FRA", "法国"),
    "德国": ("DEU", "德国"),
    "意大利": ("ITA", "意大利"),
    "西班牙": ("ESP", "西班牙"),
    "加拿大": ("CAN", "加拿大"),
    "澳大利亚": ("AUS", "澳大利亚"),
    "越南": ("VNM", "越南"),
    "缅甸": ("MMR", "缅甸"),
    "老挝": ("LAO", "老挝"),
    "泰国": ("THA", "泰国"),
    "蒙古": ("MNG", "蒙古"),
    "印度": ("IND", "印度"),
    "巴基斯坦": ("PAK", "巴基斯坦"),
    "菲律宾": ("PHL", "菲律宾"),
    "马来西亚": ("MYS", "马来西亚"),
    "新加坡": ("SGP", "新加坡"),
    "印度尼西亚": ("IDN", "印度尼西亚"),
    "尼日利亚": ("NGA", "尼日利亚"),
    "巴西": ("BRA", "巴西"),
}

INDUSTRY_SECTIONS = [
    ("A", "农、林、牧、渔业", ("农", "林业", "牧", "渔")),
    ("B", "采矿业", ("采矿", "矿")),
    ("C", "制造业", ("制造", "加工", "工厂")),
    ("D", "电力、热力、燃气及水生产和供应业", ("电力", "热力", "燃气", "供水")),
    ("E", "建筑业", ("建筑", "施工", "装修")),
    ("F", "批发和零售业", ("批发", "零售", "超市", "商店", "便利店")),
    ("G", "交通运输、仓储和邮政业", ("交通", "运输", "物流", "仓储", "快递", "邮政")),
    ("H", "住宿和餐饮业", ("住宿", "餐饮", "酒店", "宾馆", "饭店")),
    ("I", "信息传输、软件和信息技术服务业", ("信息", "软件", "互联网", "通信")),
    ("J", "金融业", ("金融", "银行", "保险", "证券")),
    ("K", "房地产业", ("房地产", "物业")),
    ("L", "租赁和商务服务业", ("租赁", "商务")),
    ("M", "科学研究和技术服务业", ("科研", "研究", "技术服务")),
    ("N", "水利、环境和公共设施管理业", ("水利", "环境", "环卫", "公共设施")),
    ("O", "居民服务、修理和其他服务业", ("居民服务", "修理", "家政", "美容", "洗浴", "服务业")),
    ("P", "教育", ("教育", "学校", "培训")),
    ("Q", "卫生和社会工作", ("卫生", "医院", "诊所", "医疗", "养老")),
    ("R", "文化、体育和娱乐业", ("文化", "体育", "娱乐", "网吧", "歌厅")),
    ("S", "公共管理、社会保障和社会组织", ("公共管理", "社会保障", "社会组织", "机关")),
    ("T", "国际组织", ("国际组织",)),
]


def _industry(value: str) -> tuple[str, str]:
    for code, name, words in INDUSTRY_SECTIONS:
        if value == name or any(word in value for word in words):
            return code, name
    return "", value


TABLES = {
    "GB/T 2261.1": SEX,
    "GB/T 2261.2": MARITAL,
    "GB/T 3304": ETHNICITY,
    "GB/T 4658": EDUCATION,
    "GB/T 4762": POLITICAL,
    "GB/T 2659": NATIONALITY,
}


def national(table: str, value: str | None) -> tuple[str, str]:
    """(code, national name) of a stored value; ("", value) when the table has no entry."""
    value = (value or "").strip()
    if table == "GB/T 4754":
        return _industry(value) if value else ("", "")
    entry = TABLES[table].get(value)
    if entry is None:
        if not value:
            return ("", "")
        # "汉" for "汉族"
        entry = TABLES[table].get(value + "族") if table == "GB/T 3304" else None
    return entry if entry is not None else ("", value)
