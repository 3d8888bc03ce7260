import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from analytics.selectors import indicators


def run(*args):
    out = StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_json_is_the_service_dict(stats):
    assert json.loads(run("--region", "330482", "--year", "2022", "--format", "json")) == (
        indicators("330482", 2022)
    )


def test_table(stats):
    out = run("--region", "330482", "--year", "2022", "--format", "table")
    assert out.startswith("平湖市 (330482) · 2022")
    assert "800,000.00" in out  # min total income, in yuan
    assert "4,000,000.00" in out
    assert f"{indicators('330482', 2022)['gini']:.4f}" in out
    assert "广陈镇" in out
    assert "林埭镇" in out


@pytest.mark.parametrize(("region", "year"), [("330499", "2022"), ("330482", "2015")])
def test_errors(stats, region, year):
    with pytest.raises(CommandError):
        run("--region", region, "--year", year)
