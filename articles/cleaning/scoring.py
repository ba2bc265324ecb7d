"""Token and shingle scores of a predicted body against gold (as ../shared/bench/score.py).

Tokens are ``\\w+`` runs, lower-cased for the bag-of-words score, with repeats. The summary
reproduces the reference scorer's figures: mean and median F1, share of documents at
F1 >= 0.9, mean precision and recall, bootstrap std of the mean, and the 4-gram shingle
metric of the Scrapinghub article-extraction benchmark.
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+", re.UNICODE)


def tokenize(text: str) -> list[str]:
    return _WORD.findall(text or "")


def token_f1(pred: str, gold: str) -> tuple[float, float, float]:
    """(precision, recall, F1) of lower-cased token multisets."""
    p = Counter(t.lower() for t in tokenize(pred))
    g = Counter(t.lower() for t in tokenize(gold))
    np_, ng = sum(p.values()), sum(g.values())
    if np_ == 0 and ng == 0:
        return 1.0, 1.0, 1.0
    if np_ == 0:
        return 0.0, 0.0, 0.0
    if ng == 0:
        return 0.0, 1.0, 0.0
    tp = sum((p & g).values())
    prec, rec = tp / np_, tp / ng
    f1 = 2 * prec * rec / (prec + rec) if tp else 0.0
    return prec, rec, f1


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = tokenize(text)
    if not toks:
        return Counter()
    if len(toks) < n:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))


def shingle_tp_fp_fn(pred: str, gold: str) -> tuple[float, float, float]:
    """Shingle (4-gram, case kept) tp/fp/fn, normalised to sum 1."""
    p, g = _shingles(pred), _shingles(gold)
    tp = sum((p & g).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class DocScore:
    """The scores of one document."""

    doc_id: str
    precision: float
    recall: float
    f1: float
    pred_tokens: int
    gold_tokens: int
    shingles: tuple[float, float, float]


def score_document(doc_id: str, pred: str, gold: str) -> DocScore:
    p, r, f = token_f1(pred, gold)
    return DocScore(
        doc_id, p, r, f, len(tokenize(pred)), len(tokenize(gold)), shingle_tp_fp_fn(pred, gold)
    )


def _sh_prec(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _sh_rec(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def _shingle_summary(tfs: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    ps = [_sh_prec(*x) for x in tfs if x[0] + x[1] > 0]
    rs = [_sh_rec(*x) for x in tfs if x[0] + x[2] > 0]
    p = statistics.mean(ps) if ps else 0.0
    r = statistics.mean(rs) if rs else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    per_doc = []
    for x in tfs:
        pp, rr = _sh_prec(*x), _sh_rec(*x)
        per_doc.append(2 * pp * rr / (pp + rr) if pp + rr else 0.0)
    return {
        "sh_f1": f,
        "sh_precision": p,
        "sh_recall": r,
        "sh_doc_f1_mean": statistics.mean(per_doc) if per_doc else 0.0,
    }


def summarise(scores: Iterable[DocScore]) -> dict[str, float | int]:
    """Aggregate document scores exactly as the reference scorer does."""
    rows = list(scores)
    f1s = [s.f1 for s in rows]
    rng = random.Random(0)
    boots = [statistics.mean(rng.choice(f1s) for _ in f1s) for _ in range(1000)] if f1s else [0.0]
    summary: dict[str, float | int] = {
        "docs": len(rows),
        "f1_mean": statistics.mean(f1s) if f1s else 0.0,
        "f1_median": statistics.median(f1s) if f1s else 0.0,
        "f1_ge_0_9": sum(f >= 0.9 for f in f1s) / len(f1s) if f1s else 0.0,
        "precision_mean": statistics.mean(s.precision for s in rows) if rows else 0.0,
        "recall_mean": statistics.mean(s.recall for s in rows) if rows else 0.0,
        "f1_mean_boot_std": statistics.pstdev(boots),
        "empty_preds": sum(1 for s in rows if s.pred_tokens == 0),
    }
    summary.update(_shingle_summary([s.shingles for s in rows]))
    return summary
