"""Generate long, message-board style tag data from hand-written pools (message_pools.txt).

Run from the repository root:  .venv/bin/python -m nlp.data.build_messages

Real citizen messages are long: a title, "尊敬的领导", who and where the writer is, 150-500
characters of detail and a request. Most of them complain about something that is none of our
tags (fumes, noise, illegal building, parking, group renting, water or power cuts, fees,
demolition compensation, school places, policy questions, ...), and the tags often sit in one
sentence among much unrelated detail. This generator composes such messages:

* negatives (about half): one or two topics, angry and full of complaint words, and in a third of
  them a near-miss sentence (a negated tag: "没有任何拖延"; a question: "办证要多久"; praise:
  "工作人员很耐心");
* positives: tag-led messages (title and body about the tag, with unrelated context) and topic
  messages with a tag sentence embedded among the topic's detail.

Disjoint by construction: every section of the pools is split by position into GROUPS groups (line
i -> group i % GROUPS) and each message is composed from ONE group, slots (places, offices,
companies) included. Groups 0..3 are the training sub-pools (the row's "group" is "m<g>", used by
group-aware CV); group 4 is the held-out split. Hand-written messages (messages_handwritten.jsonl)
are added to the split named in their "split" field. The generator is seeded: same pools, same
files.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from nlp.data.build_seed import read_pools

DATA_DIR = Path(__file__).resolve().parent
POOLS = DATA_DIR / "message_pools.txt"
HANDWRITTEN = DATA_DIR / "messages_handwritten.jsonl"
TRAIN_FILE = DATA_DIR / "seed_messages.jsonl"
HOLDOUT_FILE = DATA_DIR / "seed_messages_holdout.jsonl"
TAGS = ("delay", "quality", "attitude")
GROUPS = 5
HELD_OUT_GROUP = 4
SIZES = {"train": 2400, "holdout": 600}
SEEDS = {"train": 20261130, "holdout": 11}
P_NEGATIVE = 0.52
MIN_CHARS, MAX_CHARS = 150, 600

TITLE_JOIN = ["\n", "\n", "。", " ", "：", "\n\n", "——"]
TYPOS = [("的", "得"), ("在", "再"), ("已经", "以经"), ("反映", "反应"), ("什么", "啥"),
         ("一直", "一值"), ("这个", "这"), ("现在", "现再")]


def group_pools(pools: dict[str, list[str]], group: int) -> dict[str, list[str]]:
    return {k: v[group::GROUPS] for k, v in pools.items()}


def topics(pools: dict[str, list[str]]) -> list[str]:
    return sorted({k.split(":")[1] for k in pools if k.startswith("topic:")})


def _date(rng: random.Random) -> str:
    y = rng.choice(["2022", "2023", "2024", "去年", "今年", "前年"])
    m, d = rng.randint(1, 12), rng.randint(1, 28)
    if y.isdigit():
        return rng.choice([f"{y}年{m}月{d}日", f"{y}年{m}月", f"{y}.{m}.{d}"])
    return rng.choice([f"{y}{m}月{d}号", f"{y}{m}月份", f"{y}{m}月"])


def _money(rng: random.Random) -> str:
    return rng.choice([
        f"{rng.randint(15, 45) / 10:.1f}元/平方米", f"{rng.randint(3, 90) * 100}元",
        f"{rng.randint(2, 60)}万元", f"每月{rng.randint(2, 9) * 50}元", f"{rng.randint(5000, 18000)}元",
    ])


def fill(text: str, g: dict[str, list[str]], rng: random.Random) -> str:
    def sub(m: re.Match) -> str:
        slot = m.group(1)
        if slot in ("estate", "road", "district", "office", "company"):
            return rng.choice(g[slot])
        if slot in ("date", "date2"):
            return _date(rng)
        if slot == "month":
            return rng.choice(["今年", "去年"]) + f"{rng.randint(1, 12)}月"
        if slot == "year":
            return str(rng.randint(2008, 2023))
        if slot == "money":
            return _money(rng)
        if slot == "unit":
            return rng.choice([f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元",
                               f"{rng.randint(1, 40)}号楼", f"{rng.randint(1, 20)}幢"])
        if slot == "area":
            return f"{rng.randint(45, 160)}平方米"
        return str(rng.randint(2, 12))
    return re.sub(r"\{(\w+)\}", sub, text)


def _noise(text: str, rng: random.Random) -> str:
    for a, b in TYPOS:
        if a in text and rng.random() < 0.06:
            text = text.replace(a, b, 1)
    if rng.random() < 0.04:
        text = text.replace("，", " ")
    return text


def compose(g: dict[str, list[str]], rng: random.Random, labels: list[str], names: list[str]) -> str:
    """One message from the pools of one group; `labels` are the tags it must carry."""
    topic = rng.choice(names)
    tag_led = bool(labels) and rng.random() < 0.45
    lead = labels[0] if tag_led else None
    title = rng.choice(g[f"tag:{lead}:title"] if lead else g[f"topic:{topic}:title"])
    body: list[str] = []
    if tag_led:
        body += rng.sample(g[f"tag:{lead}:body"], min(len(g[f"tag:{lead}:body"]), rng.choice([1, 2, 2, 3])))
        body += rng.sample(g["context"], rng.choice([0, 1, 2, 2]))
        if rng.random() < 0.5:  # unrelated topic detail in the same letter
            body += rng.sample(g[f"topic:{topic}:body"], rng.choice([1, 2]))
    else:
        pool = g[f"topic:{topic}:body"]
        body += rng.sample(pool, min(len(pool), rng.choice([3, 3, 4, 5])))
        if rng.random() < 0.4:
            body.insert(0, rng.choice(g["context"]))
        if rng.random() < 0.15:  # a second nuisance in the same letter
            other = rng.choice(names)
            body.append(rng.choice(g[f"topic:{other}:body"]))
    for tag in labels:
        if tag == lead:
            continue
        # Embedded somewhere in the middle of the unrelated detail.
        body.insert(rng.randint(1, len(body)), rng.choice(g[f"tag:{tag}:body"]))
    if rng.random() < (0.35 if not labels else 0.25):
        near = rng.choice([t for t in TAGS if t not in labels] or list(TAGS))
        body.insert(rng.randint(0, len(body)), rng.choice(g[f"near:{near}"]))
    ask = rng.choice(g[f"topic:{topic}:ask"]) if not tag_led or rng.random() < 0.3 else ""
    parts = []
    if rng.random() < 0.75:
        parts.append(rng.choice(g["greeting"]))
    if rng.random() < 0.8:
        parts.append(rng.choice(g["intro"]))
    text = "".join(parts) + "".join(body) + ask
    if rng.random() < 0.6:
        text += rng.choice(g["closing"])
    if rng.random() < 0.4:
        text += rng.choice(g["signoff"])
    if rng.random() < 0.85:
        text = title + rng.choice(TITLE_JOIN) + text
    return _noise(fill(text, g, rng), rng)


def pick_labels(rng: random.Random) -> list[str]:
    if rng.random() < P_NEGATIVE:
        return []
    r = rng.random()
    labels = [rng.choice(TAGS)] if r < 0.8 else rng.sample(TAGS, 2) if r < 0.97 else list(TAGS)
    return labels


def generate(split: str) -> list[dict]:
    pools = read_pools(POOLS)
    names = topics(pools)
    groups = [HELD_OUT_GROUP] if split == "holdout" else [g for g in range(GROUPS) if g != HELD_OUT_GROUP]
    parts = {g: group_pools(pools, g) for g in groups}
    rng = random.Random(SEEDS[split])
    rows, seen = [], set()
    while len(rows) < SIZES[split]:
        g = rng.choice(groups)
        labels = pick_labels(rng)
        text = compose(parts[g], rng, labels, names)
        if text in seen or not MIN_CHARS <= len(text) <= MAX_CHARS:
            continue
        seen.add(text)
        rows.append({"text": text, "labels": [t for t in TAGS if t in labels], "group": f"m{g}"})
    return rows


SLOT_POOLS = ("estate", "road", "district", "office", "company")


def sentence_rows(split: str) -> list[dict]:
    """Every pool line of the split's groups as a labelled unit (slots filled): lines of
    "tag:<t>:..." sections carry tag t, every other section none. The sentence-level view of the
    same hand-written material the messages are composed from (group "m<g>" as the messages)."""
    pools = read_pools(POOLS)
    groups = [HELD_OUT_GROUP] if split == "holdout" else [g for g in range(GROUPS) if g != HELD_OUT_GROUP]
    rng = random.Random(SEEDS[split] + 2)
    rows = []
    for g in groups:
        part = group_pools(pools, g)
        for name, lines in part.items():
            if name in SLOT_POOLS:
                continue
            labels = [name.split(":")[1]] if name.startswith("tag:") else []
            for line in lines:
                rows.append({"text": fill(line, part, rng), "labels": labels, "group": f"m{g}"})
    return rows


def handwritten(split: str) -> list[dict]:
    if not HANDWRITTEN.exists():
        return []
    rows = []
    for line in HANDWRITTEN.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["split"] == split:
                group = "h-holdout" if split == "holdout" else f"h{len(rows) % 4}"
                rows.append({"text": row["text"], "labels": row["labels"], "group": group})
    return rows


def build(split: str) -> list[dict]:
    rows = generate(split) + handwritten(split)
    random.Random(SEEDS[split] + 1).shuffle(rows)
    return rows


def write(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    train, holdout = build("train"), build("holdout")
    assert not {r["text"] for r in train} & {r["text"] for r in holdout}
    write(train, TRAIN_FILE)
    write(holdout, HOLDOUT_FILE)
    for name, rows in (("train", train), ("holdout", holdout)):
        counts = {t: sum(t in r["labels"] for r in rows) for t in TAGS}
        none = sum(not r["labels"] for r in rows)
        mean = sum(len(r["text"]) for r in rows) / len(rows)
        print(f"{name}: {len(rows)} rows, {counts}, none {none} ({none / len(rows):.0%}), "
              f"mean {mean:.0f} chars")


if __name__ == "__main__":
    main()
