"""Bench of the case classifier: training time, suggestion p95, accuracy on the hand-written
evaluation texts.

    .venv/bin/python bench/classify.py            # 20,000 training texts, 2,000 suggestions
    .venv/bin/python bench/classify.py --smoke    # 1,000 texts, 200 suggestions (< 20 s)

The training texts are what the demo district's closed cases hold (the demo generator's phrase
per class, with the place words and small variations a report adds), so the accuracy lines say
how a model learned from such cases does on the hand-written texts of
gridgov/exchange/data/classify_eval.tsv, which share none of those phrases. Suggestion time:
`classify_p95_ms` is the model's own work for one text (segmentation, hashing, the linear
model), the model already loaded; `classify_served_p95_ms` is the whole suggestion a server
gives (`suggest_text`: the look-up of the active model, then the same work), the model stored in
the database as training stores it and loaded once per process by the first suggestion (whose
time is printed as `classify_first_suggestion_ms`).
"""

import os
import random
import statistics
import time

from _setup import ROOT, SMOKE, start

os.environ.setdefault("GRIDGOV_REQUIRE_2FA", "0")
start("classify")  # a throw-away migrated database: the served path reads the stored model

from gridgov.cases.demo_data import DESCRIPTIONS  # noqa: E402
from gridgov.exchange.services import classify  # noqa: E402

PLACES = ["经八路", "花园路", "金水路", "纬五路", "小区门口", "学校旁边", "3号楼", "菜市场", "公园"]
TAILS = ["", "，请尽快处理", "，已经好几天了", "，影响出行", "，居民反映强烈", "！"]


def training_texts(n: int, rng: random.Random) -> tuple[list[str], list[str]]:
    codes = {name: code for code, name in classify_categories()}
    names = list(DESCRIPTIONS)
    texts, labels = [], []
    for i in range(n):
        name = names[i % len(names)]
        texts.append(f"{rng.choice(PLACES)}{DESCRIPTIONS[name]}{rng.choice(TAILS)}")
        labels.append(codes[name])
    return texts, labels


def classify_categories() -> list[tuple[str, str]]:
    import json

    data = json.loads((ROOT / "gridgov/cases/data/taxonomy.json").read_text(encoding="utf-8"))
    return [(c["code"], c["name"]) for c in data["categories"]]


def measure(smoke: bool = SMOKE) -> dict:
    rng = random.Random(11)
    n, asks = (1_000, 200) if smoke else (20_000, 2_000)
    texts, labels = training_texts(n, rng)
    classify.tokens("预热")  # jieba's dictionary loads once per process
    started = time.perf_counter()
    model = classify.fit(texts, labels)
    training = time.perf_counter() - started
    held = classify.eval_texts()
    probes = [t for t, _c in held]
    times = []
    for i in range(asks):
        text = probes[i % len(probes)]
        t0 = time.perf_counter()
        model.ranked([text], 3)
        times.append((time.perf_counter() - t0) * 1000)
    first_ms, served = _served(model, n, probes, asks)
    known = set(model.classes)
    held = [(t, c) for t, c in held if c in known]
    ranked = model.ranked([t for t, _c in held], 3)
    scored = classify.score(ranked, [c for _t, c in held])
    return {
        "classify_p95_ms": statistics.quantiles(times, n=20)[-1],
        "classify_served_p95_ms": statistics.quantiles(served, n=20)[-1],
        "classify_first_suggestion_ms": first_ms,
        "classify_training_s": training,
        "classify_training_texts": n,
        "classify_top1_accuracy": scored["top1"],
        "classify_top3_accuracy": scored["top3"],
        "classify_eval_texts": scored["n"],
    }


def _served(model, n: int, probes: list[str], asks: int) -> tuple[float, list[float]]:
    """The suggestion as a server gives it (`suggest_text`: which model is active — one small
    query — then the model's work): the model stored as training stores it, the first
    suggestion of the process loading it, the following ones finding it loaded."""
    from gridgov.exchange.models import ClassifierModel

    ClassifierModel.objects.create(
        classes=model.classes,
        intercept=[float(v) for v in model.intercept],
        coef=classify._dump(model),
        n_features=classify.N_FEATURES,
        texts=n,
        active=True,
    )
    classify._LOADED.clear()
    t0 = time.perf_counter()
    classify.suggest_text(probes[0])
    first_ms = (time.perf_counter() - t0) * 1000
    times = []
    for i in range(asks):
        t0 = time.perf_counter()
        classify.suggest_text(probes[i % len(probes)])
        times.append((time.perf_counter() - t0) * 1000)
    return first_ms, times


if __name__ == "__main__":
    figures = measure()
    print(
        f"{figures['classify_training_texts']} training texts, "
        f"{figures['classify_eval_texts']} hand-written evaluation texts"
    )
    print(f"BENCH classify_training_s {figures['classify_training_s']:.2f} s")
    print(f"BENCH classify_p95_ms {figures['classify_p95_ms']:.2f} ms")
    print(f"BENCH classify_served_p95_ms {figures['classify_served_p95_ms']:.2f} ms")
    print(f"classify_first_suggestion_ms {figures['classify_first_suggestion_ms']:.1f} ms")
    print(f"BENCH classify_top1_accuracy {figures['classify_top1_accuracy']:.3f}")
    print(f"BENCH classify_top3_accuracy {figures['classify_top3_accuracy']:.3f}")
