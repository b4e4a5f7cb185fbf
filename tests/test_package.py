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


@pytest.mark.parametrize("old, new", [("cleaning", "text.cleaning"), ("pipeline", "corpus.pipeline"),
                                      ("trends", "measures.trends"), ("runner", "output.runner")])
def test_a_module_of_the_flat_layout_still_imports_with_a_deprecation_warning(old, new):
    code = ("import importlib, warnings\nwarnings.simplefilter('error', DeprecationWarning)\n"
            f"try:\n    importlib.import_module('analysis.{old}')\nexcept DeprecationWarning as w:\n    print(w)\n"
            "warnings.simplefilter('ignore')\n"
            f"print(importlib.import_module('analysis.{old}') is importlib.import_module('analysis.{new}'))")
    said, same = run(code).splitlines()
    assert said.startswith(f"analysis.{old} is now analysis.{new}") and same == "True"


def test_python_m_with_the_former_runner_path_still_runs():
    out = subprocess.run([sys.executable, "-m", "analysis.runner", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("usage: python -m analysis.output.runner")
