"""What may leave the platform on the public portal: text with phone numbers, ID numbers and
people's names taken out, and points snapped to a coarse grid."""

import math
import re

REDACTED = "＊＊"
# Mainland mobile and fixed-line numbers, ID card numbers (18 digits, the last may be X), and any
# other run of 7 or more digits (a bank card, a QQ number, a licence written out).
_ID = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}[0-9]{7}[0-9Xx](?![0-9])")
_PHONE = re.compile(r"(?:\+?86[-\s]?)?(?<![0-9])1[3-9][0-9](?:[-\s]?[0-9]{4}){2}(?![0-9])")
_DIGITS = re.compile(r"[0-9０-９][0-9０-９\-\s]{5,}[0-9０-９Xx]")
# Common surnames: a token jieba calls a person's name (nr) is taken out when it starts with one.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
    "覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符"
)
_TITLES = re.compile(r"(?:老|小)[\u4e00-\u9fff](?=[家师大阿姐哥叔婶姨伯])")


def redact_text(text: str) -> str:
    """The text with phone, ID and long numbers and people's names replaced."""
    text = _ID.sub(REDACTED, text or "")
    text = _PHONE.sub(REDACTED, text)
    text = _DIGITS.sub(REDACTED, text)
    return _redact_names(text)


def _redact_names(text: str) -> str:
    import jieba.posseg  # loaded on first use (about a second)

    out = []
    for token in jieba.posseg.cut(text):
        word, flag = token.word, token.flag
        if (flag == "nr" and 2 <= len(word) <= 4 and word[0] in _SURNAMES) or (
            flag in ("nrfg", "nrt") and 2 <= len(word) <= 4 and word[0] in _SURNAMES
        ):
            out.append(REDACTED)
        else:
            out.append(word)
    return _TITLES.sub(REDACTED, "".join(out))


def snap(lon: float, lat: float, metres: float = 100.0) -> tuple[float, float]:
    """The centre of the `metres`-wide cell holding the point (the exact point never leaves)."""
    dlat = metres / 111_320.0
    centre_lat = (math.floor(lat / dlat) + 0.5) * dlat
    # The cell's width in longitude follows the latitude of whole degrees, so all the points of
    # a cell snap to the same centre.
    dlon = metres / (111_320.0 * max(0.2, math.cos(math.radians(math.floor(lat)))))
    return round((math.floor(lon / dlon) + 0.5) * dlon, 6), round(centre_lat, 6)
