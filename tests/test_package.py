"""The package's namespace: names loaded on first use (PEP 562), as the eager one had them."""
from __future__ import annotations

import subprocess
import sys

import pytest

import analysis


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_importing_the_package_loads_neither_pandas_nor_matplotlib():
    # `python -m analysis.output.runner` imports the package: its kernels, not it, need those.
    code = ("import sys, analysis, analysis.output.runner\n"
            "print([m for m in ('pandas', 'matplotlib', 'jieba', 'papermill') if m in sys.modules])")
    assert run(code) == "[]\n"


def test_every_exported_name_resolves_and_preload_loads_them_all():
    code = ("import sys, analysis\nanalysis.preload()\n"
            "print(all(hasattr(analysis, n) for n in analysis.__all__), 'analysis.output.plots' in sys.modules)")
    assert run(code) == "True True\n"
    assert set(analysis.__all__) <= set(dir(analysis))


@pytest.mark.parametrize("name", ["outline", "campaigns", "formulas", "reference", "reuse"])
def test_a_name_shared_with_its_module_is_the_function_whichever_loads_first(name):
    # Loading the module by its former path (analysis.outline) binds it on the package; the
    # package keeps the function instead. analysis.reuse is also the subpackage reuse/.
    code = (f"import importlib, analysis\nmodule = importlib.import_module('analysis.{name}')\n"
            f"print(analysis.{name} is getattr(module, '{name}'), callable(analysis.{name}))")
    assert run(code) == "True True\n"


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'analysis' has no attribute 'lod_corpus'"):
        analysis.lod_corpus  # noqa: B018
