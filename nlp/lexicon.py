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
# Sentences framed so that a tag's cue in them is no complaint of that tag: asking how long
# something takes or what it needs ("办证一般需要多长时间"), thanks for something done quickly or
# repaired ("漏水修好了，感谢师傅"), a breakdown count (for delay: "电梯三个月坏了七次" is about
# quality), an old building's wear or a neighbour's doing (for quality: "这栋老楼墙体开裂",
# "楼上漏下来的水"), praise of the staff (for attitude). A cue in a framed sentence is counted in
# its own column, before the object rule; the model learns what it weighs. (Framing the whole
# text by such words was tried as well and lost 0.015 long macro-F1 in group CV: a letter
# mentions a neighbour and still complains of its own walls.)
_QUESTION = ("请问", "想问", "想咨询", "咨询一下", "想了解", "想知道", "一般需要", "一般要", "大概需要",
             "大概要", "多长时间能", "几个工作日能", "一般多久", "大概多久")
_THANKS = ("感谢", "表扬", "点赞", "谢意", "致谢")
TAG_FRAMES: dict[str, tuple[str, ...]] = {
    "delay": _QUESTION + _THANKS + (
        "很快", "及时", "只用了", "就办好了", "就办结了", "就批下来了", "当天就", "第二天就",
        "坏了", "故障", "停运", "困人", "困过", "漏了", "又漏", "又坏", "返修", "爆了", "裂开",
    ),
    "quality": _QUESTION + _THANKS + (
        "修好", "不影响结构安全", "老房子", "老楼", "老宿舍", "年久失修", "老化", "几十年", "二十多年",
        "三十多年", "四十年", "七十年代", "八十年代", "九十年代", "上世纪", "建于", "风化", "楼上",
        "隔壁", "邻居装修", "邻居家装修", "私接", "私自改",
    ),
    "attitude": _THANKS + ("耐心", "热情", "很客气", "态度很好", "服务很好", "很负责", "很细致"),
}
_scanners: dict[tuple, tuple] = {}


def trie_regex(words) -> str:
    """One regular expression matching exactly `words`, longest word first at any position,
    written as a prefix tree: the engine tries only the branches of the character it sees
    instead of every word in turn (several times faster on long alternations)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not end else "(?:" + "|".join(branches) + ")"
        if len(branches) == 1 and end:
            body = "(?:" + branches[0] + ")"
        return body + "?" if end else body

    return build(root)


def _scanner(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple:
    """(literal pattern, word -> entry, [(regex, entry)]) for `groups`: plain words go into one
    flat alternation (which the regex engine scans fast: it skips positions whose character
    starts no word), "re:" entries are compiled on their own."""
    hit = _scanners.get(groups)
    if hit is None:
        index: dict[str, int] = {}
        regexes = []
        for j, (_, words) in enumerate(groups):
            for w in words:
                if w.startswith("re:"):
                    regexes.append((re.compile(w[3:]), j))
                else:
                    index.setdefault(w, j)
        hit = _scanners[groups] = (re.compile(trie_regex(index)) if index else None, index, regexes)
    return hit


_CLAUSE_CHARS = "，。！？；,.!?;:：、"
_SENTENCE_CHARS = "。！？!?；;\n "


def _codes(chars: str) -> np.ndarray:
    return np.array(sorted({ord(c) for c in chars}), dtype=np.uint32)


_NEG_CODES, _CLAUSE_CODES, _SENTENCE_CODES = _codes(NEGATORS), _codes(_CLAUSE_CHARS), _codes(_SENTENCE_CHARS)


def _matches(groups, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, end, entry) arrays of the non-overlapping matches of the words of `groups` in
    `text`, left to right; where matches overlap the one starting first wins, then the longest
    (a regex entry before a word on a tie)."""
    literal, index, regexes = _scanner(groups)
    found = [(m.start(), -(m.end() - m.start()), 0, index[m.group()])
             for m in (literal.finditer(text) if literal is not None else ())]
    for k, (rx, j) in enumerate(regexes):
        found += [(m.start(), -(m.end() - m.start()), -1 - k, j) for m in rx.finditer(text) if m.end() > m.start()]
    if regexes:
        found.sort()
        kept, last_end = [], -1
        for start, neg_len, _, j in found:
            if start >= last_end:
                kept.append((start, start - neg_len, j))
                last_end = start - neg_len
    else:  # one alternation: its matches never overlap
        kept = [(start, start - neg_len, j) for start, neg_len, _, j in found]
    if not kept:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    a = np.array(kept, dtype=np.int64)
    return a[:, 0], a[:, 1], a[:, 2]


_presence_cache: dict[tuple, tuple] = {}


def _presence(groups, joined: str, cp: np.ndarray, sentence_of: np.ndarray) -> np.ndarray:
    """(n_sentences, n_groups) bool: does the sentence contain a word of the group? One-character
    words are looked up in a table indexed by code point, longer ones found with one prefix-tree
    alternation over all groups (a word listed in several groups counts for each)."""
    hit = _presence_cache.get(groups)
    if hit is None:
        table = np.zeros(0x10000, dtype=np.uint32)
        masks: dict[str, int] = {}
        for j, (_, words) in enumerate(groups):
            for w in words:
                if len(w) == 1 and ord(w) < 0x10000:
                    table[ord(w)] |= 1 << j
                else:
                    masks[w] = masks.get(w, 0) | 1 << j
        hit = _presence_cache[groups] = (table, masks, re.compile(trie_regex(masks)) if masks else None)
    table, masks, pattern = hit
    out = np.zeros((int(sentence_of[-1]) + 1, len(groups)), dtype=bool)
    bits = table[np.minimum(cp, 0xFFFF)]
    bits[cp > 0xFFFF] = 0
    if pattern is not None:
        found = [(m.start(), masks[m.group()]) for m in pattern.finditer(joined)]
        if found:
            a = np.array(found, dtype=np.int64)
            np.bitwise_or.at(bits, a[:, 0], a[:, 1].astype(np.uint32))
    for j in range(len(groups)):
        out[sentence_of[(bits & (1 << j)) != 0], j] = True
    return out


def context_counts(texts: Sequence[str], cues, objects, topics, others=(), frames=()) -> np.ndarray:
    """Per text: for each tag [cues in a sentence naming the tag's object, cues in a sentence
    naming one of its other subjects (and no object), cues in a framed sentence (`frames`: a
    question, praise, an old building, a neighbour; before the object rule), other plain cues,
    negated cues] - the other-subject and framed columns only when those lists are given - then
    one count per topic.

    One regex pass per list over the batch joined by newlines (a sentence and clause end, and
    absent from normalised text), the rest array operations on code points: a cue is negated when
    a negator stands within NEG_WINDOW characters before it after the last clause end, or when it
    follows a negated cue within CHAIN_GAP characters of the same clause (as `_hits`)."""
    n_tags, n_topics = len(cues), len(topics)
    width = 3 + bool(others) + bool(frames)
    out = np.zeros((len(texts), width * n_tags + n_topics), dtype=np.float32)
    if not texts:
        return out
    joined = "\n".join(texts)
    if not joined:
        return out
    cp = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    pos = np.arange(len(cp), dtype=np.int64)
    row_of = np.cumsum(cp == 10)  # the newline itself belongs to the next text; never a match
    sentence_of = np.cumsum(np.isin(cp, _SENTENCE_CODES))
    # Position of the last clause end strictly before each position (-1 if none).
    clause = np.where(np.isin(cp, _CLAUSE_CODES) | (cp == 10), pos, -1)
    last_clause = np.concatenate([[-1], np.maximum.accumulate(clause)[:-1]])
    is_neg = np.isin(cp, _NEG_CODES)

    # One scan for every list of words a sentence may name (objects, other subjects, frames).
    present = _presence(tuple(objects) + tuple(others) + tuple(frames), joined, cp, sentence_of)
    has_object = present[:, :n_tags]
    has_other = present[:, n_tags:2 * n_tags] if others else None
    has_frame = present[:, -n_tags:] if frames else None
    start, end, tag = _matches(cues, joined)
    if len(start):
        negated = np.zeros(len(start), dtype=bool)
        for k in range(1, NEG_WINDOW + 1):
            before = start - k
            ok = (before >= 0) & (before > last_clause[start])
            negated |= ok & is_neg[np.maximum(before, 0)]
        # Negation carried over from the previous cue: no gap wider than CHAIN_GAP, no clause end.
        chain = np.zeros(len(start), dtype=bool)
        chain[1:] = (start[1:] - end[:-1] <= CHAIN_GAP) & (last_clause[start[1:]] < end[:-1])
        for i in np.flatnonzero(chain & ~negated):
            negated[i] = negated[i - 1]
        sent = sentence_of[start]
        kind = np.where(has_object[sent, tag], 0, width - 2)
        if has_other is not None:
            kind = np.where(~has_object[sent, tag] & has_other[sent, tag], 1, kind)
        if has_frame is not None:
            kind = np.where(has_frame[sent, tag], width - 3, kind)
        kind = np.where(negated, width - 1, kind)
        np.add.at(out, (row_of[start], width * tag + kind), 1.0)
    if topics:
        t_start, _, t_j = _matches(topics, joined)
        np.add.at(out, (row_of[t_start], width * n_tags + t_j), 1.0)
    return out


def _freeze(mapping) -> tuple[tuple[str, tuple[str, ...]], ...]:
    items = mapping.items() if isinstance(mapping, dict) else mapping
    return tuple((name, tuple(words)) for name, words in items)


class ContextCueFeatures(TransformerMixin, BaseEstimator):
    """log(1 + count) of tag cues said about the tag's object, about another subject, in a framed
    sentence (when `frames` are given), other tag cues and negated tag cues, per tag, and of topic
    cues (one column per topic of TOPIC_CUES). The lists are frozen into the fitted transformer
    like CueFeatures'; a model fitted before frames existed transforms as it did."""

    def __init__(self, cues=None, objects=None, topics=(), others=None, frames=None) -> None:
        self.cues, self.objects, self.topics, self.others = cues, objects, topics, others
        self.frames = frames

    def fit(self, X, y=None) -> ContextCueFeatures:
        self.cues_ = _freeze(self.cues or TAG_CUES)
        self.objects_ = _freeze(self.objects or TAG_OBJECTS)
        self.topics_ = _freeze(self.topics if self.topics is not None else TOPIC_CUES)
        self.others_ = _freeze(self.others if self.others is not None else TAG_OTHER_SUBJECTS)
        self.frames_ = _freeze(self.frames if self.frames is not None else TAG_FRAMES)
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        kinds = ["object"] + ["other_subject"] * bool(self.others_) + ["framed"] * bool(self._frames())
        kinds += ["other", "negated"]
        names = [f"cue_{tag}_{kind}" for tag, _ in self.cues_ for kind in kinds]
        return np.array(names + [f"topic_{name}" for name, _ in self.topics_], dtype=object)

    def _frames(self) -> tuple:
        return getattr(self, "frames_", ())  # absent from models pickled before frames existed

    def transform(self, X) -> sparse.csr_matrix:
        rows = context_counts([_text_of(item) for item in X], self.cues_, self.objects_, self.topics_,
                              self.others_, self._frames())
        np.log1p(rows, out=rows)
        return sparse.csr_matrix(rows)


def describe_context(text: str) -> dict:
    """Human-readable ContextCueFeatures counts for one normalised text (debugging and tests)."""
    row = context_counts([text], _freeze(TAG_CUES), _freeze(TAG_OBJECTS), _freeze(TOPIC_CUES),
                         _freeze(TAG_OTHER_SUBJECTS), _freeze(TAG_FRAMES))[0]
    kinds = ("object", "other_subject", "framed", "other", "negated")
    width = len(kinds)
    out: dict = {tag: {k: int(row[width * j + i]) for i, k in enumerate(kinds)} for j, tag in enumerate(TAG_CUES)}
    base = width * len(TAG_CUES)
    out["topics"] = {name: int(row[base + j]) for j, name in enumerate(TOPIC_CUES) if row[base + j]}
    return out


__all__ = ["CUES", "NEGATORS", "TAG_CUES", "TAG_FRAMES", "TAG_OBJECTS", "TAG_OTHER_SUBJECTS", "TOPIC_CUES",
           "ContextCueFeatures", "CueFeatures", "cue_counts", "describe", "describe_context"]
