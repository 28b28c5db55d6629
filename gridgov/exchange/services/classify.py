"""Automatic classification of free text (docs/classification.md).

Words from jieba plus character bigrams, hashed into a fixed space, and a multinomial logistic
regression from scikit-learn, trained on the platform's own closed cases (description → minor
category). The weights are stored in the database as a sparse matrix (.npz, pickling off) and
JSON, so loading a model never runs code. The department of a suggestion comes from the
category's routing (`gridgov.cases.routing.route`).
"""

import csv
import datetime
import io
import logging
import math
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import Department, User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.accounts.system import CLASSIFIER, system_user
from gridgov.cases.models import Case, Category, Status
from gridgov.cases.routing import route
from gridgov.cases.services.category import set_category
from gridgov.cases.services.permissions import may_command
from gridgov.exchange.models import (
    ClassifierModel,
    ClassifierSettings,
    Suggestion,
    SuggestionState,
)

logger = logging.getLogger(__name__)

N_FEATURES = 2**18
MIN_TEXTS = 20  # fewer closed cases than this: no model
EVAL_FILE = Path(__file__).resolve().parent.parent / "data" / "classify_eval.tsv"
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_JIEBA_LOCK = threading.Lock()


# ---------------------------------------------------------------------------------------------
# features


def _jieba():
    import jieba  # type: ignore[import-untyped]

    with _JIEBA_LOCK:
        if not getattr(jieba, "_gridgov_ready", False):
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            jieba._gridgov_ready = True
    return jieba


def tokens(text: str) -> list[str]:
    """Words (jieba, punctuation dropped) and character bigrams of each run of text."""
    text = (text or "").lower()
    runs = [r for r in _PUNCT.split(text) if r]
    out: list[str] = []
    jieba = _jieba()
    for run in runs:
        out.extend(f"w:{w}" for w in jieba.lcut(run, HMM=False) if w.strip())
        out.extend(f"b:{run[i : i + 2]}" for i in range(len(run) - 1))
    return out


_VECTORIZER: list = []


def _vectorizer():
    if not _VECTORIZER:
        from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]

        _VECTORIZER.append(
            HashingVectorizer(
                analyzer=tokens, n_features=N_FEATURES, alternate_sign=False, norm="l2"
            )
        )
    return _VECTORIZER[0]


def case_text(title: str, description: str) -> str:
    return (description or title or "").strip()


# ---------------------------------------------------------------------------------------------
# training and prediction


@dataclass
class Trained:
    classes: list[str]
    coef: object  # scipy.sparse.csr_matrix, classes × features
    intercept: np.ndarray
    _by_feature: object = None  # coef transposed (features × classes), for fast products

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        if self._by_feature is None:
            self._by_feature = self.coef.T.tocsr()  # type: ignore[attr-defined]
        x = _vectorizer().transform(list(texts))
        scores = (x @ self._by_feature).toarray() + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def ranked(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        p = self.proba(texts)
        order = np.argsort(-p, axis=1)[:, :k]
        return [[(self.classes[j], float(p[i, j])) for j in row] for i, row in enumerate(order)]


def fit(texts: Sequence[str], labels: Sequence[str]) -> Trained:
    from scipy import sparse  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValidationError(_("The classifier needs closed cases of at least two categories."))
    x = _vectorizer().transform(list(texts)).tocsc()
    # Learn on the columns the texts use only (a few thousand of the hashed space), then put
    # the weights back in their columns: a small problem, the same model.
    used = np.unique(x.indices if x.format == "csr" else x.tocsr().indices)
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    model = LogisticRegression(C=20.0, max_iter=200)
    with threadpool_limits(1):  # BLAS threads only fight each other on this small problem
        model.fit(x[:, used].tocsr(), list(labels))
    small: np.ndarray = np.asarray(model.coef_, dtype=np.float32)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if len(model.classes_) == 2:  # binary: one row for the second class
        small = (np.vstack([-small, small]) / 2).astype(np.float32)
        intercept = np.array([-intercept[0], intercept[0]]) / 2
    rows, cols = np.nonzero(small)
    coef = sparse.csr_matrix(
        (small[rows, cols], (rows, used[cols])), shape=(small.shape[0], N_FEATURES)
    )
    return Trained([str(c) for c in model.classes_], coef, intercept)


def _dump(trained: Trained) -> bytes:
    from scipy import sparse

    buffer = io.BytesIO()
    sparse.save_npz(buffer, trained.coef, compressed=True)
    return buffer.getvalue()


def _load(row: ClassifierModel) -> Trained:
    from scipy import sparse

    coef = sparse.load_npz(io.BytesIO(bytes(row.coef))).tocsr()  # np.load(allow_pickle=False)
    return Trained(list(row.classes), coef, np.asarray(row.intercept, dtype=np.float64))


_LOADED: dict[int, Trained] = {}


def active_model() -> tuple[ClassifierModel | None, Trained | None]:
    row = ClassifierModel.objects.filter(active=True).defer("coef").order_by("-id").first()
    if row is None:
        return None, None
    if row.pk not in _LOADED:
        full = ClassifierModel.objects.get(pk=row.pk)
        _LOADED.clear()
        _LOADED[row.pk] = _load(full)
    return row, _LOADED[row.pk]


def suggest_text(text: str, k: int = 3) -> list[tuple[str, float]]:
    """The k most likely category codes for a text, with their probabilities ([] without a
    model or text)."""
    _, trained = active_model()
    if trained is None or not (text or "").strip():
        return []
    return trained.ranked([text], k)[0]


# ---------------------------------------------------------------------------------------------
# evaluation: a time split and the hand-written texts, each beside two baselines


def closed_cases() -> list[tuple[datetime.datetime, str, str]]:
    rows = (
        Case.objects.filter(status=Status.CLOSED, category__isnull=False, category__active=True)
        .order_by("created_at", "id")
        .values_list("created_at", "title", "description", "category__code")
    )
    return [(at, case_text(t, d), code) for at, t, d, code in rows if case_text(t, d)]


def eval_texts() -> list[tuple[str, str]]:
    """The hand-written evaluation texts (gridgov/exchange/data/classify_eval.tsv)."""
    out = []
    with EVAL_FILE.open(encoding="utf-8") as f:
        for row in csv.reader((line for line in f if not line.startswith("#")), delimiter="\t"):
            if len(row) == 2:
                out.append((row[1], row[0]))
    return out


class KeywordBaseline:
    """Counts the words of each category's name found in the text; ties go to the frequent."""

    def __init__(self, classes: Iterable[str], frequency: Counter):
        names = dict(Category.objects.filter(code__in=list(classes)).values_list("code", "name"))
        jieba = _jieba()
        self.keywords = {
            code: {name, *[w for w in jieba.lcut(name, HMM=False) if len(w) >= 2]}
            for code, name in names.items()
        }
        self.frequency = frequency

    def ranked(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        out = []
        for text in texts:
            scores = {c: sum(1 for w in kw if w in text) for c, kw in self.keywords.items()}
            order = sorted(scores, key=lambda c: (-scores[c], -self.frequency[c], c))
            out.append([(c, float(scores[c])) for c in order[:k]])
        return out


class MajorityBaseline:
    def __init__(self, frequency: Counter):
        self.order = [c for c, _n in sorted(frequency.items(), key=lambda i: (-i[1], i[0]))]

    def ranked(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        return [[(c, 0.0) for c in self.order[:k]] for _t in texts]


def score(ranked: list[list[tuple[str, float]]], truth: Sequence[str]) -> dict:
    """Top-1 and top-3 accuracy overall and per class."""
    per: dict[str, list[int]] = {}
    top1 = top3 = 0
    for guesses, right in zip(ranked, truth, strict=True):
        codes = [c for c, _p in guesses]
        hit1, hit3 = int(codes[:1] == [right]), int(right in codes[:3])
        top1, top3 = top1 + hit1, top3 + hit3
        counts = per.setdefault(right, [0, 0, 0])
        counts[0] += 1
        counts[1] += hit1
        counts[2] += hit3
    n = len(truth)
    return {
        "n": n,
        "top1": round(top1 / n, 4) if n else None,
        "top3": round(top3 / n, 4) if n else None,
        "classes": {
            c: {"n": v[0], "top1": round(v[1] / v[0], 4), "top3": round(v[2] / v[0], 4)}
            for c, v in sorted(per.items())
        },
    }


def _compare(model, train_labels: Sequence[str], texts: Sequence[str], truth: Sequence[str]):
    frequency = Counter(train_labels)
    methods = {
        "model": model,
        "majority": MajorityBaseline(frequency),
        "keyword": KeywordBaseline(frequency.keys(), frequency),
    }
    return {name: score(m.ranked(texts), truth) for name, m in methods.items()}


def time_split(rows: list[tuple[datetime.datetime, str, str]]):
    """Train on earlier months, test on the later ones: the cut is the first day of the month
    (local time) that leaves about a quarter of the cases to test; without a month boundary in
    the data, the latest quarter by time."""
    if len(rows) < 8:
        return None
    months = sorted({timezone.localtime(at).replace(day=1).date() for at, _t, _c in rows})
    cut = None
    for month in months[1:]:
        after = sum(1 for at, _t, _c in rows if timezone.localtime(at).date() >= month)
        if after <= len(rows) * 0.4:
            cut = month
            break
    if cut is not None:
        train = [r for r in rows if timezone.localtime(r[0]).date() < cut]
        test = [r for r in rows if timezone.localtime(r[0]).date() >= cut]
        label = f"< {cut:%Y-%m} ≤"
    else:
        k = int(len(rows) * 0.75)
        train, test = rows[:k], rows[k:]
        label = f"first {k} / last {len(rows) - k} by time"
    if len({c for _a, _t, c in train}) < 2 or not test:
        return None
    return train, test, label


def evaluate(rows: list[tuple[datetime.datetime, str, str]], final: Trained) -> dict:
    metrics: dict = {"texts": len(rows)}
    split = time_split(rows)
    if split is not None:
        train, test, label = split
        model = fit([t for _a, t, _c in train], [c for _a, _t, c in train])
        metrics["time_split"] = {
            "cut": label,
            "train": len(train),
            **_compare(
                model,
                [c for _a, _t, c in train],
                [t for _a, t, _c in test],
                [c for _a, _t, c in test],
            ),
        }
    known = set(final.classes)
    texts = [(t, c) for t, c in eval_texts() if c in known]
    if texts:
        metrics["handwritten"] = {
            "source": EVAL_FILE.name,
            "skipped": len(eval_texts()) - len(texts),
            **_compare(
                final, [c for _a, _t, c in rows], [t for t, _c in texts], [c for _t, c in texts]
            ),
        }
    return metrics


def _require_admin(actor: User) -> None:
    if actor.username != CLASSIFIER and not user_may(actor, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only an administrator may train the classifier."))


def train(*, actor: User) -> ClassifierModel:
    """Train on every closed case with a category, evaluate, and make it the active model."""
    _require_admin(actor)
    rows = closed_cases()
    if len(rows) < MIN_TEXTS:
        raise ValidationError(
            _("Too few closed cases with a category to learn from (%(n)d; %(min)d needed).")
            % {"n": len(rows), "min": MIN_TEXTS}
        )
    started = time.perf_counter()
    final = fit([t for _a, t, _c in rows], [c for _a, _t, c in rows])
    seconds = time.perf_counter() - started
    metrics = evaluate(rows, final)
    with transaction.atomic():
        ClassifierModel.objects.filter(active=True).update(active=False)
        row = ClassifierModel.objects.create(
            trained_by=actor,
            classes=final.classes,
            intercept=[float(v) for v in final.intercept],
            coef=_dump(final),
            n_features=N_FEATURES,
            texts=len(rows),
            seconds=round(seconds, 3),
            metrics=metrics,
            active=True,
        )
    _LOADED.clear()
    _LOADED[row.pk] = final
    return row


# ---------------------------------------------------------------------------------------------
# settings, suggestions and the operator's decision


def classifier_settings() -> ClassifierSettings:
    row = ClassifierSettings.objects.order_by("pk").first()
    return row or ClassifierSettings(auto_threshold=0.9)


@transaction.atomic
def set_threshold(threshold: float, *, actor: User) -> ClassifierSettings:
    _require_admin(actor)
    if not isinstance(threshold, int | float) or math.isnan(threshold) or not 0 <= threshold <= 1:
        raise ValidationError({"auto_threshold": _("A threshold is a number from 0 to 1.")})
    row = ClassifierSettings.objects.select_for_update().order_by("pk").first()
    row = row or ClassifierSettings()
    row.auto_threshold, row.updated_by = float(threshold), actor
    row.save()
    return row


def _department_for(case: Case, category: Category) -> Department | None:
    probe = Case(
        area_code=case.area_code, level_code=case.level_code, category=category
    )  # not saved: routing reads only these
    return route(probe)


def suggest_for_case(case: Case, *, actor: User) -> Suggestion | None:
    """Suggest a category for a case without one (once; again after a new model). Above the
    district's threshold it is applied at once by the classifier's system account."""
    if case.category_id or not case.is_open:
        return None
    if not (may_command(actor, case) or actor.username == CLASSIFIER):
        raise PermissionDenied(_("You may not classify this case."))
    model, trained = active_model()
    if trained is None:
        return None
    text = case_text(case.title, case.description)
    if not text:
        return None
    top = trained.ranked([text], 3)[0]
    categories = {
        c.code: c for c in Category.objects.filter(code__in=[c for c, _p in top], active=True)
    }
    top = [(c, p) for c, p in top if c in categories]
    if not top:
        return None
    best = categories[top[0][0]]
    with transaction.atomic():
        existing = Suggestion.objects.select_for_update().filter(case=case).first()
        if existing is not None and (
            existing.state != SuggestionState.OPEN or existing.model_id == model.pk  # type: ignore[union-attr]
        ):
            return existing
        suggestion = existing or Suggestion(case=case)
        suggestion.area_code = case.area_code
        suggestion.category = best
        suggestion.department = _department_for(case, best)
        suggestion.confidence = round(top[0][1], 4)
        suggestion.top = [[c, round(p, 4)] for c, p in top]
        suggestion.model = model
        suggestion.save()
    threshold = classifier_settings().auto_threshold
    if threshold > 0 and suggestion.confidence >= threshold:
        return _apply(suggestion, best, SuggestionState.AUTO, system_user(CLASSIFIER))
    return suggestion


def _apply(suggestion: Suggestion, category: Category, state: str, actor: User) -> Suggestion:
    with transaction.atomic():
        auto = state == SuggestionState.AUTO
        set_category(
            suggestion.case,
            category,
            actor=actor,
            note=(
                _("Applied automatically: %(name)s (confidence %(p).0f%%)")
                if auto
                else _("Suggested category decided: %(name)s (confidence %(p).0f%%)")
            )
            % {"name": category.name, "p": suggestion.confidence * 100},
            data={
                "auto": auto,
                "suggested": suggestion.category.code,
                "confidence": suggestion.confidence,
            },
        )
        suggestion.state, suggestion.chosen = state, category
        suggestion.decided_by, suggestion.decided_at = actor, timezone.now()
        suggestion.save(update_fields=["state", "chosen", "decided_by", "decided_at"])
    return suggestion


def decide(suggestion: Suggestion, *, actor: User, category: Category | None = None) -> Suggestion:
    """The operator accepts the suggestion (no category) or chooses another one."""
    suggestion = Suggestion.objects.select_related("case", "category").get(pk=suggestion.pk)
    if suggestion.state != SuggestionState.OPEN:
        raise ValidationError(_("This suggestion has been decided already."))
    if not may_command(actor, suggestion.case):
        raise PermissionDenied(_("You may not classify this case."))
    if suggestion.case.category_id:
        Suggestion.objects.filter(pk=suggestion.pk).update(state=SuggestionState.STALE)
        raise ValidationError(_("The case has a category already."))
    chosen = category or suggestion.category
    state = (
        SuggestionState.ACCEPTED if chosen.pk == suggestion.category_id else SuggestionState.CHANGED
    )
    return _apply(suggestion, chosen, state, actor)


def suggest_waiting(limit: int = 500) -> int:
    """Suggest for open cases without a category and without a suggestion of the active model
    (the periodic job); returns how many were suggested."""
    model, trained = active_model()
    if trained is None:
        return 0
    actor = system_user(CLASSIFIER)
    done = Suggestion.objects.filter(model=model).values("case_id")
    waiting = (
        Case.objects.open()
        .filter(category__isnull=True)
        .exclude(pk__in=done)
        .exclude(suggestion__state__in=[s for s in SuggestionState if s != SuggestionState.OPEN])
        .order_by("id")[:limit]
    )
    n = 0
    for case in waiting:
        try:
            if suggest_for_case(case, actor=actor) is not None:
                n += 1
        except (ValidationError, PermissionDenied) as exc:  # one case never stops the rest
            logger.warning("no suggestion for case %s: %s", case.pk, exc)
    return n
