"""The one exception an import raises for unusable input.

It carries a code and its arguments, never a sentence: the page and the command
line render it in the user's language (i18n keys "refused.<code>").
"""
from __future__ import annotations


class ImportRefused(Exception):
    def __init__(self, code: str, **args):
        super().__init__(code, args)
        self.code = code
        self.args_ = args

    def message(self, lang: str = "en") -> str:
        """The sentence in lang. Arguments named *_key hold an i18n key, *_keys a list of them
        (a reason, role names): they are rendered in the same language as the sentence."""
        from kam_core.i18n import t

        args = dict(self.args_)
        for name, value in self.args_.items():
            if name.endswith("_key"):
                args[name[: -len("_key")]] = t(value, lang)
            elif name.endswith("_keys"):
                args[name[: -len("_keys")]] = ("、" if lang == "zh" else ", ").join(t(v, lang) for v in value)
        return t(f"refused.{self.code}", lang, **args)
