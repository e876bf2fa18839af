"""`make test` on a fresh machine: scripts/test-deps.sh decides what to install.

The script runs for real, with PATH holding only fakes of what it asks the system: `dpkg-query`
answers from a list of installed packages, `apt-get` records its calls and "installs" (adds
to that list, creates the programs), `id` says who we are. So every decision is checked
without touching this machine's packages.
"""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "test-deps.sh"
BASH = "/bin/bash"

BROWSER = ["chromium", "fontconfig", "fonts-dejavu-core", "fonts-liberation", "fonts-wqy-microhei"]
EVERYTHING = [*BROWSER, "default-jre-headless", "redis-server", "postgresql"]

FAKES = {
    "dpkg-query": """
        package=${@: -1}
        while read -r installed; do
            [[ $installed == "$package" ]] && { printf 'ii '; exit 0; }
        done <"$STATE/installed"
        echo "dpkg-query: no packages found matching $package" >&2
        exit 1
    """,
    "apt-get": """
        echo "apt-get $*" >>"$STATE/apt.log"
        [[ $1 == install ]] || exit 0
        for package in "$@"; do
            case $package in
                -*|install) continue ;;
                default-jre-headless) fake java ;;
                redis-server) fake redis-server ;;
                postgresql) mkdir -p "$POSTGRES_LIB/15/bin"; touch "$POSTGRES_LIB/15/bin/initdb" ;;
            esac
            echo "$package" >>"$STATE/installed"
        done
    """,
    "id": 'echo "$FAKE_UID"',
    "python3": '[[ -f "$STATE/venv-works" ]]',
}


class Machine:
    """A fake Debian machine: installed packages, programs on PATH, the apt-get calls made."""

    def __init__(self, tmp_path: Path, *, root=True, installed=(), programs=(), venv=True):
        self.state = tmp_path / "state"
        self.bin = tmp_path / "bin"
        self.postgres_lib = tmp_path / "usr-lib-postgresql"
        self.workdir = tmp_path / "checkout"
        for folder in (self.state, self.bin, self.workdir):
            folder.mkdir()
        (self.state / "installed").write_text("".join(f"{p}\n" for p in installed))
        if venv:
            (self.state / "venv-works").touch()
        if "postgresql" in installed:
            (self.postgres_lib / "15" / "bin").mkdir(parents=True)
            (self.postgres_lib / "15" / "bin" / "initdb").touch()
        for name, body in FAKES.items():
            self._write(name, body)
        self._write("fake", 'printf "#!%s\\n" /bin/true >"$FAKE_BIN/$1"; chmod +x "$FAKE_BIN/$1"')
        for program in programs:
            subprocess.run([str(self.bin / "fake"), program], env=self.env(), check=True)
        self.uid = "0" if root else "1000"

    def _write(self, name, body):
        path = self.bin / name
        # The fakes may use the real tools; the script itself sees only the fakes.
        path.write_text(f"#!{BASH}\nPATH=$FAKE_BIN:/usr/bin:/bin\n{body}\n")
        path.chmod(0o755)

    def env(self, **extra) -> dict:
        return {
            "PATH": str(self.bin),
            "STATE": str(self.state),
            "FAKE_BIN": str(self.bin),
            "FAKE_UID": getattr(self, "uid", "0"),
            "POSTGRES_LIB": str(self.postgres_lib),
            **extra,
        }

    def run_script(self, **env) -> subprocess.CompletedProcess:
        return subprocess.run(
            [BASH, str(SCRIPT)],
            cwd=self.workdir,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=30,
        )

    @property
    def apt_calls(self) -> list[str]:
        log = self.state / "apt.log"
        return log.read_text().splitlines() if log.exists() else []


def everything_installed(tmp_path, **kwargs) -> Machine:
    return Machine(
        tmp_path,
        installed=[*BROWSER, "postgresql"],
        programs=["java", "redis-server"],
        **kwargs,
    )


def test_nothing_missing_installs_nothing_and_says_nothing(tmp_path):
    machine = everything_installed(tmp_path)

    result = machine.run_script()

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert machine.apt_calls == []


def test_a_fresh_machine_gets_everything_from_one_update_and_one_install(tmp_path):
    machine = Machine(tmp_path)

    first = machine.run_script()
    second = machine.run_script()

    assert first.returncode == 0, first.stderr
    assert machine.apt_calls == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends " + " ".join(EVERYTHING),
    ]
    assert f"make test: installing {' '.join(EVERYTHING)}" in first.stderr
    assert (second.returncode, second.stderr) == (0, "")  # now quiet: all there


def test_postgresql_is_left_alone_when_the_caller_gives_a_database(tmp_path):
    machine = Machine(tmp_path, installed=BROWSER, programs=["java", "redis-server"])

    result = machine.run_script(DATABASE_URL="postgres://shop:shop@db.example:5432/shop")

    assert (result.returncode, result.stderr) == (0, "")
    assert machine.apt_calls == []


def test_only_what_is_missing_is_installed(tmp_path):
    machine = Machine(
        tmp_path,
        installed=["chromium", "fontconfig", "fonts-dejavu-core", "postgresql"],
        programs=["java"],
    )

    result = machine.run_script()

    assert result.returncode == 0, result.stderr
    assert machine.apt_calls[-1] == (
        "apt-get install -y -qq --no-install-recommends "
        "fonts-liberation fonts-wqy-microhei redis-server"
    )


def test_an_update_already_made_is_not_repeated(tmp_path):
    machine = Machine(tmp_path, installed=[*BROWSER, "postgresql"], programs=["java"])

    machine.run_script(APT_UPDATED="1")

    assert machine.apt_calls == ["apt-get install -y -qq --no-install-recommends redis-server"]


def test_without_root_it_stops_naming_the_packages_and_installs_nothing(tmp_path):
    machine = Machine(tmp_path, root=False, installed=[*BROWSER, "postgresql"])

    result = machine.run_script()

    assert result.returncode == 1
    assert "apt-get install --no-install-recommends default-jre-headless redis-server" in (
        result.stderr
    )
    assert machine.apt_calls == []


def test_python_venv_support_is_installed_only_while_there_is_no_virtualenv(tmp_path):
    machine = everything_installed(tmp_path, venv=False)

    machine.run_script()
    (machine.workdir / ".venv" / "bin").mkdir(parents=True)
    (machine.workdir / ".venv" / "bin" / "python").symlink_to("/bin/true")
    machine.run_script()

    assert machine.apt_calls == [
        "apt-get update -qq",
        "apt-get install -y -qq --no-install-recommends python3-venv",
    ]


def test_elsewhere_than_debian_it_says_what_the_tests_need_and_goes_on(tmp_path):
    machine = Machine(tmp_path)
    (machine.bin / "dpkg-query").unlink()

    result = machine.run_script()

    assert result.returncode == 0 and machine.apt_calls == []
    assert "not Debian" in result.stderr and "/usr/bin/chromium" in result.stderr


@pytest.mark.parametrize("package", ["default-jre-headless", "chromium"])
def test_a_package_that_installs_nothing_usable_is_an_error(tmp_path, package):
    machine = Machine(tmp_path, installed=[p for p in BROWSER if p != package] + ["postgresql"])
    # This apt-get succeeds but leaves the package missing.
    (machine.bin / "apt-get").write_text(f'#!{BASH}\necho "apt-get $*" >>"$STATE/apt.log"\n')
    if package != "default-jre-headless":
        subprocess.run([str(machine.bin / "fake"), "java"], env=machine.env(), check=True)
    subprocess.run([str(machine.bin / "fake"), "redis-server"], env=machine.env(), check=True)

    result = machine.run_script()

    assert result.returncode == 1
    expected = (
        "no java after install" if package == "default-jre-headless" else "chromium did not install"
    )
    assert expected in result.stderr


def test_the_real_script_is_quiet_on_this_machine_when_everything_is_there():
    """On a machine prepared for the suite (CI, after a first `make test`) nothing is missing."""
    result = subprocess.run(
        [BASH, str(SCRIPT)],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")


# --- scripts/test.sh: the phases, and the PostgreSQL it starts -------------------------------

RUNNER = ROOT / "scripts" / "test.sh"
FAKE_PYTEST = f"""#!{BASH}
echo "pytest $* | DATABASE_URL=${{DATABASE_URL-<unset>}}" >>"$STATE/calls"
[[ " $* " == *" -m $FAIL_MARK "* ]] && exit 1
[[ " $* " == *" -m $EMPTY_MARK "* ]] && exit 5
exit 0
"""
FAKE_PYTHON = f"""#!{BASH}
echo "python $* | DATABASE_URL=${{DATABASE_URL-<unset>}}" >>"$STATE/calls"
"""
FAKE_POSTGRES = f"""#!{BASH}
echo "postgres.sh $1" >>"$STATE/calls"
case $1 in
    status) [[ -f "$STATE/running" ]] ;;
    start) touch "$STATE/running"; echo postgres://shop:shop@127.0.0.1:5433/shop ;;
    stop) rm -f "$STATE/running" ;;
esac
"""


def run_phases(tmp_path, *args, running=False, **env):
    state = tmp_path / "state"
    state.mkdir(exist_ok=True)
    fakes = (("pytest", FAKE_PYTEST), ("python", FAKE_PYTHON), ("postgres.sh", FAKE_POSTGRES))
    for name, body in fakes:
        (tmp_path / name).write_text(body)
        (tmp_path / name).chmod(0o755)
    if running:
        (state / "running").touch()
    environment = {
        "PATH": os.environ["PATH"],
        "STATE": str(state),
        "PYTEST": str(tmp_path / "pytest"),  # and the python beside it
        "POSTGRES_SH": str(tmp_path / "postgres.sh"),
        "TEST_WORKERS": "2",
        "FAIL_MARK": "nothing",
        "EMPTY_MARK": "nothing",
        **env,
    }
    result = subprocess.run(
        [BASH, str(RUNNER), *args], env=environment, capture_output=True, text=True, timeout=30
    )
    return result, (state / "calls").read_text().splitlines()


PG = "DATABASE_URL=postgres://shop:shop@127.0.0.1:5433/shop"


def test_without_a_database_the_run_starts_postgresql_runs_three_phases_and_stops_it(tmp_path):
    result, calls = run_phases(tmp_path, "-x")

    assert result.returncode == 0, result.stdout + result.stderr
    # SQLite's template is made in the background while PostgreSQL's phases run.
    calls.remove("python -m tests.databases --create-db | DATABASE_URL=<unset>")
    assert calls == [
        "postgres.sh status",
        "postgres.sh start",
        f"pytest -m not serial -n 2 --dist loadfile -x | {PG}",
        f"pytest -m serial -x | {PG}",
        "pytest -m sqlite --create-db -x | DATABASE_URL=<unset>",
        "postgres.sh stop",
    ]


def test_a_postgresql_already_running_is_left_running(tmp_path):
    _, calls = run_phases(tmp_path, running=True)

    assert calls[:2] == ["postgres.sh status", "postgres.sh start"]
    assert "postgres.sh stop" not in calls


def test_the_callers_database_is_used_and_no_server_is_started(tmp_path):
    url = "postgres://ci:ci@127.0.0.1:6000/ci"

    _, calls = run_phases(tmp_path, DATABASE_URL=url)

    assert [c for c in calls if c.startswith("postgres.sh")] == []
    assert [c.split(" | ")[1] for c in calls if c.startswith("pytest")] == [
        f"DATABASE_URL={url}"
    ] * 2 + ["DATABASE_URL=<unset>"]


def test_a_failed_phase_fails_the_run_but_the_others_still_run(tmp_path):
    result, calls = run_phases(tmp_path, FAIL_MARK="serial", EMPTY_MARK="sqlite")

    assert result.returncode == 1
    assert sum(c.startswith("pytest") for c in calls) == 3 and calls[-1] == "postgres.sh stop"
    summary = result.stdout.split("==> summary")[1]
    assert "PostgreSQL, serial" in summary and "FAILED (1)" in summary
    assert summary.count(" ok") == 2  # no test selected is no failure
