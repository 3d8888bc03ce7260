"""Each distribution policy is declared once (ventures.policies.POLICIES), and the services'
parameter check and the prepare form read that one declaration."""

import pytest
from django.utils import translation

from lib.distribution import Policy as LibPolicy
from ventures.choices import DistributionPolicy
from ventures.exceptions import VentureError
from ventures.forms import RunPrepareForm
from ventures.policies import COMMON, POLICIES, clean_params

# A value for every kind of field the prepare page has.
FILLED = {
    "period_start": "2023-01-01",
    "period_end": "2023-12-31",
    "source": "income",
    "total": "1000.00",
    "reserve_rate": "15",
    "welfare_rate": "5",
    "rate": "10",
    "fixed_years": "3",
    "term_start": "2018-01-01",
    "floor": "500.00",
    "floor_rate": "2",
    "share_ratio": "70",
    "population_year": "2022",
    "low_income_rate": "20",
    "flag_year": "2023",
}
FIXED_FIELDS = {"period_start", "period_end", "policy"}


def test_every_policy_choice_has_exactly_one_entry():
    assert sorted(POLICIES) == sorted(DistributionPolicy.values)
    assert len(POLICIES) == len(DistributionPolicy.choices)
    assert all(code == policy.code for code, policy in POLICIES.items())
    assert sorted(POLICIES) == sorted(p.value for p in LibPolicy)


def test_a_parameter_belongs_to_one_place():
    common = [param.name for param in COMMON]
    for policy in POLICIES.values():
        own = [param.name for param in policy.params]
        assert len(own) == len(set(own)), policy.code
        assert not set(own) & set(common), policy.code


def test_the_form_has_the_common_fields_and_every_policys_own():
    offered = {
        param.name
        for param in (*COMMON, *(p for policy in POLICIES.values() for p in policy.params))
        if param.form is not None
    }

    assert set(RunPrepareForm().fields) == FIXED_FIELDS | offered
    assert set(FILLED) == set(RunPrepareForm().fields) - {"policy"}


@pytest.mark.parametrize("code", sorted(POLICIES))
def test_the_form_hands_on_exactly_the_chosen_policys_fields(code):
    form = RunPrepareForm({**FILLED, "policy": code})

    assert form.is_valid(), form.errors
    common = {param.name for param in COMMON if param.form is not None}
    assert set(form.params()) == common | set(POLICIES[code].form_fields)


@pytest.mark.parametrize("code", sorted(POLICIES))
def test_the_services_allow_exactly_the_declared_parameters(code, venture):
    declared = POLICIES[code]
    unknown = {"nonsense": 1}

    with (
        translation.override("en"),
        pytest.raises(VentureError, match="Unknown parameters") as refused,
    ):
        clean_params(code, unknown, venture)

    allowed = ", ".join(sorted(param.name for param in declared.all_params))
    assert f"(allowed: {allowed})" in str(refused.value)


def test_labels_are_declared_for_every_parameter():
    for param in (*COMMON, *(p for policy in POLICIES.values() for p in policy.params)):
        assert str(param.label), param.name
