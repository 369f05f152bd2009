"""The language of what a person reads: message catalogs, one per language.

Every fixed text of the report, the notebooks and the workbook is a key in
``ccua/locales/<lang>.yaml`` (nested mappings; a key is the dotted path, ``report.toc``).
Texts are ``str.format`` templates with named fields (``{total}``). Both catalogs must have
the same keys and the same fields in each text (tests/test_i18n.py); a missing key raises at
once, never falls back to the other language.

Names come from the framework data (``name`` / ``name_en``), numbers, units and dates from
:mod:`ccua.fmt`. ``zh`` is the default: a run without ``lang`` prints as before.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import PurePath
from typing import Any

import yaml

from ccua.errors import CcuaError

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"


def check_lang(lang: str | None) -> str:
    """``lang`` as one of LANGS (``None`` is the default); a clear error otherwise."""
    if lang is None or lang == "":
        return DEFAULT_LANG
    value = str(lang).strip().lower()
    aliases = {"zh-cn": "zh", "zh_cn": "zh", "cn": "zh", "en-gb": "en", "en-us": "en"}
    value = aliases.get(value, value)
    if value not in LANGS:
        raise CcuaError(f"unknown language {lang!r}: expected one of {', '.join(LANGS)}")
    return value


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in tree.items():
        if not isinstance(key, str):  # YAML reads a bare no/yes/on as a boolean
            raise CcuaError(f"catalog key {prefix}{key!r} is not text: quote it")
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, path + "."))
        else:
            out[path] = "" if value is None else str(value)
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    """The catalog of one language, flattened to dotted keys."""
    lang = check_lang(lang)
    text = resources.files("ccua").joinpath("locales", f"{lang}.yaml").read_text("utf-8")
    # libyaml's loader when present: the pure-Python one takes ~45 ms for a catalog, as long
    # as a whole `ccua score` should (docs/speed.md, goal 2).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _flatten(yaml.load(text, Loader=loader) or {})


def fields(template: str) -> set[str]:
    """The named fields of a catalog text (``{total}`` -> {"total"})."""
    return {
        name.split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }


def t(lang: str, key: str, **values: Any) -> str:
    """The text of ``key`` in ``lang``, its fields filled from ``values``."""
    texts = catalog(lang)
    try:
        template = texts[key]
    except KeyError:
        raise CcuaError(
            f"message {key!r} is missing from the {lang} catalog (ccua/locales/{lang}.yaml)"
        ) from None
    return template.format(**values) if values or "{" in template else template


class Tr:
    """Texts of one language: ``tr("key", total="85.56")``; names of framework things."""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = check_lang(lang)

    def __call__(self, key: str, **values: Any) -> str:
        return t(self.lang, key, **values)

    def __repr__(self) -> str:
        return f"Tr({self.lang!r})"

    @property
    def en(self) -> bool:
        return self.lang == "en"

    def get(self, key: str, default: str) -> str:
        """A text when the catalog has it (codes from data, e.g. a rating source), else default."""
        return catalog(self.lang).get(key, default)

    def name(self, thing: Any, fallback: str = "") -> str:
        """A framework thing's name in this language: ``name_en`` in English when it has one."""
        if thing is None:
            return fallback
        get = _getter(thing)
        if self.en and get("name_en"):
            return str(get("name_en"))
        return str(get("name") or fallback)

    def level(self, levels: Any, which: str, plural: bool = False) -> str:
        """A level's word (能力域 / domain); English plurals from the data when asked.
        ``levels``: a framework's ``levels`` or their dict form."""
        get = _getter(levels[which] if isinstance(levels, Mapping) else getattr(levels, which))
        if self.en:
            return str((get("en_plural") if plural else None) or get("en") or "")
        return str(get("zh"))

    def join(self, parts: Any) -> str:
        """An enumeration: 甲、乙 / a, b."""
        return self("punct.list_sep").join(str(p) for p in parts)

    def output(self, name: str) -> str:
        """A file name in this language: report.html / report.en.html (see output_name)."""
        return output_name(name, self.lang)

    def paren(self, text: Any) -> str:
        """A parenthesis in this language's punctuation: （…） / (…)."""
        return self("punct.paren", text=text)


def _getter(thing: Any) -> Callable[[str], Any]:
    """Look-up of a field of a mapping or an object alike (None when it has none)."""
    return thing.get if isinstance(thing, Mapping) else lambda key: getattr(thing, key, None)


def output_name(name: str, lang: str | None) -> str:
    """An output's file name in a language: report.html (zh), report.en.html (en)."""
    lang = check_lang(lang)
    if lang == DEFAULT_LANG:
        return name
    path = PurePath(name)
    return str(path.with_name(f"{path.stem}.{lang}{path.suffix}"))
