"""Text normalisation and word segmentation with a dedicated jieba tokenizer.

The jieba instance is a lazily built per-process singleton. Saved models refer to it only through
module-level names, so pickling a pipeline never drags the dictionary along.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from itertools import compress
from pathlib import Path

import jieba
import zhconv.zhconv as _zhconv

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "userdict.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"

# jieba's HMM guesses words its dictionary lacks and costs a quarter of the cutting time; group CV
# found no difference without it (bench/nlp/precision_experiments.py "nohmm"), so models trained
# now cut without it. A model records the mode it was trained with (nlp.features.Preparer) and is
# always fed text cut that way: models saved before this default changed keep the HMM.
HMM = False

# Longer inputs are truncated: the first part of a complaint carries its gist, and segmentation
# cost is linear in length, so a 100,000-character paste must not stall a worker.
MAX_CHARS = 5000

# Control characters, zero-width/bidi marks, variation selectors, emoji and pictographs, tags.
_JUNK = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff"
    "\u2190-\u21ff\u2300-\u23ff\u2500-\u27bf\u2b00-\u2bff"
    "\U0001f000-\U0001faff\U000e0000-\U000e007f]+"
)
_SPACES = re.compile(r"\s+")
# U+FF01..U+FF5E -> U+0021..U+007E and the ideographic space, exactly as NFKC maps them.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# A token made only of punctuation, symbols or spaces carries no word-level signal.
_NOISE_TOKEN = re.compile(r"^[\W_]+$")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_stopwords: frozenset[str] | None = None
_trad_only: frozenset[str] | None = None


def _traditional_chars() -> frozenset[str]:
    """Characters that exist only in Traditional script (zhconv's own table)."""
    global _trad_only
    if _trad_only is None:
        _zhconv.loaddict()
        _trad_only = frozenset(_zhconv.zhcdicts["TRADONLY"])
    return _trad_only


def normalise(text: str | None) -> str:
    """Return a canonical form: Simplified, half-width, lower-case latin, no emoji, capped."""
    if not text:
        return ""
    text = str(text)[:MAX_CHARS]
    # Full-width ASCII ("，", "１２３", "ＯＫ") is what usually makes citizen text non-NFKC; mapping
    # it with a C-level table first lets the cheap is_normalized check skip NFKC for most texts.
    text = text.translate(_FULL_WIDTH)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = _JUNK.sub(" ", text)
    # zhconv is a pure-Python longest-match; skip it for the usual all-Simplified text.
    if not _traditional_chars().isdisjoint(text):
        text = _zhconv.convert(text, "zh-hans")
    return _SPACES.sub(" ", text).strip().lower()


def _read_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def get_tokenizer() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer with the bureau's user dictionary (built on first use)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                tok = jieba.Tokenizer()
                tok.initialize()
                tok.load_userdict(str(USER_DICT))
                _tokenizer = tok
    return _tokenizer


def stopwords() -> frozenset[str]:
    global _stopwords
    if _stopwords is None:
        _stopwords = frozenset(_read_lines(STOPWORDS_FILE))
    return _stopwords


def preload() -> None:
    """Build jieba's prefix dictionary and the lookup tables now (call before a worker forks)."""
    # jieba logs its dictionary loading at DEBUG/INFO on the root "jieba" logger; keep it quiet.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.setLogLevel(logging.WARNING)
    get_tokenizer()
    stopwords()
    _traditional_chars()
    segment("预热分词")


# token -> kept? Words repeat heavily, so one dict lookup replaces the stop-word and regex tests.
_KEEP_CACHE_MAX = 200_000


def _kept(word: str) -> bool:
    return word not in stopwords() and not word.isspace() and not _NOISE_TOKEN.match(word)


class _KeepCache(dict):
    """word -> kept?, filled on first sight of a word (bounded)."""

    def __missing__(self, word: str) -> bool:
        keep = _kept(word)
        if len(self) < _KEEP_CACHE_MAX:
            self[word] = keep
        return keep


_keep = _KeepCache()


def segment(normalised: str, hmm: bool = HMM) -> list[str]:
    """Cut already-normalised text into words, dropping stop words and punctuation."""
    if not normalised:
        return []
    words = get_tokenizer().lcut(normalised, HMM=hmm)
    # C-level filter: dict.__getitem__ (with __missing__ for new words) feeding itertools.compress.
    return list(compress(words, map(_keep.__getitem__, words)))


# Texts cut together per jieba call by `segment_many` (bounded, so one call stays small).
SEGMENT_CHUNK = 256


def segment_many(normalised: list[str], hmm: bool = HMM) -> list[list[str]]:
    """`segment` of each text, with one jieba call per SEGMENT_CHUNK texts instead of one per
    text (jieba's per-call setup is a tenth of its cost on a review-length text).

    The texts are joined by newlines. Normalised text has none (whitespace runs are one space),
    jieba cuts its blocks at every character outside [Han, latin, digits, +#&._%-] and yields a
    newline as a token of its own, so the words between two newline tokens are exactly that
    text's words. Should a chunk ever come back with another count, it is cut text by text."""
    out: list[list[str]] = []
    tok = get_tokenizer()
    for start in range(0, len(normalised), SEGMENT_CHUNK):
        chunk = normalised[start:start + SEGMENT_CHUNK]
        words = tok.lcut("\n".join(chunk), HMM=hmm)
        ends = [i for i, w in enumerate(words) if w == "\n"]
        if len(ends) != len(chunk) - 1:
            out += [segment(t, hmm) for t in chunk]
            continue
        keep = list(map(_keep.__getitem__, words))
        bounds = zip([-1, *ends], [*ends, len(words)], strict=True)
        out += [list(compress(words[a + 1:b], keep[a + 1:b])) for a, b in bounds]
    return out


def tokenize(text: str | None, hmm: bool = HMM) -> list[str]:
    """Normalise then segment: the word sequence the models see."""
    return segment(normalise(text), hmm)
