"""Lighthouse scores of the site's main pages, as `make bench` reports them.

    python -m bench.lighthouse URL [URL …] [--cookie 'sessionid=…']

npm's `lighthouse` (the version in bench/lighthouse/package-lock.json, installed with `npm ci`
into var/node/ the first time) with Debian's Chromium (CHROME_PATH, default
/usr/bin/chromium), headless, mobile (Lighthouse's default device and throttling). Each
row: the four category scores and the bytes a first visit transfers.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_DIR = ROOT / "var" / "node"
LOCKED = ROOT / "bench" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def installed() -> Path:
    """The lighthouse command, installed from the committed lock file if it is not yet."""
    command = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
    lock = LOCKED / "package-lock.json"
    kept = NODE_DIR / "package-lock.json"
    if not command.exists() or not kept.exists() or kept.read_bytes() != lock.read_bytes():
        if not shutil.which("npm"):
            raise SystemExit("Lighthouse needs node and npm (apt install nodejs npm)")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(LOCKED / name, NODE_DIR / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True
        )
    return command


def score(url: str, cookie: str = "") -> dict:
    """One Lighthouse run: {"performance": 0–100, …, "bytes": transfer size}."""
    command = installed()
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    flags = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as folder:
        report = Path(folder) / "report.json"
        args = [
            str(command),
            url,
            "--output=json",
            f"--output-path={report}",
            f"--chrome-flags={flags}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--quiet",
        ]
        if cookie:
            args.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
        subprocess.run(
            args, check=True, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True
        )
        data = json.loads(report.read_text())
    row = {name: round((data["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}
    row["bytes"] = int(data["audits"]["total-byte-weight"]["numericValue"])
    row["failed"] = sorted(
        audit_id
        for name in CATEGORIES
        if name != "performance"
        for ref in data["categories"][name]["auditRefs"]
        if ref["weight"]
        and (audit_id := ref["id"])
        and (data["audits"][audit_id]["score"] is not None)
        and data["audits"][audit_id]["score"] < 1
    )
    return row


def table(rows: dict) -> list[str]:
    lines = [
        "| page | performance | accessibility | best practices | SEO | first visit, KiB |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in rows.items():
        lines.append(
            f"| {name} | {row['performance']} | {row['accessibility']} | "
            f"{row['best-practices']} | {row['seo']} | {row['bytes'] / 1024:.0f} |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--cookie", default="")
    args = parser.parse_args()
    rows = {}
    for url in args.urls:
        rows[url] = score(url, args.cookie)
        print(url, json.dumps(rows[url]), file=sys.stderr)
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
