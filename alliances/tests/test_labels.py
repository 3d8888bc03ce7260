"""Labels that say what they mean: a meeting that sets no quorum is 不设法定人数, not
未达法定人数 ("quorum not reached"), which is a decision's result."""

from django.utils import translation

from alliances.choices import DecisionResult, QuorumRule


def test_no_quorum_rule_and_no_quorum_result_read_differently_in_chinese():
    with translation.override("zh-hans"):
        assert str(QuorumRule.NONE.label) == "不设法定人数"
        assert str(DecisionResult.NO_QUORUM.label) == "未达法定人数"
