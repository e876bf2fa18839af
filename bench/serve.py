"""The benchmark's site, served until interrupted: the quick loop for Lighthouse work.

    python -m bench.serve [--port 8000] [--reuse]
    python -m bench.lighthouse --page home            (in another shell)

Builds the site `make bench` measures (bench/site.py: the same data, the production settings,
localstripe and the local YooKassa server) once, collects the static files and runs gunicorn
on 127.0.0.1:PORT. The Lighthouse pages, with the signed-in cookies they need, go to
var/bench-serve.json for `bench.lighthouse --page`. `--reuse` keeps the data of the last run
and only collects the static files again (after a stylesheet or script changed).
"""

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from bench.site import (
    PY,
    ROOT,
    database_url_of,
    fresh_database,
    lighthouse_pages,
    prepared_site,
    production_env,
)

PAGES = ROOT / "var" / "bench-serve.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep the last run's data")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.rush import gunicorn, localstripe, yookassa, yookassa_env

    # SIGTERM (kill PID) stops it as Ctrl-C does: its servers go with it.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    reuse = args.reuse and PAGES.exists()
    database_url = database_url_of("bench-site") if reuse else fresh_database("bench-site")
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    cache_dir = tempfile.mkdtemp(prefix="bench-cache-")
    env = production_env(database_url, static_root, cache_dir)
    manage = [PY, "manage.py"]
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if not reuse:
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        prepared = prepared_site(env)
        PAGES.write_text(json.dumps({"pages": lighthouse_pages(prepared)}, indent=1))
    try:
        with (
            open(ROOT / "var" / "bench-serve.log", "w") as log,
            localstripe() as stripe,
            yookassa(log=ROOT / "var" / "bench-yookassa.log") as checkout,
            gunicorn(
                {**env, "LOCALSTRIPE_URL": stripe, **yookassa_env(checkout)},
                workers=args.workers,
                port=args.port,
                log=log,
            ) as site,
        ):
            stored = json.loads(PAGES.read_text())
            stored["site"] = str(site)
            PAGES.write_text(json.dumps(stored, indent=1))
            print(f"serving {site} (pages in {PAGES}); Ctrl-C or SIGTERM stops", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        shutil.rmtree(static_root, ignore_errors=True)
        shutil.rmtree(cache_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
