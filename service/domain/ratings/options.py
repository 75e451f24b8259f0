"""The versioned catalogue of content options (评价内容) per level."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class OptionCatalog:
    version: str
    levels: dict[int, dict[str, dict]]

    def codes_for(self, level: int) -> set[str]:
        return set(self.levels.get(level, {}))

    def tags_for(self, level: int, codes: list[str]) -> set[str]:
        """Weak labels for the classifier: 办理超时 ⇒ delay, 态度差 ⇒ attitude, …"""
        options = self.levels.get(level, {})
        return {options[c]["tag"] for c in codes if c in options and options[c].get("tag")}


@lru_cache(maxsize=8)
def load_catalog(path: str) -> OptionCatalog:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    levels = {
        int(level): {option["code"]: option for option in options}
        for level, options in raw["levels"].items()
    }
    return OptionCatalog(version=str(raw["version"]), levels=levels)
