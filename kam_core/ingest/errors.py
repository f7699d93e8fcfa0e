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
        from kam_core.i18n import t

        return t(f"refused.{self.code}", lang, **self.args_)
