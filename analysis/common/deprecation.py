"""Old spellings of a call, kept working for one release (docs/api.md, "Old spellings").

:func:`renamed_arguments` wraps a public function whose keyword was renamed (``top=`` is
now ``n=``) or whose positional arguments became keyword-only (``kwic(corpus, term, 30)``
is now ``kwic(corpus, term, window=30)``): the old call still gives the same result, with a
:class:`SpellingDeprecationWarning` (a ``DeprecationWarning``) that names the new spelling.
The decorator is written here rather than taken from a library (``deprecation``,
``typing_extensions.deprecated``, ``pandas.util._decorators.deprecate_kwarg``): those mark
a whole function, or rename one keyword, or are pandas's private API; none maps moved
positionals onto keywords.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Mapping, Sequence

RELEASE = "the next release"
"""When the old spellings stop working."""


class SpellingDeprecationWarning(DeprecationWarning):
    """An old spelling of a call of the package (a renamed keyword, an option passed by
    position): it works for one more release. A subclass, so that the tests can turn exactly
    these into errors (pyproject.toml) while a library's own deprecations stay warnings."""


def warn_spelling(message: str) -> None:
    """Warn about an old spelling, attributed to the researcher's line: the first frame
    outside the package (:func:`analysis.common.warning.warn_user`), whatever wrappers stand
    between (this decorator, the memo of :mod:`analysis.corpus.memo`). A fixed ``stacklevel``
    pointed into the package under the memo, and Python hides a ``DeprecationWarning`` whose
    line is not the caller's own: ``keyness(tokens, target=…)`` warned nothing at all."""
    from .warning import warn_user

    warn_user(f"{message}; the old spelling goes in {RELEASE}", SpellingDeprecationWarning)


def _ordinal(k: int) -> str:
    return f"{k}{'st' if k == 1 else 'nd' if k == 2 else 'rd' if k == 3 else 'th'}"


def renamed_arguments(renamed: Mapping[str, str] | None = None, moved: Sequence[str] = ()) -> Callable:
    """Keep a function's old call spellings working, with a warning naming the new one.

    ``renamed``: old keyword → new keyword (``{"top": "n"}``). ``moved``: the parameters that
    used to be positional after those that still are, in their former order, by their new
    names (``("window", "tokens")``: the former third and fourth positional arguments are now
    ``window=`` and ``tokens=``, keyword-only). Passing the same parameter under both
    spellings, or more positional arguments than the old signature took, raises
    ``TypeError`` as Python would. The wrapped function's signature is the new one
    (``inspect.signature`` follows ``__wrapped__``); ``__renamed__`` and ``__moved__`` hold the
    old spellings (docs/api.md's table is checked against them).

    >>> @renamed_arguments({"top": "n"}, moved=("n",))
    ... def head(rows, *, n=2):
    ...     return rows[:n]
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     head("abcd", top=3), head("abcd", 1), head("abcd", n=3)
    ('abc', 'a', 'abc')
    >>> [str(w.message).split(";")[0] for w in caught]
    ['head(): top= is now n=', 'head(): the 2nd positional argument is now n= (keyword only)']
    """
    renamed = dict(renamed or {})
    moved = tuple(moved)

    def wrap(fn: Callable) -> Callable:
        parameters = inspect.signature(fn).parameters
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        positional = sum(p.kind in kinds for p in parameters.values())
        unknown = [name for name in (*renamed.values(), *moved) if name not in parameters]
        if unknown:
            raise TypeError(f"{fn.__name__}: renamed_arguments names no parameter {unknown}")
        name = fn.__name__

        @functools.wraps(fn)
        def inner(*args, **kwargs):
            if len(args) > positional and moved:
                extra = args[positional:]
                if len(extra) > len(moved):
                    raise TypeError(f"{name}() takes at most {positional + len(moved)} positional arguments "
                                    f"({len(args)} given)")
                for k, (new, value) in enumerate(zip(moved, extra), start=positional + 1):
                    if new in kwargs:
                        raise TypeError(f"{name}() got multiple values for argument {new!r}")
                    warn_spelling(f"{name}(): the {_ordinal(k)} positional argument is now {new}= (keyword only)")
                    kwargs[new] = value
                args = args[:positional]
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{name}() got both {old}= (its old name) and {new}=")
                    warn_spelling(f"{name}(): {old}= is now {new}=")
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        inner.__renamed__ = renamed
        inner.__moved__ = moved
        return inner

    return wrap


def moved_names(package: str, modules: Sequence[str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for a package that was one module: a public name of one of
    its ``modules`` (tried in order) resolves at the old path, with a ``DeprecationWarning``
    naming the new one, for one release (``analysis.corpus.load_corpus`` is now
    ``analysis.corpus.load.load_corpus``)."""
    import importlib

    def __getattr__(name: str):
        for module in modules:
            found = importlib.import_module(f".{module}", package)
            if not name.startswith("_") and name in vars(found):
                warnings.warn(f"{package}.{name} is now {package}.{module}.{name}; the old path goes in {RELEASE}",
                              DeprecationWarning, stacklevel=2)
                return vars(found)[name]
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
