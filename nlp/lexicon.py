"""Curated cue words per tag, counted with simple negation handling, as extra model features.

The TF-IDF features only know phrases seen in training; a small hand-written lexicon of stems
("拖", "漏", "推诿"...) generalises to new phrasings. A cue preceded closely by a negator in the same
clause ("没有拖延", "一点都不慢", "没有发现渗水开裂") is counted separately as *negated*, so the model
can learn that it speaks against the tag rather than for it.

Everything is computed in one regex pass over the normalised text. The cue lists are stored in the
fitted transformer (a few KB), so a saved model keeps the lexicon it was trained with even if this
module changes later; the compiled pattern is rebuilt on load.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from nlp.tokenizer import normalise

CUES: dict[str, tuple[str, ...]] = {
    "delay": (
        "拖", "慢", "等了", "等到", "一等", "等太久", "等不到", "等通知", "超时", "超期", "逾期", "迟迟",
        "一直没", "还没", "没人管", "没人来", "没人处理", "没人回复", "没人联系", "没下文", "没消息",
        "没动静", "没结果", "没进展", "催了", "催办", "石沉大海", "杳无音信", "遥遥无期", "卡着", "卡在",
        "卡了", "停工", "烂尾", "滞后", "推迟", "延期", "一延再延", "耽误", "排队", "几个月", "半年",
        "一年多", "好几次", "几趟", "磨叽", "墨迹", "效率低", "效率太低", "办不下来", "不给办",
        "不受理", "压着", "个月了", "多月", "多天", "星期了", "礼拜了", "年了", "过期限", "时限",
        "不见人影",
    ),
    "quality": (
        "裂", "漏", "渗", "空鼓", "起鼓", "脱落", "掉落", "掉渣", "掉下来", "往下掉", "返修", "不合格",
        "霉", "返潮", "起砂", "起皮", "脱皮", "剥落", "塌", "沉降", "倾斜", "锈", "劣质", "偷工减料",
        "以次充好", "豆腐渣", "质量差", "质量太差", "质量很差", "质量问题", "质量不行", "质量低劣",
        "隐患", "积水", "倒灌", "变形", "超标", "破损", "爆裂", "自爆", "堵塞", "发黑", "水印", "故障",
        "松动", "反味", "粗糙", "不达标", "不规范", "漏气", "泡了", "泡烂", "晃", "不平",
    ),
    "attitude": (
        "态度差", "态度恶劣", "态度不好", "态度很差", "态度极差", "态度蛮横", "态度生硬", "态度嚣张",
        "态度冷淡", "态度傲慢", "态度太差", "态度非常差", "态度差劲", "态度消极", "态度太", "凶",
        "不耐烦", "推诿", "推委", "踢皮球", "爱答不理", "爱理不理", "爱搭不理", "爱搭不离", "甩脸色",
        "脸色", "敷衍", "推脱", "推卸", "扯皮", "甩锅", "推来推去", "踢来踢去", "推三阻四", "不理",
        "冷漠", "冷冰冰", "冷言冷语", "冷着脸", "傲慢", "刁难", "呵斥", "骂", "吼", "挂断", "挂电话",
        "挂了", "怼", "呛", "嫌", "难听", "不客气", "没礼貌", "礼貌都没有", "阴阳怪气", "官腔",
        "摆架子", "不作为", "不闻不问", "置之不理", "不管", "威胁", "推搡", "推人", "不尊重", "素质",
        "不专业", "一问三不知", "白眼", "拽", "嚣张", "冷处理", "打发", "拿腔拿调", "说话很冲",
        "语气很差", "语气很冲", "刁民", "找麻烦",
    ),
}
NEGATORS = "没不未无别非"
# How many characters before a cue are searched for a negator (within the same clause), and the
# largest gap over which a negated cue passes its negation on ("没有发现渗水开裂").
NEG_WINDOW = 4
CHAIN_GAP = 2
_CLAUSE_END = re.compile(r"[，。！？；,.!?;:：、\s]")

_compiled: dict[tuple, tuple[re.Pattern, dict[str, int]]] = {}


def _pattern(cues: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[re.Pattern, dict[str, int]]:
    hit = _compiled.get(cues)
    if hit is None:
        index: dict[str, int] = {}
        for j, (_, words) in enumerate(cues):
            for w in words:
                index.setdefault(w, j)
        # Longest first: the regex alternation takes the first alternative that matches.
        alternation = "|".join(re.escape(w) for w in sorted(index, key=lambda w: (-len(w), w)))
        hit = _compiled[cues] = (re.compile(alternation), index)
    return hit


def cue_counts(text: str, cues=None) -> np.ndarray:
    """(n_tags, 2) array: [plain count, negated count] per tag for one normalised text."""
    return np.array(_counts(text, cues or tuple(CUES.items())), dtype=np.int32).reshape(-1, 2)


def _hits(text: str, pattern, index):
    """(position, column) of every cue in `text`; column = 2 * tag + negated."""
    last_end, last_negated = -10, False
    for m in pattern.finditer(text):
        start = m.start()
        window = text[max(0, start - NEG_WINDOW) : start]
        # Only the words after the last clause break can negate this cue.
        ends = [b.end() for b in _CLAUSE_END.finditer(window)]
        if ends:
            window = window[ends[-1] :]
        negated = any(ch in NEGATORS for ch in window)
        gap = text[last_end:start] if last_end >= 0 else ""
        if not negated and last_negated and start - last_end <= CHAIN_GAP and not _CLAUSE_END.search(gap):
            negated = True  # "没有发现渗水开裂": the negation carries over to the adjacent cue
        yield start, 2 * index[m.group()] + negated
        last_end, last_negated = m.end(), negated


def _counts(text: str, cues) -> list[int]:
    """Flat [tag0 plain, tag0 negated, tag1 plain, ...] counts (the one-pass scan)."""
    pattern, index = _pattern(cues)
    out = [0] * (2 * len(cues))
    for _, column in _hits(text, pattern, index):
        out[column] += 1
    return out


def _batch_counts(texts: Sequence[str], cues) -> np.ndarray:
    """`_counts` of many normalised texts in one regex pass over the batch: (n_texts, 2 * n_tags).

    The texts are joined with newlines. Normalised text contains no newline (whitespace runs
    become one space) and no cue contains whitespace, so no match straddles two texts, and the
    newline is a clause end: the negation window and the negation chain stop at it exactly as at
    the start of a text. The per-match logic is `_counts`' own.
    """
    pattern, index = _pattern(cues)
    joined = "\n".join(texts)
    out = np.zeros((len(texts), 2 * len(cues)), dtype=np.float32)
    if not texts:
        return out
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    hits = list(_hits(joined, pattern, index))
    hits_row = [position for position, _ in hits]
    hits_col = [column for _, column in hits]
    if hits_row:
        rows = np.searchsorted(starts, np.asarray(hits_row), side="right") - 1
        np.add.at(out, (rows, np.asarray(hits_col)), 1.0)
    return out


def _text_of(item) -> str:
    """The normalised text of a prepared `nlp.features.Doc` (its `.text`) or of a raw string.

    Duck-typed on purpose: this module must not import nlp.features (which imports it), so the
    dependency stays one-way: features -> lexicon -> tokenizer.
    """
    text = getattr(item, "text", None)
    return text if isinstance(text, str) else normalise(item)


class CueFeatures(TransformerMixin, BaseEstimator):
    """log(1 + count) of plain and negated cues per tag: 2 columns per tag, sparse output."""

    def __init__(self, cues: Sequence | None = None, weight: float = 1.0) -> None:
        self.cues = cues
        self.weight = weight

    def fit(self, X, y=None) -> CueFeatures:
        # Freeze the lexicon into the model so later edits of CUES do not shift saved models.
        self.cues_ = tuple((tag, tuple(words)) for tag, words in (self.cues or CUES.items()))
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        return np.array([f"cue_{tag}_{kind}" for tag, _ in self.cues_ for kind in ("plain", "negated")],
                        dtype=object)

    def transform(self, X) -> sparse.csr_matrix:
        rows = _batch_counts([_text_of(item) for item in X], self.cues_)
        np.log1p(rows, out=rows)
        if self.weight != 1.0:
            rows *= self.weight
        return sparse.csr_matrix(rows)


def describe(text: str) -> dict[str, dict[str, int]]:
    """Human-readable cue counts for one normalised text (debugging and tests)."""
    counts = cue_counts(text)
    return {tag: {"plain": int(counts[j, 0]), "negated": int(counts[j, 1])}
            for j, tag in enumerate(CUES)}


__all__ = ["CUES", "NEGATORS", "CueFeatures", "cue_counts", "describe"]
