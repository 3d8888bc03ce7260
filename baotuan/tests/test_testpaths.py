"""Every folder with tests is collected by `make test` (pytest's testpaths)."""

import tomllib

from django.conf import settings


def test_every_tests_folder_is_in_testpaths():
    root = settings.BASE_DIR
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    testpaths = set(config["tool"]["pytest"]["ini_options"]["testpaths"])
    # root/<app>/tests/ for each app, and the project-wide root/tests/
    with_tests = {path.parent.parent.name for path in root.glob("*/tests/__init__.py")}
    with_tests |= {"tests"} if (root / "tests" / "__init__.py").exists() else set()
    assert {"registry", "projects", "tests"} <= with_tests
    missing = sorted(with_tests - testpaths)
    assert not missing, f"not collected by pytest: {missing}"
