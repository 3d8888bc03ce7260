"""One money limit for every money field (issue 10, item 3): the API accepted 2^63 − 1 fen
while the import capped at 10^15 − 1. The limit is `lib.money.MAX_FEN`, and the API, the
forms, the imports and the model fields all use it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers

from core.api.base import FenField
from core.fields import MAX_WAN, MAX_YUAN, MoneyField
from lib import money, tabular
from projects.forms import ProgressForm
from registry.forms_browse import VillageStatForm
from registry.models import VillageStat
from ventures.forms import IncomeForm

LIMIT = 10**15 - 1


def test_the_limit_is_defined_once_in_the_money_module():
    assert money.MAX_FEN == LIMIT
    assert money.MIN_FEN == -LIMIT
    assert tabular.MAX_FEN is money.MAX_FEN  # the imports' cap is the same number
    assert Decimal("9999999999999.99") == MAX_YUAN
    assert Decimal("999999999.999999") == MAX_WAN


def test_check_fen():
    assert money.check_fen(LIMIT) == LIMIT
    assert money.check_fen(-LIMIT) == -LIMIT
    for bad in (LIMIT + 1, -LIMIT - 1, 2**63 - 1):
        with pytest.raises(ValueError, match="money limit"):
            money.check_fen(bad)
    with pytest.raises(ValueError):
        money.check_fen(-1, minimum=0)
    with pytest.raises(ValueError):  # a caller may narrow the bounds, never widen them
        money.check_fen(LIMIT + 1, maximum=2**63 - 1)


@pytest.mark.parametrize("value", [LIMIT + 1, 2**63 - 1])
def test_a_serializer_field_refuses_an_amount_beyond_the_limit(value):
    field = FenField()
    assert field.run_validation(LIMIT) == LIMIT
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(value)
    assert "999999999999999" in str(refused.value.detail[0])
    # Asking for a wider bound does not widen it.
    with pytest.raises(serializers.ValidationError):
        FenField(max_value=2**63 - 1).run_validation(value)


def test_the_model_fields_validate_the_limit(tree):
    stat = VillageStat(village=tree["徐家埭村"], year=2024, total_income=LIMIT + 1)
    with pytest.raises(ValidationError) as refused:
        stat.full_clean()
    assert "total_income" in refused.value.message_dict
    stat.total_income = LIMIT
    stat.full_clean()


def test_a_model_serializer_takes_the_limit_from_the_model_field():
    class Stats(serializers.ModelSerializer):
        class Meta:
            model = VillageStat
            fields = ["total_income", "operating_income"]

    fields = Stats().fields
    assert fields["total_income"].max_value == LIMIT
    assert fields["operating_income"].max_value == LIMIT
    assert fields["total_income"].min_value == -LIMIT


def test_money_fields_need_no_migration():
    # MoneyField stores what a BigIntegerField stores; its validators are Python only.
    field = VillageStat._meta.get_field("total_income")
    assert isinstance(field, MoneyField)
    assert field.deconstruct()[1] == "django.db.models.BigIntegerField"


def test_forms_refuse_an_amount_beyond_the_limit(tree):
    village = tree["徐家埭村"]
    stat = VillageStatForm(
        data={"year": 2024, "total_income": "10000000000000.00"}, village=village
    )
    assert not stat.is_valid()
    assert "total_income" in stat.errors
    assert VillageStatForm(
        data={"year": 2024, "total_income": str(MAX_YUAN)}, village=village
    ).is_valid()

    progress = ProgressForm(data={"period": "2024-06", "completed_in_year": "1000000000"})
    assert not progress.is_valid()
    assert "completed_in_year" in progress.errors

    income = IncomeForm(data={"amount": "10000000000000", "received_on": "2024-01-01"})
    assert not income.is_valid()
    assert "amount" in income.errors


@pytest.mark.parametrize(
    ("text", "ok"),
    [("9999999999999.99", True), ("10000000000000", False), ("92233720368547758.07", False)],
)
def test_the_import_caps_at_the_same_limit(text, ok):
    convert = tabular.money_column("total_income", "集体经济总收入").convert
    if ok:
        assert convert(text) == LIMIT
    else:
        with pytest.raises(tabular.CellError):
            convert(text)
