"""The package is what users install: the built wheel works from an empty folder (SPEC §8.10).

The wheel is built from the working tree and installed with its dependencies from the package
index into a fresh virtual environment that sees nothing of the checkout or of the project's
own environment. Only when pip cannot reach any index are those tests skipped, and say so.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"pipeline", "jobs", "mentorflow_templates"}
LANGUAGES = ("nl", "en", "nb")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_dependencies() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        normalized(re.split(r"[\s<>=!~;\[(]", req, maxsplit=1)[0])
        for req in project["dependencies"]
    }


def imported_modules(folders: Iterable[Path]) -> dict[str, str]:
    """Every absolute import of a package outside the standard library -> the file doing it."""
    found: dict[str, str] = {}
    for path in sorted(p for folder in folders for p in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(name, str(path.relative_to(ROOT)))
    return found


@cache
def providers() -> Mapping[str, list[str]]:
    return packages_distributions()


def owners(module: str) -> set[str]:
    """The distributions that provide a module, as far as the installed ones tell."""
    top = module.partition(".")[0]
    names = set(providers().get(top, ()))
    if len(names) > 1:  # a namespace several distributions share (google): who holds this part
        prefix = "/".join(module.split(".")[:2])
        names = {
            name
            for name in names
            if any(
                str(f).startswith((f"{prefix}/", f"{prefix}."))
                for f in distribution(name).files or ()
            )
        }
    return {normalized(name) for name in names}


def undeclared(modules: dict[str, str], declared: set[str]) -> dict[str, str]:
    """module -> where it is imported and what would provide it, for each not declared."""
    return {
        module: f"{where} (provided by: {', '.join(sorted(owners(module))) or 'nothing installed'})"
        for module, where in modules.items()
        if not owners(module) & declared
    }


def test_every_imported_package_is_a_declared_dependency() -> None:
    modules = imported_modules([ROOT / "pipeline", ROOT / "jobs"])
    assert {"numpy", "requests", "jinja2", "openpyxl"} <= {m.partition(".")[0] for m in modules}
    assert undeclared(modules, declared_dependencies()) == {}


def test_the_dependency_check_notices_a_missing_declaration() -> None:
    modules = imported_modules([ROOT / "pipeline", ROOT / "jobs"])
    missing = undeclared(modules, declared_dependencies() - {"numpy", "google-auth"})
    assert "numpy" in missing and "google.auth.transport.requests" in missing
    assert "gspread" not in missing  # a declared one is not reported


# standard library modules that Windows lacks
POSIX_ONLY = {"fcntl", "resource", "termios", "tty", "pty", "pwd", "grp", "posix", "syslog"}


def test_the_package_imports_nothing_that_windows_lacks() -> None:
    """The same package runs on Linux, macOS and Windows: a run lock through portalocker,
    not fcntl."""
    imported = {
        (alias.name if isinstance(node, ast.Import) else node.module or "").partition(".")[0]: path
        for folder in (ROOT / "pipeline", ROOT / "jobs")
        for path in folder.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert {name: imported[name] for name in POSIX_ONLY & set(imported)} == {}


# --- the built wheel, installed in a fresh environment ---------------------------------------


def pip(*args: str, python: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The project environment's pip (for another interpreter when `python` is given)."""
    target = ("--python", str(python)) if python else ()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [sys.executable, "-m", "pip", *target, *args, "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def checked(done: subprocess.CompletedProcess[str], what: str, scratch: Path) -> None:
    """A failing pip step fails the test, unless pip cannot reach a package index at all."""
    if done.returncode == 0:
        return
    probe = pip("download", "--no-deps", "--dest", str(scratch / "probe"), "setuptools>=68")
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no answer"])[-1]
        pytest.skip(f"pip cannot reach a package index, and {what} needs one: {last}")
    pytest.fail(f"{what} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def working_tree(dest: Path) -> Path:
    """The project's files as git sees them (committed or not, ignored ones left out)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # a file deleted but not yet committed is listed too
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    source = working_tree(base / "source")
    done = pip("wheel", "--no-deps", "--wheel-dir", str(base / "dist"), str(source))
    checked(done, "building the wheel", base)
    (built,) = (base / "dist").glob("mentorflow-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh virtual environment holding the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    programs = venv / ("Scripts" if sys.platform == "win32" else "bin")  # python.exe on Windows
    python = Path(shutil.which("python", path=str(programs)) or programs / "python")
    # No byte-compiling: it is most of the install's time, and Python compiles what it runs.
    done = pip("install", "--no-compile", str(wheel), python=python)
    checked(done, "installing the wheel", venv)
    return programs


def run_installed(bin_dir: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """A command of the installed package, from `cwd`, in an environment without the checkout."""
    program = shutil.which(argv[0], path=str(bin_dir)) or str(bin_dir / argv[0])  # X.exe too
    home = {"HOME": str(cwd), "USERPROFILE": str(cwd)}  # USERPROFILE: the home on Windows
    windows = {k: v for k, v in os.environ.items() if k == "SYSTEMROOT"}  # Python needs it there
    return subprocess.run(
        [program, *argv[1:]],
        cwd=cwd,
        env={"PATH": os.pathsep.join([str(bin_dir), "/usr/bin", "/bin"]), **home, **windows},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_wheel_holds_every_template_and_empty_workbook(wheel: Path) -> None:
    in_repository = {
        path.relative_to(ROOT / "templates").as_posix()
        for folder in ("email", "workbook")
        for path in (ROOT / "templates" / folder).rglob("*")
        if path.is_file()
    }
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name.removeprefix("mentorflow_templates/")
            for name in archive.namelist()
            if name.startswith("mentorflow_templates/") and not name.endswith("__init__.py")
        }
    assert shipped == in_repository
    for lang in LANGUAGES:
        assert {f"email/{lang}/welcome.subject", f"workbook/programme-{lang}.xlsx"} <= shipped


def test_the_installed_demo_runs_in_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    where = run_installed(
        installed, tmp_path, "python", "-c", "import pipeline; print(pipeline.__file__)"
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), "not the installed package"
    done = run_installed(installed, tmp_path, "mentorflow", "demo")
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert (tmp_path / "demo" / "programme.xlsx").is_file()
    assert list((tmp_path / "demo" / "outbox").glob("*.eml"))


def test_the_installed_init_and_nightly_module_run(installed: Path, tmp_path: Path) -> None:
    done = run_installed(installed, tmp_path, "mentorflow", "init", "x.xlsx", "--lang", "nb")
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
    assert (tmp_path / "x.xlsx").is_file()
    done = run_installed(
        installed, tmp_path, "python", "-m", "jobs.nightly", "--workbook", "x.xlsx"
    )
    assert (done.returncode, done.stderr) == (0, ""), done.stdout
