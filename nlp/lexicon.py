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
# What a message is about when it is about none of the tags: the usual subjects of citizens'
# complaints and requests to a housing bureau or a city hotline. Counted like the tag cues (plain
# and negated), they let a model learn that "a complaint about fumes" is not a tag, whatever the
# complaint words around it ("严重", "强烈要求", "忍无可忍"). Written from the kinds of subjects
# such offices list, not from the training data.
TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "nuisance": ("油烟", "烧烤", "排烟", "餐馆", "饭店", "大排档", "噪音", "噪声", "扰民", "广场舞",
                 "音响", "喇叭", "分贝", "夜间施工", "打桩", "臭味", "异味", "垃圾", "养狗", "犬",
                 "流浪猫", "鸽子", "占道"),
    "building_use": ("违建", "违章", "私搭", "乱建", "搭建", "加建", "扩建", "圈占", "侵占", "群租",
                     "隔断", "二房东", "出租", "租客", "承重墙", "基站"),
    "traffic_parking": ("停车", "车位", "违停", "乱停", "消防通道", "堵车", "红绿灯", "斑马线",
                        "公交", "路灯", "共享单车", "电动车", "充电"),
    "utilities": ("停水", "断水", "水压", "来水", "停电", "断电", "变压器", "供暖", "暖气", "供热",
                  "燃气", "天然气"),
    "money": ("物业费", "收费", "涨价", "费用", "公摊", "停车费", "押金", "账目", "公共收益",
              "补偿", "征收", "拆迁", "评估", "过渡费", "补贴", "税"),
    "schooling": ("学位", "入学", "学区", "幼儿园", "小学", "初中", "上学", "招生"),
    "question": ("请问", "咨询", "想问", "想了解", "如何", "怎么办理", "哪些材料", "需要什么",
                 "条件", "政策", "流程", "是否", "吗?", "多少"),
    "praise": ("感谢", "表扬", "点赞", "谢意", "感动", "热心", "耐心", "贴心", "满意", "辛苦了"),
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


# --- cues in context -------------------------------------------------------------------------
# A long letter is full of complaint words about things that are none of the tags ("油烟呛人",
# "邻居骂人", "围挡晃得厉害", "交房十年了"). What makes a cue speak for a tag is what it is said
# about: a cue counts as "about the tag's object" when the same sentence names such an object -
# a procedure for delay (办证, 审批, 报修, 工单...), a part of a building or of the works for
# quality (墙, 窗, 防水, 电梯...), a person serving the citizen for attitude (工作人员, 窗口,
# 物业, 客服...). Entries starting with "re:" are regular expressions (gaps: "态度非常恶劣").
TAG_CUES: dict[str, tuple[str, ...]] = {
    "delay": CUES["delay"] + (
        "至今", "仍未", "尚未", "没有下文", "没有进展", "没有任何进展", "没有动静", "没任何消息",
        "一推再推", "卡住", "还在审", "走流程", "走程序", "快了快了", "过了期限", "超过了",
        r"re:[一二三四五六七八九十两几半\d]+个多?月", "re:大半年|一年多|好几年", r"re:催了?[一二三四五六七八九十两几\d]+次",
    ),
    "quality": tuple(w for w in CUES["quality"] if w not in ("隐患", "故障", "晃", "锈", "松动")) + (
        "漏雨", "进水", "返臭", "甲醛", "锈穿", "生锈", "掉粉", "翘", "歪", "缝", "塌陷", "开裂",
        "偷工", "质量不过关", "不过关", "冒火花", "re:(螺丝|栏杆|扶手)[^，。]{0,4}(松|晃)",
        "re:(电梯)[^，。]{0,6}(故障|坏|停运|困)",
    ),
    "attitude": tuple(w for w in CUES["attitude"] if w not in ("呛", "嫌", "拽", "素质", "挂了")) + (
        "re:态度[^，。]{0,4}(差|恶劣|不好|蛮横|生硬|冷淡|傲慢|粗暴|横|凶|冷漠|嚣张|敷衍)",
        "冷嘲热讽", "恶语相向", "大呼小叫", "骂骂咧咧", "凶巴巴", "板着脸", "爱办不办", "不搭理",
        "没人搭理", "不理不睬", "应付", "不接茬", "有本事", "爱找谁找谁", "嘲讽", "训人", "吼人",
        "拍桌子", "挂断", "挂了电话", "把电话挂了", "不想管", "不归我们管", "不是我们的职责",
        "呛我", "嫌我", "嫌麻烦", "翻了个白眼", "不让我把话说完", "推说",
    ),
}
TAG_OBJECTS: dict[str, tuple[str, ...]] = {
    "delay": ("办", "证", "申请", "审批", "审核", "手续", "登记", "交房", "交付", "维修", "报修", "工单",
              "进度", "受理", "材料", "回复", "答复", "处理", "过户", "提取", "贷款", "鉴定", "补偿款",
              "复工", "开工", "时限", "期限", "工作日", "流程", "批", "备案", "安置", "工期", "停工"),
    "quality": ("墙", "房", "屋", "楼板", "窗", "门", "管", "防水", "砖", "天花板", "顶", "卫生间",
                "厨房", "阳台", "电梯", "地下室", "车库", "地面", "地板", "楼梯", "保温", "涂料",
                "腻子", "水电", "插座", "线路", "暖气", "地暖", "烟道", "路面", "围墙", "玻璃", "栏杆",
                "工程", "装修", "交付", "施工", "材料", "橱柜", "地漏", "吊顶", "质量"),
    "attitude": ("工作人员", "窗口", "物业", "客服", "接线员", "经理", "干部", "执法", "街道", "社区",
                 "开发商", "售后", "师傅", "保安", "科长", "领导", "办事员", "管家", "同志", "接待",
                 "前台", "队员", "电话", "人员", "公职", "服务", "办事", "咨询台", "大厅", "小伙子",
                 "姑娘", "维修工"),
}
# Who or what else a cue may be said about: a sentence naming one of these (and no object of the
# tag) counts the cue separately, e.g. a neighbour's or a shop owner's bad manners are not the
# service attitude the tag is about; a swaying hoarding or a rusty playground is a safety hazard,
# not a dispute over the quality of one's home.
TAG_OTHER_SUBJECTS: dict[str, tuple[str, ...]] = {
    "delay": ("学校", "幼儿园", "业委会", "业主委员会", "公交", "地铁"),
    "quality": ("围挡", "游乐设施", "井盖", "窨井", "路灯", "共享单车", "电动车", "垃圾", "油烟"),
    "attitude": ("邻居", "老板", "店主", "车主", "房东", "租客", "大爷", "阿姨", "楼上", "楼下",
                 "对方", "那户", "那家", "人家", "遛狗", "住户", "小贩", "摊主", "司机", "家长"),
}
_SENTENCE_END = re.compile(r"[。！？!?；;\n ]")
_named: dict[tuple, re.Pattern] = {}


def _named_pattern(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> re.Pattern:
    """One alternation with a named group per entry of `groups` (g0, g1, ...), longest first."""
    hit = _named.get(groups)
    if hit is None:
        alts = []
        for j, (_, words) in enumerate(groups):
            plain = sorted((w for w in words if not w.startswith("re:")), key=lambda w: (-len(w), w))
            regexes = [w[3:] for w in words if w.startswith("re:")]
            body = "|".join([f"(?:{r})" for r in regexes] + [re.escape(w) for w in plain])
            alts.append(f"(?P<g{j}>{body})")
        hit = _named[groups] = re.compile("|".join(alts))
    return hit


def _negated_at(text: str, start: int) -> bool:
    window = text[max(0, start - NEG_WINDOW) : start]
    ends = [b.end() for b in _CLAUSE_END.finditer(window)]
    if ends:
        window = window[ends[-1] :]
    return any(ch in NEGATORS for ch in window)


def context_counts(texts: Sequence[str], cues, objects, topics, others=()) -> np.ndarray:
    """Per text: for each tag [cues in a sentence naming the tag's object, cues in a sentence
    naming one of its other subjects (and no object), other plain cues, negated cues], then one
    count per topic. One regex pass per list over the joined batch."""
    n_tags, n_topics = len(cues), len(topics)
    width = 4 if others else 3
    out = np.zeros((len(texts), width * n_tags + n_topics), dtype=np.float32)
    if not texts:
        return out
    joined = "\n".join(texts)
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    bounds = np.array([m.start() for m in _SENTENCE_END.finditer(joined)], dtype=np.int64)

    def sentence_of(pos: int) -> int:
        return int(np.searchsorted(bounds, pos, side="right"))

    has_object, has_other = set(), set()
    for m in _named_pattern(objects).finditer(joined):
        has_object.add((sentence_of(m.start()), int(m.lastgroup[1:])))
    if others:
        for m in _named_pattern(others).finditer(joined):
            has_other.add((sentence_of(m.start()), int(m.lastgroup[1:])))
    last_end, last_negated = -10, False
    for m in _named_pattern(cues).finditer(joined):
        start, j = m.start(), int(m.lastgroup[1:])
        negated = _negated_at(joined, start)
        gap = joined[last_end:start] if last_end >= 0 else ""
        if not negated and last_negated and start - last_end <= CHAIN_GAP and not _CLAUSE_END.search(gap):
            negated = True
        row = int(np.searchsorted(starts, start, side="right")) - 1
        if negated:
            out[row, width * j + width - 1] += 1
        else:
            key = (sentence_of(start), j)
            kind = 0 if key in has_object else (1 if key in has_other else width - 2)
            out[row, width * j + kind] += 1
        last_end, last_negated = m.end(), negated
    for m in _named_pattern(topics).finditer(joined):
        row = int(np.searchsorted(starts, m.start(), side="right")) - 1
        out[row, width * n_tags + int(m.lastgroup[1:])] += 1
    return out


def _freeze(mapping) -> tuple[tuple[str, tuple[str, ...]], ...]:
    items = mapping.items() if isinstance(mapping, dict) else mapping
    return tuple((name, tuple(words)) for name, words in items)


class ContextCueFeatures(TransformerMixin, BaseEstimator):
    """log(1 + count) of tag cues said about the tag's object, other tag cues, negated tag cues
    (3 columns per tag) and of topic cues (one column per topic of TOPIC_CUES). The lists are
    frozen into the fitted transformer like CueFeatures'."""

    def __init__(self, cues=None, objects=None, topics=None, others=None) -> None:
        self.cues, self.objects, self.topics, self.others = cues, objects, topics, others

    def fit(self, X, y=None) -> ContextCueFeatures:
        self.cues_ = _freeze(self.cues or TAG_CUES)
        self.objects_ = _freeze(self.objects or TAG_OBJECTS)
        self.topics_ = _freeze(self.topics or TOPIC_CUES)
        self.others_ = _freeze(self.others if self.others is not None else TAG_OTHER_SUBJECTS)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        kinds = ("object", "other_subject", "other", "negated") if self.others_ else ("object", "other", "negated")
        names = [f"cue_{tag}_{kind}" for tag, _ in self.cues_ for kind in kinds]
        return np.array(names + [f"topic_{name}" for name, _ in self.topics_], dtype=object)

    def transform(self, X) -> sparse.csr_matrix:
        rows = context_counts([_text_of(item) for item in X], self.cues_, self.objects_, self.topics_,
                              self.others_)
        np.log1p(rows, out=rows)
        return sparse.csr_matrix(rows)


def describe_context(text: str) -> dict:
    """Human-readable ContextCueFeatures counts for one normalised text (debugging and tests)."""
    row = context_counts([text], _freeze(TAG_CUES), _freeze(TAG_OBJECTS), _freeze(TOPIC_CUES),
                         _freeze(TAG_OTHER_SUBJECTS))[0]
    kinds = ("object", "other_subject", "other", "negated")
    out: dict = {tag: {k: int(row[4 * j + i]) for i, k in enumerate(kinds)} for j, tag in enumerate(TAG_CUES)}
    base = 4 * len(TAG_CUES)
    out["topics"] = {name: int(row[base + j]) for j, name in enumerate(TOPIC_CUES) if row[base + j]}
    return out


__all__ = ["CUES", "NEGATORS", "TAG_CUES", "TAG_OBJECTS", "TAG_OTHER_SUBJECTS", "TOPIC_CUES", "ContextCueFeatures", "CueFeatures",
           "cue_counts", "describe", "describe_context"]
