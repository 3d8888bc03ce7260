"""The API does what its schema says (issue 10 item 10): schemathesis, bounded.

A live server holds a small world (the root conftest's tree, statistics, a venture with its
register and income, an alliance with a duty and its evidence, a project with an
attachment); the schemathesis command line reads the schema /api/v1/schema/ serves and sends
generated requests to every operation with an unscoped city administrator's API token (accounts.ApiToken), so that
writes get past the permission checks and reach validation, the services and the database.

Passes only with 0 server errors and 0 response violations: every status documented,
every body, header and content type as the schema declares. Bounded: a few examples per
operation (FUZZ_EXAMPLES), the examples and fuzzing phases (FUZZ_PHASES), a fixed seed
(FUZZ_SEED), a hard time limit (FUZZ_MAX_SECONDS); on failure the message lists each failing
operation and check, then schemathesis' report (each failing request with a curl line).
schemathesis is a dev dependency (pyproject.toml), installed by `make test`.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from accounts.services import issue_token
from alliances import services as alliances
from alliances.models import Alliance
from core.actors import SYSTEM
from projects import services as projects
from projects.choices import ProjectCategory
from projects.models import Project
from registry.models import VillageStat
from tests.support import D
from ventures import services as ventures
from ventures.choices import VentureKind
from ventures.models import Venture

ST = Path(sys.executable).with_name("st")
FUZZ_EXAMPLES = os.getenv("FUZZ_EXAMPLES", "4")
# A hard limit on the whole run (the run takes about 2 minutes on a 2-core machine).
FUZZ_MAX_SECONDS = int(os.getenv("FUZZ_MAX_SECONDS", "420"))
FUZZ_PHASES = os.getenv("FUZZ_PHASES", "examples,fuzzing")
FUZZ_SEED = os.getenv("FUZZ_SEED", "10")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture
def world(transactional_db, tree, enclave_company, admin):
    for n, village in enumerate(tree.values()):
        for year in (2021, 2022):
            VillageStat.objects.create(
                village=village,
                year=year,
                total_income=(80 + 10 * n) * 10_000_00,
                operating_income=40 * 10_000_00,
                recurring_income=50 * 10_000_00,
                per_capita_disposable_income=45_000_00,
            )
    venture = Venture.objects.create(
        name="飞地产业园",
        kind=VentureKind.ENCLAVE_PARK,
        organisation=enclave_company,
        started_on=D("2021-01-01"),
    )
    for village, units in zip(tree.values(), (600, 300, 100), strict=True):
        ventures.add_stake(
            venture,
            holder=f"village:{village.code}",
            units=units,
            effective_from=D("2021-01-01"),
            actor=SYSTEM,
        )
    ventures.record_income(
        venture,
        amount=100_000_000,
        received_on=D("2022-12-20"),
        actor=SYSTEM,
        period_start=D("2022-01-01"),
        period_end=D("2022-12-31"),
    )
    alliance = Alliance.objects.create(name="抱团富联盟", region_id="330482")
    village = tree["徐家埭村"]
    alliances.join(alliance, village, "core", D("2022-01-01"), actor=SYSTEM)
    duty = alliances.create_duty(alliance, "提交清单", village, D("2022-06-30"), actor=SYSTEM)
    alliances.add_evidence(duty, SimpleUploadedFile("表.pdf", b"%PDF-1.4"), "签到表", actor=SYSTEM)
    project = Project.objects.create(
        code="XJD-01",
        name="农房盘活",
        category=ProjectCategory.RURAL_REVITALISATION,
        lead_village=village,
        total_investment=300_000_000,
    )
    projects.add_attachment(
        project, SimpleUploadedFile("批复.pdf", b"%PDF-1.4"), actor=SYSTEM, kind="document"
    )
    _, secret = issue_token(admin, "schemathesis", actor=SYSTEM)
    return secret


def test_every_operation_answers_as_its_schema_says(live_server, world, tmp_path):
    # The schema /api/v1/schema/ serves, written here first: generating it takes seconds,
    # longer than schemathesis waits for a URL on a busy machine.
    schema = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--lang", "en", "--file", str(schema))
    command = [
        str(ST),
        "run",
        str(schema),
        "--url",
        live_server.url,
        "--header",
        f"Authorization: Token {world}",
        "--checks",
        CHECKS,
        "--phases",
        FUZZ_PHASES,
        "--max-examples",
        FUZZ_EXAMPLES,
        "--seed",
        FUZZ_SEED,
        "--workers",
        "1",
        "--no-shrink",
        "--generation-database",
        "none",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--no-color",
        "--warnings",
        "off",
    ]
    try:
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=FUZZ_MAX_SECONDS,
            cwd=tmp_path,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        partial = (timeout.stdout or b"").decode(errors="replace")
        pytest.fail(
            f"schemathesis ran past {FUZZ_MAX_SECONDS} s\n{summary(partial)}{partial[-4000:]}"
        )
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr)
    assert run.returncode == 0, summary(run.stdout) + run.stdout[-8000:] + run.stderr[-2000:]


def summary(report: str) -> str:
    """One line per failing operation and kind of failure, from schemathesis' report."""
    lines, operation = [], ""
    for line in report.splitlines():
        title = re.fullmatch(r"_{3,} (.+?) _{3,}", line.strip())
        if title:
            operation = title.group(1)
        elif re.match(r"\s*- ST\d+ ", line):
            lines.append(f"{operation}: {line.strip()[2:]}")
    counted = sorted(set(lines))
    return "\n".join([f"{len(counted)} failures:", *counted, ""])
