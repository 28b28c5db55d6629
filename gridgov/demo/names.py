"""Plausible Chinese personal names for generated demo people and staff (deterministic by rng)."""

import numpy as np

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红建华文志明海燕国庆"
    "春梅晓东永辉子涵浩然欣怡梓轩雨萱宇航思远佳怡一诺俊杰嘉怡家豪天佑欣妍博文若汐"
)


def person_name(rng: np.random.Generator) -> str:
    surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    length = 1 if rng.random() < 0.3 else 2
    given = "".join(GIVEN[int(i)] for i in rng.integers(len(GIVEN), size=length))
    return surname + given


def mobile_number(rng: np.random.Generator) -> str:
    prefixes = (
        "138",
        "139",
        "137",
        "136",
        "135",
        "150",
        "151",
        "152",
        "158",
        "159",
        "186",
        "187",
        "188",
        "176",
        "177",
        "133",
        "153",
        "180",
        "189",
        "199",
    )
    return prefixes[int(rng.integers(len(prefixes)))] + "".join(
        str(int(d)) for d in rng.integers(10, size=8)
    )
