"""Named facts the demo tells (from FACTS.md and the article). Money in yuan, as published."""

PROVINCE = "33"  # 浙江省
JINSHAN = "310116"  # 上海市金山区
PINGHU = "330482"  # 平湖市
QINGTIAN = "331121"  # 青田县
NINGBO = "3302"
STATS_YEARS = range(2018, 2023)

VILLAGES = {
    "徐家埭村": "330482107208",  # 林埭镇, alliance core
    "山塘村": "330482106209",  # 广陈镇, alliance core; 浙沪山塘联合党支部
    "赵家桥村": "330482108210",  # 独山港镇
    "马厩村": "330482003208",  # 曹桥街道 (the article writes 马厰村)
    "旧埭村": "330482102219",  # 新埭镇, flower e-commerce park
    "峰山村": "331121201201",  # 青田县黄垟乡
    "金山山塘村": "310116107211",  # 上海市金山区廊下镇
}

# 峰山村: "collective income only 300,000 yuan a year before Pinghu's aid" (FACTS.md).
FENGSHAN_INCOME_BEFORE_AID_YUAN = 300_000

# Weak-village lines (FACTS.md, research/domain.md §1). Money in yuan.
THRESHOLDS = [
    {
        "name": "浙江省集体经济薄弱村（2017—2019 年消薄行动）",
        "region": PROVINCE,
        "valid_from": 2017,
        "valid_to": 2019,
        "total_income_below": 100_000,
        "operating_income_below": 50_000,
        "source": "浙江省消除集体经济薄弱村三年行动计划（2017—2019）：年收入低于 10 万元、"
        "经营性收入低于 5 万元。",
    },
    {
        "name": "浙江省相对薄弱村（2020 年起）",
        "region": PROVINCE,
        "valid_from": 2020,
        "valid_to": 2025,
        "total_income_below": 200_000,
        "operating_income_below": 100_000,
        "source": "2021 年全省 98.8% 的村年收入 20 万元以上且经营性收入 10 万元以上；"
        "正式文件起始年份未查到，此处自 2020 年起适用（示例口径）。",
    },
    {
        "name": "平湖市薄弱村（2009—2012 年飞地抱团）",
        "region": PINGHU,
        "valid_from": 2009,
        "valid_to": 2012,
        "recurring_income_below": 300_000,
        "source": "平湖 2009—2012 年全面消除年经常性收入 30 万元以下的薄弱村。",
    },
    {
        "name": "宁波市相对薄弱村",
        "region": NINGBO,
        "valid_from": 2021,
        "valid_to": None,
        "operating_income_below": 200_000,
        "source": "宁波：经营性收入低于 20 万元的相对薄弱村（2021）。",
    },
]

ORGANISATIONS = [
    # (name, kind, region, villages, description, illustrative)
    ("平湖市强村公司", "village_company", PINGHU, [],
     "“1+8+N”共富体系中的“1”：市级强村公司（公司全称文中未给出，名称为示例）。", True),
    ("青田强村联合投资发展有限责任公司", "joint_investment", QINGTIAN, [],
     "由青田县 265 个经济薄弱村联合组建，在平湖经济技术开发区投资建设消薄“飞地”产业园。", False),
    ("平湖经济技术开发区", "department", PINGHU, [],
     "平湖—青田山海协作消薄“飞地”产业园所在地（三供三保：平湖保交付、保招商、保收益）。", False),
    ("斯尼汶特(平湖)电气有限公司", "enterprise", PINGHU, [], "飞地产业园入驻企业。", False),
    ("芯越微电子材料(嘉兴)有限公司", "enterprise", PINGHU, [], "飞地产业园入驻企业。", False),
    ("康迈尔机电(嘉兴)有限公司", "enterprise", PINGHU, [], "飞地产业园入驻企业。", False),
    ("浙沪山塘联合党支部", "party_branch", PINGHU, ["山塘村", "金山山塘村"],
     "浙江平湖广陈镇山塘村与上海金山廊下镇山塘村一河之隔，联合成立的毗邻党建支部。", False),
    ("山塘村强村股份公司", "village_company", PINGHU, ["山塘村"],
     "村集体占股 51%、企业占股 49%，实行“保底收益+分红”。", False),
    ("徐家埭村旅游公司", "village_company", PINGHU, ["徐家埭村"],
     "村级旅游公司，营收超过 1000 万元（公司全称为示例）。", True),
    ("嘉兴职业技术学院", "other", "3304", [],
     "将徐家埭村共富学院命名为“乡村振兴实践基地”。", False),
    ("上海石化", "enterprise", "310116", [],
     "浙沪新材料产业园公共管廊连接上海石化与独山港化工园区。", False),
]

# ---------------------------------------------------------------------------------------------
# Enclave park (平湖—青田山海协作消薄"飞地"产业园): FACTS.md "Enclave park", the article (2022)
# and research/domain.md §2.1. What is a published fact and what the demo made up is kept
# apart: ENCLAVE_FACTS are published; ENCLAVE_DEMO is illustrative (示例), chosen so that
# the facts come out of the ledger (the demo posts them; nothing here is shown as typed).
#
# Timeline (F = fact, I = illustrative):
#   2017-08  F  agreements signed: the company receives 10% of actual total investment a
#               year as fixed investment income (domain.md §2.1).
#   2018-06  I  the 265 villages pay in the capital: 162,000,000 yuan in all, kept apart as
#               cash, land quota (土地指标换股本金) and subsidy-funded equity (补助资金入股).
#   2018–19  I  land bought by listed sale (挂牌出让) in 平湖经济技术开发区; 3 buildings (F)
#               built and delivered 2019-12-31.
#   2020-01  I  the three tenants (F: names) move in; the fixed return (包租固定回报) runs
#               from 2020-01-01. Their rent is 10% a year of each building's cost, paid
#               half-yearly, so the rent covers the fixed return exactly.
#   2020, 2021  I  one fixed-return run a year: 10% × 162,000,000 = 16,200,000 yuan.
#   2021-12-31  F  32,400,000 yuan returned in total ("截至去年年底"), about 60,000 yuan
#               per village a year (16,200,000 / 265 = 61,132 on average).
ENCLAVE_FACTS = {
    "venture": "平湖—青田山海协作消薄“飞地”产业园",
    "operator": "青田强村联合投资发展有限责任公司",
    "villages": 265,
    "buildings": 3,
    "tenants": [
        "斯尼汶特(平湖)电气有限公司",
        "芯越微电子材料(嘉兴)有限公司",
        "康迈尔机电(嘉兴)有限公司",
    ],
    "return_rate": "10%",  # of actual total investment, a year (2017 agreement)
    "returned_by": "2021-12-31",
    "returned_total_yuan": 32_400_000,
    "per_village_per_year_yuan": 60_000,  # "平均增收6万元" (about)
}

ENCLAVE_DEMO = {
    "total_investment_yuan": 162_000_000,
    "capital_paid_on": "2018-06-30",
    "delivered_on": "2019-12-31",
    "term_start": "2020-01-01",
    "return_years": [2020, 2021],
    # Which villages: the 265 village committees (kind "village") of 青田县 with the lowest
    # 2018 total collective income in the demo statistics (ties by code); villages with no
    # 2018 figure come last, by code. Stats are illustrative, so the selection is too.
    "selection_rule": "青田县 392 个村级单位中, 按 2018 年（示例）集体经济总收入从低到高取前 265 个"
    "村民委员会（同额按区划代码）。",
    # Capital per village, in units of 10,000 yuan: drawn from a generator seeded by the
    # village code, then adjusted in code order so that the total is exactly 162,000,000.
    "capital_wan_range": (54, 68),
    "subsidy_wan_range": (20, 30),  # 补助资金入股 (消薄 subsidy funds turned into equity)
    "land_quota_share": 3,  # one village in three also converts land quota (土地指标)
    "land_quota_wan_range": (8, 20),
    # (building, floor area m², cost yuan, tenant): 10% of the cost is the yearly rent.
    "buildings": [
        ("1号高标准厂房", "18000.00", 54_000_000, "斯尼汶特(平湖)电气有限公司"),
        ("2号高标准厂房", "16200.00", 48_600_000, "芯越微电子材料(嘉兴)有限公司"),
        ("3号高标准厂房", "19800.00", 59_400_000, "康迈尔机电(嘉兴)有限公司"),
    ],
    # Rent received half-yearly: (received on, period start, period end), per year.
    "rent_dates": [("06-30", "01-01", "06-30"), ("12-20", "07-01", "12-31")],
    "lock_through": (2021, 12),
}

# 山塘村强村股份公司 (fact: 村集体 51% + 企业 49%, 保底收益+分红; 中新网 2025-05-27).
# The enterprise's name, the capital, the income, the floor and reserve rates and the
# dates are illustrative (示例).
SHANTANG_FACTS = {
    "company": "山塘村强村股份公司",
    "village": "山塘村",
    "village_share_percent": 51,
    "enterprise_share_percent": 49,
}
SHANTANG_DEMO = {
    "venture": "山塘村强村股份公司·明月山塘经营（示例）",
    "enterprise": "明月山塘文旅发展有限公司（示例）",
    "enterprise_description": "示例企业：与山塘村合资组建山塘村强村股份公司（占股 49%）。"
    "真实企业名称文中未给出。",
    # (holder, kind, amount yuan): 5,100,000 village + 4,900,000 enterprise = 51% / 49%.
    "contributions": [
        ("village", "subsidy_equity", 3_000_000),
        ("village", "cash", 2_100_000),
        ("enterprise", "cash", 4_900_000),
    ],
    "capital_paid_on": "2020-06-30",
    # 2021 operating income of the company (明月山塘 scenic-area business), yuan.
    "income": [("2021-06-30", 700_000), ("2021-12-20", 800_000)],
    "period": ("2021-01-01", "2021-12-31"),
    "floor_rate": "5%",  # 保底: 5% a year on each holder's capital
    "reserve_rate": "10%",  # 法定公积金 set aside before the split
}

# 金平湖"抱团富"联盟 (FACTS.md "The alliance"). The founding and signing dates are not
# published: they are left empty, and the demo's joining day is illustrative (示例).
ALLIANCE_FACTS = {
    "name": "金平湖“抱团富”联盟",
    "region": PINGHU,
    "description": "16 个集体经济实力较强、产业特色鲜明的村组成的抱团发展联盟；"
    "16 位村党组织书记签订联盟协议，确立六项机制。",
    "agreement": "16 位村党组织书记签订《金平湖“抱团富”联盟协议》，建立联盟责任清单制、"
    "联席会议共商制、共富项目合伙制等六项机制（协议全文未公开，此处为摘要）。",
    "size": 16,
    "cores": ["徐家埭村", "山塘村"],
    "members": ["赵家桥村", "马厩村"],
}
ALLIANCE_DEMO = {
    "joined_on": "2022-01-01",  # 示例: the real joining day is not published
    "illustrative_note": "示例：联盟其余 12 个成员村未公开，按 2022 年示例总收入选取",
    "date_note": "加入日期为示例",
}
# The agreement's six mechanisms, in order: three named, three described (FACTS.md).
ALLIANCE_MECHANISMS = [
    ("联盟责任清单制", "联盟责任清单：每项任务明确责任村、责任人和完成时限。"),
    ("联席会议共商制", "联席会议：成员村书记共商联盟重大事项，作出决定。"),
    ("共富项目合伙制", "共富项目合伙：成员村以资金、土地、人力入伙共富项目，按约分享收益。"),
    ("圆桌会", "每季度一次圆桌会：书记们交流经验做法，谋划合作项目。"),
    ("专家授课与外出考察", "邀请专家授课，组织外出考察学习（如电商考察）。"),
    ("比拼晾晒", "比拼晾晒：成员村的发展成效公开比较、公开晾晒。"),
]
# "1+8+N": 8 consortia (共富体); four are named in the article, four are not (示例).
# (consortium name, type name, illustrative)
CONSORTIA = [
    ("飞地抱团共富体", "飞地抱团", False),
    ("众筹经营共富体", "众筹经营", False),
    ("农房盘活共富体", "农房盘活", False),
    ("景区村庄共富体", "景区村庄", False),
    ("电商直播共富体（示例）", "电商直播（示例）", True),
    ("粮食产业链共富体（示例）", "粮食产业（示例）", True),
    ("农文旅研学共富体（示例）", "农文旅研学（示例）", True),
    ("物业经济共富体（示例）", "物业经济（示例）", True),
]
CONSORTIUM_MEMBERS = {"景区村庄共富体": ["徐家埭村", "山塘村", "赵家桥村", "马厩村"]}

# The enclave programme of the 26 mountain counties (FACTS.md: "Pinghu later built enclave
# parks with 文成 and 龙泉 too; 30 消薄飞地 province-wide return nearly 200 million yuan a year
# to the 26 mountain counties"). The 青田 park is ENCLAVE_FACTS; the 文成 and 龙泉 parks are
# facts, everything about them here is illustrative (示例): names, companies, villages,
# rents and years.
WENCHENG = "330328"  # 文成县
LONGQUAN = "331181"  # 龙泉市
PROGRAMME_GROUP = "shanqu26"
PROGRAMME_DEMO = {
    "parks": [
        {
            "venture": "平湖—文成山海协作消薄飞地产业园（示例）",
            "operator": "文成强村联合发展有限公司（示例）",
            "owner": WENCHENG,
            "villages": 30,  # the first 30 village committees of 文成 by code
            "rent_yuan": 3_000_000,  # a year, all of it distributed equally
        },
        {
            "venture": "平湖—龙泉山海协作消薄飞地产业园（示例）",
            "operator": "龙泉强村联合发展有限公司（示例）",
            "owner": LONGQUAN,
            "villages": 40,
            "rent_yuan": 4_000_000,
        },
    ],
    "years": [2021, 2022],
    "site": PINGHU,
}
