"""The demo projects: 徐家埭村's project table, 旧埭村's flower e-commerce park, the enclave
park and the pipe corridor as partnership projects, and the 72 金山—平湖 cooperation projects.

What the article says is kept apart from what the demo made up: names and the figures the
article gives (expected income, dates, counts) are facts; investments, plans, progress
reports and the unnamed cooperation projects are generated deterministically and marked
illustrative (示例). Idempotent: a second load changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from alliances.models import Consortium
from baotuan.demo import facts
from core.actors import SYSTEM
from lib.progress import month_end
from projects import services, sheets
from projects.models import AnnualPlan, Milestone, ProgressReport, Project, ProjectPartner
from registry.models import Organisation, Village
from ventures.models import Venture

__all__ = ["COOPERATION_FACTS", "XUJIADAI_PROJECTS", "load"]

D = date.fromisoformat
WAN = 1_000_000  # fen in 1 万元
DEMO_YEAR = 2022
REPORT_MONTHS = range(1, 10)  # January–September 2022 reported

# 徐家埭村党建引领"强村富民"项目表 (12 projects). (code, name, category, status, consortium,
# expected annual income in 万元 or None, fact note, named in the article?)
XUJIADAI_PROJECTS = [
    (
        "XJD-01",
        "保通码头",
        "industry",
        "operating",
        None,
        50,
        "文中：项目投资已经完成，预计可增加收入 50 万元。",
        True,
    ),
    (
        "XJD-02",
        "粮食全产业链",
        "agriculture",
        "planned",
        "粮食产业链共富体（示例）",
        200,
        "文中：已完成立项，预计每年可增加收入 200 万元。",
        True,
    ),
    (
        "XJD-03",
        "共富学院培训基地",
        "education",
        "construction",
        "农文旅研学共富体（示例）",
        None,
        "文中：竞技项目已取得初步进展，嘉兴职业技术学院授牌“乡村振兴实践基地”。",
        True,
    ),
    (
        "XJD-04",
        "青少年“乡村棒球”基地",
        "tourism",
        "operating",
        "景区村庄共富体",
        None,
        "2018 年建成全国首个符合标准的青少年“乡村棒球”场地。",
        True,
    ),
    (
        "XJD-05",
        "俞家浜景区",
        "tourism",
        "operating",
        "景区村庄共富体",
        None,
        "以俞家浜景区为依托开启“农文旅”融合发展；村级旅游公司营收超过 1000 万元。",
        True,
    ),
    (
        "XJD-06",
        "金平湖美丽乡村旅游线路（俞家浜—航天科普馆—曹桥赛艇中心）",
        "tourism",
        "construction",
        "景区村庄共富体",
        None,
        "景区村庄共富体规划的第二条风景线：俞家浜景区、中国航天科普馆、曹桥赛艇中心。",
        True,
    ),
    ("XJD-07", "农房盘活民宿（示例）", "rural", "construction", "农房盘活共富体", 30, "", False),
    (
        "XJD-08",
        "棒球主题研学营地（示例）",
        "education",
        "construction",
        "农文旅研学共富体（示例）",
        40,
        "",
        False,
    ),
    (
        "XJD-09",
        "村集体物业用房（示例）",
        "industry",
        "construction",
        "物业经济共富体（示例）",
        60,
        "",
        False,
    ),
    (
        "XJD-10",
        "农产品直播间（示例）",
        "industry",
        "planned",
        "电商直播共富体（示例）",
        20,
        "",
        False,
    ),
    ("XJD-11", "稻田景观提升（示例）", "ecology", "completed", "景区村庄共富体", 0, "", False),
    ("XJD-12", "众筹农场（示例）", "agriculture", "construction", "众筹经营共富体", 15, "", False),
]
# Generated figures (万元): total investment and the 2022 plan, per project code.
XUJIADAI_DEMO = {
    "XJD-01": (800, 300),
    "XJD-02": (1500, 400),
    "XJD-03": (600, 350),
    "XJD-04": (1200, 100),
    "XJD-05": (2000, 300),
    "XJD-06": (500, 200),
    "XJD-07": (300, 200),
    "XJD-08": (400, 250),
    "XJD-09": (900, 500),
    "XJD-10": (120, 80),
    "XJD-11": (200, 200),
    "XJD-12": (150, 100),
}
# Fraction of the 2022 plan completed by September, per project (deterministic, 示例).
PACE = {
    "XJD-01": 1.00,
    "XJD-02": 0.20,
    "XJD-03": 0.55,
    "XJD-04": 0.90,
    "XJD-05": 0.80,
    "XJD-06": 0.45,
    "XJD-07": 0.70,
    "XJD-08": 0.62,
    "XJD-09": 0.58,
    "XJD-10": 0.30,
    "XJD-11": 1.00,
    "XJD-12": 0.75,
}

PIPE_COMPANY = "嘉兴独山港区公共管廊有限公司"

# The 金山—平湖 毗邻党建 lists: 72 projects in 5 years (framework agreement of August 2017).
# Named in the article: (year, name, category, lead A (金山), lead B (平湖), status, note).
COOPERATION_FACTS = [
    (
        2018,
        "南北山塘共建明月山塘景区",
        "tourism",
        "廊下镇山塘村",
        "广陈镇山塘村",
        "operating",
        "浙沪山塘联合党支部；国家 3A 级景区，累计接待游客 182 万人次、旅游收入 1.2 亿元（列入年份为示例）。",
    ),
    (
        2019,
        "浙沪新材料产业园公共管廊",
        "industry",
        "上海石化",
        PIPE_COMPANY,
        "completed",
        "2017 年 7 月签署共建协议，2019 年开工，2021 年底建成。",
    ),
    (
        2021,
        "浙沪新材料产业园与“碳谷绿湾”协同发展",
        "industry",
        "金山区",
        "独山港区",
        "construction",
        "列入平湖金山毗邻党建引领区域联动发展合作项目。",
    ),
    (
        2022,
        "浙沪毗邻网格联防联控",
        "social",
        "廊下镇山塘村",
        "广陈镇山塘村",
        "completed",
        "双网格长统筹、党员联户、“山塘积分”自治，通勤人员统一摸排。",
    ),
]
COOPERATION_PER_YEAR = {2017: 6, 2018: 12, 2019: 13, 2020: 13, 2021: 14, 2022: 14}  # 72
COOPERATION_CATEGORIES = ["industry", "rural", "ecology", "education", "health"]
COOPERATION_LABEL = {
    "industry": "产业协作",
    "rural": "乡村振兴",
    "ecology": "生态环境共治",
    "education": "教育共享",
    "health": "医疗卫生合作",
}


def _village(name: str) -> Village:
    return Village.objects.get(pk=facts.VILLAGES[name])


def _consortia() -> dict[str, Consortium]:
    return {
        c.name: c for c in Consortium.objects.filter(alliance__name=facts.ALLIANCE_FACTS["name"])
    }


def _project(code, **fields) -> tuple[Project, bool]:
    return Project.objects.get_or_create(code=code, defaults=fields)


def _plan_and_reports(project: Project, planned_wan: int, pace: float) -> int:
    """The 2022 plan and monthly reports to September (示例), once; returns reports added."""
    AnnualPlan.objects.get_or_create(
        project=project, year=DEMO_YEAR, defaults={"planned_investment": planned_wan * WAN}
    )
    if ProgressReport.objects.filter(project=project).exists():
        return 0
    added = 0
    last = REPORT_MONTHS[-1]
    for month in REPORT_MONTHS:
        # An S-curve-ish path: slower start, reaching `pace` of the plan in September.
        share = pace * (month / last) ** 1.3
        done = int(planned_wan * WAN * share) // 10_000 * 10_000  # whole 100 yuan
        services.file_progress(
            project,
            actor=SYSTEM,
            period=month_end(date(DEMO_YEAR, month, 1)),
            completed_in_year=done,
            note="示例进度" if month < last else "示例：1—9 月进度",
            is_illustrative=True,
        )
        added += 1
    return added


@transaction.atomic
def load_projects() -> dict[str, int]:
    added = {"projects": 0, "reports": 0, "cooperation": 0}
    consortia = _consortia()
    xujiadai = _village("徐家埭村")
    for code, name, category, status, consortium, income, note, _named in XUJIADAI_PROJECTS:
        total, planned = XUJIADAI_DEMO[code]
        description = (note + "\n" if note else "") + "投资额、年度计划与进度为示例数据。"
        project, created = _project(
            code,
            name=name,
            category=category,
            status=status,
            lead_village=xujiadai,
            consortium=consortia.get(consortium) if consortium else None,
            total_investment=total * WAN,
            expected_annual_income=(income or 0) * WAN,
            description=description,
            is_illustrative=True,
        )
        added["projects"] += created
        added["reports"] += _plan_and_reports(project, planned, PACE[code])
    school = Project.objects.get(code="XJD-03")
    Milestone.objects.get_or_create(
        project=school,
        title="嘉兴职业技术学院授牌“乡村振兴实践基地”",
        defaults={"done_on": D("2022-06-30")},
    )
    wharf = Project.objects.get(code="XJD-01")
    Milestone.objects.get_or_create(
        project=wharf, title="项目投资完成", defaults={"done_on": D("2022-06-30")}
    )
    grain = Project.objects.get(code="XJD-02")
    Milestone.objects.get_or_create(
        project=grain, title="完成立项", defaults={"done_on": D("2022-06-30")}
    )

    # 旧埭村: 50 亩 flower e-commerce park, expected annual output 100 million yuan.
    jiudai = _village("旧埭村")
    park, created = _project(
        "JD-01",
        name="花卉电子商务产业园",
        category="industry",
        status="planned",
        lead_village=jiudai,
        consortium=consortia.get("电商直播共富体（示例）"),
        total_investment=3000 * WAN,
        expected_annual_income=0,
        description=(
            "旧埭村参加联盟组织的农业直播电商考察后，组建花卉产业共富联合体，引入上海直播电商"
            "主体，规划 50 亩花卉电子商务产业园，预计年产值可达 1 亿元。投资额为示例数据。"
        ),
        is_illustrative=True,
    )
    added["projects"] += created
    Milestone.objects.get_or_create(
        project=park, title="组建花卉产业共富联合体", defaults={"done_on": D("2022-06-30")}
    )
    Milestone.objects.get_or_create(
        project=park, title="产业园规划（50 亩）", defaults={"due_on": D("2022-12-31")}
    )

    # The enclave park, linked to its venture (its income and distributions show there).
    operator = Organisation.objects.get(name=facts.ENCLAVE_FACTS["operator"])
    venture = Venture.objects.filter(name=facts.ENCLAVE_FACTS["venture"]).first()
    enclave, created = _project(
        "FD-01",
        name=facts.ENCLAVE_FACTS["venture"],
        category="industry",
        status="operating",
        lead_organisation=operator,
        consortium=consortia.get("飞地抱团共富体"),
        venture=venture,
        total_investment=facts.ENCLAVE_DEMO["total_investment_yuan"] * 100,
        expected_annual_income=facts.ENCLAVE_DEMO["total_investment_yuan"] * 100 // 10,
        started_on=D("2018-06-30"),
        description=(
            "全省首个跨县市“飞地”产业园；“三供三保”；3 幢高标准厂房，包租固定回报（实际总投资"
            "的 10%/年）。截至 2021 年底累计返还青田投资收益 3240 万元。总投资为示例数据。"
        ),
        is_illustrative=True,
    )
    added["projects"] += created
    zone = Organisation.objects.filter(name="平湖经济技术开发区").first()
    if zone is not None:
        ProjectPartner.objects.get_or_create(
            project=enclave, organisation=zone, defaults={"role": "operator"}
        )
    ProjectPartner.objects.get_or_create(
        project=enclave,
        organisation=operator,
        defaults={
            "role": "investor",
            "committed": facts.ENCLAVE_DEMO["total_investment_yuan"] * 100,
            "paid_in": facts.ENCLAVE_DEMO["total_investment_yuan"] * 100,
            "is_illustrative": True,
        },
    )

    # The pipe corridor of the 浙沪新材料产业园.
    pipe_company, _created = Organisation.objects.get_or_create(
        name=PIPE_COMPANY,
        defaults={
            "kind": "enterprise",
            "region_id": facts.PINGHU,
            "description": "负责浙沪新材料产业园公共管廊建设。",
        },
    )
    pipe, created = _project(
        "ZH-01",
        name="浙沪新材料产业园公共管廊",
        category="infrastructure",
        status="completed",
        lead_organisation=pipe_company,
        total_investment=50000 * WAN,
        started_on=D("2019-01-01"),
        ends_on=D("2021-12-31"),
        description=(
            "2017 年 7 月浙沪签署《全面合作共建浙沪新材料产业园协议书》，2019 年正式开工，"
            "2021 年底建成；连接上海石化与独山港石化产业园区。投资额为示例数据。"
        ),
        is_illustrative=True,
    )
    added["projects"] += created
    for title, done in (
        ("签署共建协议", "2017-07-31"),
        ("公共管廊开工", "2019-01-01"),
        ("公共管廊建成", "2021-12-31"),
    ):
        Milestone.objects.get_or_create(project=pipe, title=title, defaults={"done_on": D(done)})
    shanghai = Organisation.objects.filter(name="上海石化").first()
    if shanghai is not None:
        ProjectPartner.objects.get_or_create(
            project=pipe, organisation=shanghai, defaults={"role": "other"}
        )

    result = services.import_cooperation(_cooperation_rows(), actor=SYSTEM)
    if not result.ok:  # the rows are ours: a failure is a bug in this module
        raise RuntimeError(f"cooperation demo rows refused: {result.errors[:3]}")
    added["cooperation"] = result.created
    return added


def _cooperation_rows() -> bytes:
    """The 72 projects as an import file (so the demo goes through the import's checks)."""
    import io

    from lib import tabular

    named_by_year: dict[int, list] = {}
    for row in COOPERATION_FACTS:
        named_by_year.setdefault(row[0], []).append(row)
    rows = []
    status_labels = sheets.STATUS_LABELS
    cat_labels = sheets.CATEGORY_LABELS
    serial = 0
    for year, count in COOPERATION_PER_YEAR.items():
        number = 0
        for _y, name, category, unit_a, unit_b, status, note in named_by_year.get(year, []):
            number += 1
            rows.append(
                (
                    year,
                    "毗邻党建",
                    "金山",
                    "平湖",
                    number,
                    name,
                    cat_labels[category],
                    unit_a,
                    unit_b,
                    status_labels[status],
                    note,
                    "否",
                )
            )
        while number < count:
            number += 1
            serial += 1
            category = COOPERATION_CATEGORIES[serial % len(COOPERATION_CATEGORIES)]
            status = (
                "completed"
                if year <= 2020
                else (
                    "construction"
                    if year == 2021
                    else "planned"
                    if serial % 3 == 0
                    else "construction"
                )
            )
            rows.append(
                (
                    year,
                    "毗邻党建",
                    "金山",
                    "平湖",
                    number,
                    f"{COOPERATION_LABEL[category]}项目 {year}-{number:02d}（示例）",
                    cat_labels[category],
                    "金山区（示例）",
                    "平湖市（示例）",
                    status_labels[status],
                    None,
                    "是",
                )
            )
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, sheets.COOPERATION_COLUMNS, rows)
    return buffer.getvalue()


def load(stdout=None) -> list[tuple[str, str, str]]:
    """Load the demo projects (idempotent); it makes no demo accounts."""
    added = load_projects()
    if stdout is not None:
        stdout.write(
            f"项目: {Project.objects.count()} 个共富项目, 本次新增 {added['projects']} 个项目、"
            f"{added['reports']} 份进度报告、{added['cooperation']} 个毗邻党建合作项目"
        )
    return []
