"""zh / en strings. Each area keeps its table in kam_core/locales/<area>.py as
STRINGS = {key: (中文, English)}; this module merges them and formats on lookup."""
from __future__ import annotations

import importlib
import pkgutil

from kam_core import locales

LANGS = ("zh", "en")


def _load() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for info in pkgutil.iter_modules(locales.__path__):
        module = importlib.import_module(f"kam_core.locales.{info.name}")
        for key, pair in module.STRINGS.items():
            if key in merged:
                raise KeyError(f"i18n key defined twice: {key} ({info.name})")
            merged[key] = pair
    return merged


STRINGS = _load()


def t(key: str, lang: str = "zh", **kwargs) -> str:
    """The string for key in lang, formatted with kwargs; the key itself when unknown (tests catch it)."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**kwargs) if kwargs else text


def translate_text(text: str, source: str, target: str) -> str:
    """A whole string of one language in the other, when it is one of the tables' strings (a tab
    label, an option shown as text); anything else as it is."""
    index = LANGS.index(source)
    for pair in STRINGS.values():
        if pair[index] == text:
            return pair[LANGS.index(target)]
    return text


def has(key: str) -> bool:
    return key in STRINGS


def scope_label(scope, lang: str = "zh") -> str:
    """A chain scope as the reader says it: 全国连锁 / 区域连锁 / 单城 translated, other values as
    written, none as —."""
    if scope is None or scope != scope or str(scope).strip() == "":     # scope != scope: NaN
        return "—"
    parts = [part.strip() for part in str(scope).split(" / ")]          # a group's members: 全国连锁 / 单城
    return " / ".join(t(f"scope.{part}", lang) if has(f"scope.{part}") else part for part in parts)


def lang_from_locale(locale: str | None) -> str:
    """Browser language to ours: Chinese browsers get 中文, others English; unknown defaults to 中文."""
    if not locale:
        return "zh"
    return "zh" if locale.lower().startswith("zh") else "en"
