"""What a command prints: human lines by default, one JSON document with `--json`, and progress
bars (stderr, terminals only) while transactions are mined."""

import json
import shutil
import sys

from tqdm import tqdm


class Output:
    def __init__(self, as_json: bool, out=None, err=None):
        self.as_json = as_json
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def progress(self, total: int, what: str) -> "Progress":
        return Progress(total, what, enabled=not self.as_json and self.err.isatty(), err=self.err)

    def result(self, data: dict, lines: list[str]) -> None:
        if self.as_json:
            self.out.write(json.dumps(data, sort_keys=True, default=str) + "\n")
        else:
            for line in lines:
                self.out.write(line + "\n")
        self.out.flush()


class Progress:
    """One bar step per transaction (or per unit of long work), named by what it does. Silent when
    stderr is not a terminal or with `--json`, so scripts and pipes get clean output."""

    def __init__(self, total: int, what: str, enabled: bool, err):
        # A terminal that reports no size (some ptys) would get a zero-width bar: assume 80.
        self.bar = tqdm(
            total=total, desc=what, file=err, disable=not enabled, leave=True, unit="step",
            ncols=shutil.get_terminal_size((80, 24)).columns,
            bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} {postfix}",
        )

    def step(self, note: str) -> None:
        self.bar.set_postfix_str(note, refresh=False)
        self.bar.update(1)

    def note(self, note: str) -> None:
        self.bar.set_postfix_str(note)

    def add(self, steps: int) -> None:
        self.bar.total += steps
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
