"""Shell completion (argcomplete): the shell's request is answered with `nmrx` subcommands."""

import subprocess

from tests.agent.cli.conftest import NMRX


def complete(line: str, tmp_path) -> list[str]:
    answer = tmp_path / "completions"
    env = {"_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\n", "COMP_LINE": line,
           "COMP_POINT": str(len(line)), "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run([str(NMRX)], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return answer.read_text().split("\n")


def test_completion_returns_subcommands(tmp_path):
    words = complete("nmrx d", tmp_path)
    assert {"deposit", "deploy", "deliver", "dispute"} <= {w.strip() for w in words}
    words = complete("nmrx withdraw 1 --ex", tmp_path)
    assert [w.strip() for w in words] == ["--express"]


def test_completion_script(tmp_path):
    result = subprocess.run([str(NMRX), "completion", "bash"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    assert "complete " in result.stdout and "nmrx" in result.stdout
