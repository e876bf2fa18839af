"""Lighthouse scores of the site's main pages, as `make bench` reports them.

    python -m bench.lighthouse URL [URL …] [--cookie 'sessionid=…']
    python -m bench.lighthouse --page home [--page …] [--details]   (against bench.serve)

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
    names = ("package.json", "package-lock.json")
    if not command.exists() or any(
        not (NODE_DIR / name).exists()
        or (NODE_DIR / name).read_bytes() != (LOCKED / name).read_bytes()
        for name in names
    ):
        if not shutil.which("npm"):
            raise SystemExit("Lighthouse needs node and npm (apt install nodejs npm)")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(LOCKED / name, NODE_DIR / name)
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_DIR, check=True
        )
    return command


def score(url: str, cookie: str = "", details: bool = False) -> dict:
    """One Lighthouse run: {"performance": 0–100, …, "bytes": transfer size}; with
    `details`, the performance metrics and what Lighthouse says costs time or bytes."""
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
        for _ in range(2):  # once more if Chromium fell over (a busy machine)
            done = subprocess.run(
                args, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True
            )
            if not done.returncode:
                break
        if done.returncode:
            raise SystemExit(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
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
    if details:
        row["details"] = _details(data)
    return row


def _details(data: dict) -> list[str]:
    """The metrics, then each performance audit below full marks with its display value."""
    audits = data["audits"]
    metrics = ("first-contentful-paint", "largest-contentful-paint", "speed-index")
    metrics += ("total-blocking-time", "cumulative-layout-shift")
    lines = [f"{name}: {audits[name]['displayValue']}" for name in metrics]
    for audit in audits.values():
        if audit["id"] in metrics or audit["score"] is None or audit["score"] >= 1:
            continue
        if audit.get("scoreDisplayMode") not in ("numeric", "binary", "metricSavings"):
            continue
        lines.append(f"  {audit['id']}: {audit.get('displayValue', '')}")
        items = (audit.get("details") or {}).get("items")
        for item in items[:6] if isinstance(items, list) else ():
            if isinstance(item, dict) and item.get("url"):
                wasted = item.get("wastedBytes") or item.get("wastedMs") or ""
                lines.append(f"      {item['url']} {wasted}")
    return lines


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
    parser.add_argument("urls", nargs="*")
    parser.add_argument("--cookie", default="")
    parser.add_argument(
        "--page", action="append", default=[], help="a page of the site bench.serve serves"
    )
    parser.add_argument("--details", action="store_true", help="metrics and opportunities")
    args = parser.parse_args()
    chosen = {url: (url, args.cookie) for url in args.urls}
    if args.page:
        served = json.loads((ROOT / "var" / "bench-serve.json").read_text())
        for name in args.page:
            path, cookie = served["pages"][name]
            chosen[name] = (served["site"] + path, cookie)
    rows = {}
    for name, (url, cookie) in chosen.items():
        rows[name] = score(url, cookie, details=args.details)
        print(name, json.dumps({k: v for k, v in rows[name].items() if k != "details"}))
        print("\n".join(rows[name].get("details", [])))
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
