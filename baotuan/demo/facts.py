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
