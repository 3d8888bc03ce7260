"""The household file: its columns (Chinese headers), the template and the masked export.

One row per person; the rows of one 户号 (of one village: 村代码) make a household, whose
户主 row names its head.
The export carries masks only (an export with clear values would need a logged reason per
record, so there is none): importing it back changes nothing, since the importer skips a
masked ID number or phone and keeps what is stored.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from grids.choices import Gender, Relation
from grids.models import Person
from lib import tabular
from lib.tabular import CellError, Column

__all__ = ["COLUMNS", "export_households", "is_masked", "template"]

RELATION_LABELS = {
    Relation.HEAD: "户主",
    Relation.SPOUSE: "配偶",
    Relation.CHILD: "子女",
    Relation.PARENT: "父母",
    Relation.GRANDCHILD: "孙子女",
    Relation.SIBLING: "兄弟姐妹",
    Relation.OTHER: "其他",
}
GENDER_LABELS = {Gender.MALE: "男", Gender.FEMALE: "女"}


def choice(labels: dict[str, str]) -> tabular.Converter:
    lookup = {label: code for code, label in labels.items()} | {str(c): c for c in labels}

    def convert(value: Any) -> str:
        text = tabular.cell_text(value).strip()
        if not text:
            raise CellError(tabular.MSG_REQUIRED)
        if text not in lookup:
            raise CellError(tabular.MSG_CHOICE, choices="、".join(labels.values()))
        return str(lookup[text])

    return convert


COLUMNS = [
    Column(
        "number", "户号", tabular.text(required=True, max_length=20), required=True, xlsx_format="@"
    ),
    Column("group_name", "村民小组", tabular.text(max_length=50)),
    Column("name", "姓名", tabular.text(required=True, max_length=50), required=True),
    Column("gender", "性别", choice(GENDER_LABELS), required=True),
    Column(
        "birth_year",
        "出生年份",
        tabular.integer(required=True, minimum=1880, maximum=2100),
        required=True,
    ),
    Column("relation", "与户主关系", choice(RELATION_LABELS), required=True),
    Column("id_number", "身份证号", tabular.text(max_length=30), xlsx_format="@"),
    Column("phone", "手机号", tabular.text(max_length=20), xlsx_format="@"),
    Column("is_party_member", "党员", tabular.yes_no()),
    Column("is_shareholder", "股东", tabular.yes_no()),
    Column("shares", "股份数", tabular.integer(minimum=0, maximum=1_000_000)),
    Column("micro_grid", "微网格", tabular.text(max_length=100)),
    # A file of many villages (a township's, a county's) names each row's village; a
    # village's own file may leave it out.
    Column("village", "村代码", tabular.text(max_length=12), xlsx_format="@"),
]

EXAMPLE = ["001", "第一村民小组", "张三（示例）", "男", 1970, "户主", "", "", "否", "是", 2, "", ""]


def template() -> bytes:
    """The household template: a named sheet, the headers and one example row."""
    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COLUMNS, [EXAMPLE], sheet_name=_("Households"))
    return buffer.getvalue()


def export_households(queryset) -> bytes:
    """The households of `queryset` with their people, masked (two queries)."""
    people = (
        Person.objects.filter(household__in=queryset)
        .select_related("household__micro_grid")
        .order_by("household__number", "pk")
    )

    def rows():
        for p in people:
            h = p.household
            yield [
                h.number,
                h.group_name,
                p.name,
                GENDER_LABELS.get(p.gender, ""),
                p.birth_year,
                RELATION_LABELS.get(p.relation, ""),
                p.id_masked,
                p.phone_masked,
                "是" if p.is_party_member else "否",
                "是" if p.is_shareholder else "否",
                p.shares,
                h.micro_grid.name if h.micro_grid else "",
                h.village_id,
            ]

    buffer = io.BytesIO()
    tabular.write_xlsx(buffer, COLUMNS, rows(), sheet_name=_("Households"))
    return buffer.getvalue()


def is_masked(text: str | None) -> bool:
    return bool(text) and "*" in text
