"""Write the agent API's OpenAPI spec to docs/openapi.json (`--check`: exit 1 if it is stale).

    python scripts/openapi.py          # regenerate after changing a route
    python scripts/openapi.py --check  # what the test runs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SPEC = ROOT / "docs" / "openapi.json"


def render() -> str:
    from agent.api.main import create_app

    # The spec depends on the routes only, not on a running service.
    spec = create_app(None).openapi()  # type: ignore[arg-type]
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not SPEC.exists() or SPEC.read_text() != text:
            print(f"{SPEC.relative_to(ROOT)} is stale; "
                  "run `python scripts/openapi.py` and commit it", file=sys.stderr)
            return 1
        print(f"{SPEC.relative_to(ROOT)} is up to date")
        return 0
    SPEC.write_text(text)
    print(f"wrote {SPEC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
