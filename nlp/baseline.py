"""The plain keyword rule the models must beat: a list of keywords per tag, tag if any appears.

Deliberately simple, as a person would write it in a spreadsheet: no weights, no training. The
only refinement is simple negation: a keyword directly preceded by a negator in the same clause
("没有拖延", "不推诿") does not count (`negation=False` turns even that off). The lists were written
before the long-message data existed and are not tuned on any evaluation file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from nlp.tokenizer import normalise

TAGS = ("delay", "quality", "attitude")

KEYWORDS: dict[str, tuple[str, ...]] = {
    "delay": (
        "拖延", "拖了", "拖着", "一拖再拖", "久拖", "迟迟", "超期", "超时", "逾期", "太慢", "很慢",
        "效率低", "一直没", "至今没", "至今未", "还没办", "没下文", "没有下文", "没有回复", "没人回复",
        "石沉大海", "遥遥无期", "延期", "推迟", "没有进展", "没有任何进展",
    ),
    "quality": (
        "质量问题", "质量差", "质量太差", "质量很差", "漏水", "渗水", "渗漏", "开裂", "裂缝", "空鼓",
        "脱落", "发霉", "霉变", "返潮", "不合格", "偷工减料", "豆腐渣", "倾斜", "沉降", "起砂", "返修",
    ),
    "attitude": (
        "态度差", "态度恶劣", "态度不好", "态度很差", "态度极差", "态度蛮横", "态度生硬", "态度傲慢",
        "不耐烦", "推诿", "踢皮球", "敷衍", "刁难", "冷漠", "爱答不理", "爱理不理", "不理睬", "呵斥",
        "骂人", "挂电话", "推脱", "扯皮", "不作为",
    ),
}
NEGATORS = "没不未无别"
_CLAUSE_END = re.compile(r"[，。！？；,.!?;:：、\s]")


class KeywordRule:
    """`tags(text)` -> the tags whose keywords occur (not negated) in the normalised text."""

    def __init__(self, keywords: dict[str, Sequence[str]] | None = None, negation: bool = True,
                 window: int = 3) -> None:
        self.keywords = {t: tuple(ws) for t, ws in (keywords or KEYWORDS).items()}
        self.negation, self.window = negation, window
        self._patterns = {t: re.compile("|".join(map(re.escape, ws))) for t, ws in self.keywords.items()}

    def _negated(self, text: str, start: int) -> bool:
        before = text[max(0, start - self.window) : start]
        ends = [m.end() for m in _CLAUSE_END.finditer(before)]
        if ends:
            before = before[ends[-1] :]
        return any(ch in NEGATORS for ch in before)

    def tags(self, text: str | None) -> list[str]:
        norm = normalise(text)
        out = []
        for tag, pattern in self._patterns.items():
            if any(not (self.negation and self._negated(norm, m.start())) for m in pattern.finditer(norm)):
                out.append(tag)
        return out

    def predict(self, texts: Iterable[str | None]) -> list[list[str]]:
        return [self.tags(t) for t in texts]


__all__ = ["KEYWORDS", "KeywordRule"]
