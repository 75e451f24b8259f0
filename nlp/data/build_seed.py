"""Generate the shipped tag training data from hand-written fragment pools.

Run from the repository root:  .venv/bin/python -m nlp.data.build_seed

Every pool in seed_fragments.txt is split by position (each 4th line is held out), and held-out
texts are composed only from held-out fragments, so the held-out metric is not inflated by
near-duplicates of training texts. The generator is seeded, so the output is reproducible.

Training pools are split once more into GROUPS sub-pools (again by position) and every training
row is composed from a single sub-pool; its "group" field names that sub-pool. Threshold tuning
uses GroupKFold on it, so validation folds share no fragment with the data they are scored by,
exactly like the held-out split. The reader ignores the field.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import zhconv

DATA_DIR = Path(__file__).resolve().parent
FRAGMENTS = DATA_DIR / "seed_fragments.txt"
TRAIN_FILE = DATA_DIR / "seed_tags.jsonl"
HOLDOUT_FILE = DATA_DIR / "seed_tags_holdout.jsonl"
TAGS = ("delay", "quality", "attitude")
SIZES = {"train": 2400, "holdout": 700}
GROUPS = 4
SEEDS = {"train": 20261123, "holdout": 7}

CONNECTORS = ["，", "。", "！", "，而且", "，还有", "；", " ", "...", "，另外", "。还有就是"]
# Common slips in citizens' typing (homophones, missing particles), applied at random.
TYPOS = [("的", "得"), ("在", "再"), ("已经", "以经"), ("反映", "反应"), ("没有", "没"),
         ("什么", "啥"), ("怎么", "咋"), ("这个", "这"), ("材料", "资料"), ("一直", "一值")]
EMOJI = ["😡", "👍", "😭", "🙏", "😤", "[微笑]", "!!!"]


def read_pools(path: Path = FRAGMENTS) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = pools.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return pools


def split_pools(pools: dict[str, list[str]], split: str) -> dict[str, list[str]]:
    held = split == "holdout"
    return {k: [x for i, x in enumerate(v) if (i % 4 == 3) == held] for k, v in pools.items()}


def sub_pools(pools: dict[str, list[str]], groups: int = GROUPS) -> list[dict[str, list[str]]]:
    """Partition every (training) pool by position into `groups` disjoint sub-pools."""
    return [{k: v[g::groups] for k, v in pools.items()} for g in range(groups)]


def pick_labels(rng: random.Random) -> list[str]:
    r = rng.random()
    if r < 0.32:
        return []
    if r < 0.82:
        return [rng.choice(TAGS)]
    if r < 0.97:
        return rng.sample(TAGS, 2)
    return list(TAGS)


def join(parts: list[str], rng: random.Random) -> str:
    out = parts[0]
    for p in parts[1:]:
        out += rng.choice(CONNECTORS) + p
    return out


def add_noise(text: str, rng: random.Random) -> str:
    for a, b in TYPOS:
        if a in text and rng.random() < 0.12:
            text = text.replace(a, b, 1)
    if rng.random() < 0.08:
        text = "".join(ch for ch in text if ch not in "，。！？；")
    if rng.random() < 0.05:
        text += rng.choice(EMOJI)
    if rng.random() < 0.04:
        text = zhconv.convert(text, "zh-hant")
    return text


def compose(pools: dict[str, list[str]], labels: list[str], rng: random.Random) -> str:
    minimal = rng.random() < 0.3
    body: list[str] = []
    for tag in labels:
        body += rng.sample(pools[tag], 2 if rng.random() < 0.25 else 1)
    if not labels:
        kind = rng.random()
        if kind < 0.25:
            body.append(rng.choice(pools["question"]))
        elif kind < 0.45:
            # Neutral statements and hard negatives ("想咨询一下房屋质量保修期多久").
            body.append(rng.choice(pools["neutral"]))
            if rng.random() < 0.4:
                body.append(rng.choice(pools["question"]))
        else:
            dims = rng.sample(TAGS, rng.choice([1, 1, 2]))
            body += [rng.choice(pools[f"praise_{d}"]) for d in dims]
            if rng.random() < 0.2:
                body.append(rng.choice(pools["neutral"]))
    else:
        if rng.random() < 0.3:
            # Mixed verdicts ("态度还行就是慢"): praise on a dimension that is not complained about.
            other = [t for t in TAGS if t not in labels]
            if other:
                body.insert(rng.randrange(len(body) + 1),
                            rng.choice(pools[f"praise_{rng.choice(other)}"]))
        if rng.random() < 0.15:
            # A neutral clause or question next to the complaint must not add a tag.
            body.append(rng.choice(pools[rng.choice(["neutral", "question"])]))
    rng.shuffle(body)
    if not minimal and rng.random() < 0.7:
        body.insert(0, rng.choice(pools["subject"]))
    text = join(body, rng)
    if not minimal and rng.random() < 0.5:
        closing = "closing_complaint" if labels else "closing_praise"
        if labels or body[-1] not in pools["question"]:
            text += rng.choice(["，", "。", "！"]) + rng.choice(pools[closing])
    return add_noise(text, rng)


def sentences(pools: dict[str, list[str]], split: str) -> list[dict]:
    rows = []
    for i, line in enumerate(pools.get("sentences", [])):
        labels, text = line.split("|", 1)
        group = "holdout" if split == "holdout" else f"g{i % GROUPS}"
        rows.append({"text": text, "labels": [] if labels == "-" else labels.split(","),
                     "group": group})
    return rows


def build(split: str) -> list[dict]:
    pools = split_pools(read_pools(), split)
    # Training rows are composed inside one sub-pool each (see the module docstring).
    parts = sub_pools(pools) if split == "train" else [pools]
    rng = random.Random(SEEDS[split])
    rows, seen = sentences(pools, split), set()
    seen.update(r["text"] for r in rows)
    while len(rows) < SIZES[split]:
        g = rng.randrange(len(parts))
        labels = pick_labels(rng)
        text = compose(parts[g], labels, rng)
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "labels": [t for t in TAGS if t in labels],
                         "group": "holdout" if split == "holdout" else f"g{g}"})
    rng.shuffle(rows)
    return rows


def write(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    train, holdout = build("train"), build("holdout")
    overlap = {r["text"] for r in train} & {r["text"] for r in holdout}
    holdout = [r for r in holdout if r["text"] not in overlap]
    write(train, TRAIN_FILE)
    write(holdout, HOLDOUT_FILE)
    pools = read_pools()
    for split in ("train", "holdout"):
        sizes = {k: len(v) for k, v in split_pools(pools, split).items() if k in TAGS or k == "neutral"}
        print(split, "fragments per pool:", sizes)
    for name, rows in (("train", train), ("holdout", holdout)):
        counts = {t: sum(t in r["labels"] for r in rows) for t in TAGS}
        print(name, len(rows), counts, "none:", sum(not r["labels"] for r in rows))


if __name__ == "__main__":
    main()
