"""The national-scale raw-layer generator (benchmarks/generate_raw.py), loaded for tests."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from analysis import paths


def load_generator() -> ModuleType:
    path = paths.ROOT / "benchmarks" / "generate_raw.py"
    spec = importlib.util.spec_from_file_location("generate_raw", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_raw"] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module
