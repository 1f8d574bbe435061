"""The README's Python example runs as written (like tests/examples.rs runs
its `domopt ...` lines), in a fresh folder that links the repository's
datasets/."""

from __future__ import annotations

import contextlib
import io
import os
import re

from conftest import DATASETS, ROOT


def readme_python() -> str:
    """The first ```python block of the README's "Python" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Python\n", 1)
    assert len(section) == 2, "README.md has no '## Python' section"
    block = re.search(r"^```python\n(.*?)^```$", section[1], re.S | re.M)
    assert block, "the Python section has no ```python block"
    return block.group(1)


def test_the_readme_python_example_runs(tmp_path, monkeypatch) -> None:
    (tmp_path / "datasets").symlink_to(DATASETS)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(readme_python(), "README.md (Python)", "exec"), {"__name__": "readme"})
    out = printed.getvalue()
    # The example ends by catching an error and printing its code.
    assert "E120" in out, out
    assert os.listdir(tmp_path)
