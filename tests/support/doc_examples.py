"""The ```python and ```sh examples of a Markdown document, run as a reader would run them."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(python|sh)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SECTION = re.compile(r"^## (.+)$", re.MULTILINE)

Example = tuple[str, str]  # (language, code)


def examples(
    document: str, section: str | None = None, *, skip: Collection[str] = ()
) -> list[Example]:
    """The examples of `document` in order: of one `section` (its ``## `` title), or of all
    sections but those in `skip`."""
    text = (ROOT / document).read_text()
    starts = [(match.start(), match[1]) for match in SECTION.finditer(text)]
    found: list[Example] = []
    for index, (start, title) in enumerate(starts):
        if (section is not None and title != section) or title in skip:
            continue
        end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
        found += [(match[1], match[2]) for match in BLOCK.finditer(text, start, end)]
    return found


def run_examples(blocks: list[Example], cwd: Path, env: dict[str, str], python: str) -> str:
    """Run each block in `cwd`: shell with bash (-euo pipefail), Python fed to ``python -``
    (as pasted into the interpreter); all must succeed. Their standard output, joined."""
    output = []
    for language, code in blocks:
        command = [python, "-"] if language == "python" else ["bash", "-euo", "pipefail"]
        result = subprocess.run(
            command,
            input=code,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, f"{language} example failed:\n{code}\n{result.stderr}"
        assert "Traceback" not in result.stderr
        output.append(result.stdout)
    return "\n".join(output)
