"""Every service fails closed: each public function of every domain app's services takes an
explicit `actor` (keyword-only, no default) and refuses a missing one before it reads or
writes anything — a caller that forgets the actor gets nothing, never full rights.

The functions are found, not listed, so a service added later is checked too.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.apps import apps

from core.errors import NotAllowed

# The apps whose services act for someone (audit's services write the log of what
# others do and read the actor from the change context; they take none themselves).
DOMAIN_APPS = [
    "accounts",
    "registry",
    "ledger",
    "ventures",
    "alliances",
    "projects",
    "grids",
    "points",
    "tourism",
    "analytics",
]


def _service_modules():
    for app in DOMAIN_APPS:
        module = importlib.import_module(f"{app}.services")
        yield module
        if hasattr(module, "__path__"):  # a package: services/registers.py, …
            for info in pkgutil.iter_modules(module.__path__):
                yield importlib.import_module(f"{module.__name__}.{info.name}")


def _public_services():
    seen = {}
    for module in _service_modules():
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            app = module.__name__.split(".")[0]
            if not function.__module__.startswith(f"{app}.services"):
                continue  # imported from elsewhere (a selector, a lib function)
            seen[f"{function.__module__}.{function.__qualname__}"] = function
    return sorted(seen.items())


SERVICES = _public_services()


def test_services_were_found():
    # A refactoring that hid every service from this test must not make it pass vacuously.
    assert len(SERVICES) >= 30, [name for name, _ in SERVICES]


@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[name for name, _ in SERVICES])
def test_the_actor_is_explicit(name, function):
    parameter = inspect.signature(function).parameters.get("actor")
    assert parameter is not None, f"{name} takes no actor"
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: actor is not keyword-only"
    assert parameter.default is inspect.Parameter.empty, f"{name}: actor has a default"


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
    }


@pytest.mark.parametrize(("name", "function"), SERVICES, ids=[name for name, _ in SERVICES])
def test_a_missing_actor_is_refused_and_nothing_changes(name, function, tree, admin):
    arguments, keywords = [], {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.name == "actor":
            keywords["actor"] = None
        elif parameter.default is not inspect.Parameter.empty:
            continue
        elif parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[parameter.name] = None
        elif parameter.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            arguments.append(None)
    before = _row_counts()
    with pytest.raises(NotAllowed):
        function(*arguments, **keywords)
    assert _row_counts() == before
