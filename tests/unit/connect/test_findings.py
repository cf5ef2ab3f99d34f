"""What each id's answer means for the rows using it: their invalid reasons, and when no row can go."""

from __future__ import annotations

from bulkload.connect.findings import Finding, PreflightReport
from bulkload.connect.targets import Target, instance_target
from bulkload.connect.used_ids import UsedIds
from bulkload.errors import ConfigError
from bulkload.records import Problem

FLOW = Target("ContactFlowId", "abc", "i-1")
TEMPLATE = Target("TaskTemplateId", "t-1", "i-1")


def _flow_row(flow: str = "abc") -> dict[str, str]:
    return {"InstanceId": "i-1", "Name": "n", "ContactFlowId": flow}


def test_an_unknown_flow_is_the_rows_invalid_reason() -> None:
    report = PreflightReport()
    report.add(Finding(FLOW, unknown=True))

    (problem,) = report.problems_for(_flow_row())

    assert problem == Problem(
        "ContactFlowId",
        "contact flow 'abc' does not exist in instance 'i-1' "
        "(DescribeContactFlow answered ResourceNotFoundException)",
        "ContactFlowId",
    )
    assert str(problem).startswith("ContactFlowId: contact flow 'abc' does not exist")
    assert report.problems_for(_flow_row("other")) == ()


def test_an_unknown_instance_names_the_region_it_was_looked_for_in() -> None:
    report = PreflightReport()
    report.add(Finding(instance_target("i-9"), unknown=True, region="eu-west-2"))

    (problem,) = report.problems_for({"InstanceId": "i-9", "ContactFlowId": "abc"})

    assert problem.code == "InstanceId"
    assert problem.message == (
        "instance 'i-9' does not exist in region 'eu-west-2' "
        "(DescribeInstance answered ResourceNotFoundException)"
    )


def test_the_services_words_are_kept_when_the_instance_was_not_verified() -> None:
    finding = Finding(FLOW, unknown=True, answer="Instance i-1 not found")

    (problem,) = finding.problems(with_flow=True)

    assert problem.message.endswith(
        "(DescribeContactFlow answered ResourceNotFoundException: Instance i-1 not found)"
    )


def test_an_inactive_template_refuses_every_row() -> None:
    finding = Finding(TEMPLATE, status="INACTIVE")

    assert finding.inactive
    assert [p.message for p in finding.problems(with_flow=True)] == [
        "task template 't-1' in instance 'i-1' is INACTIVE: only an ACTIVE template can create a task "
        "(GetTaskTemplate)"
    ]


def test_a_template_without_a_flow_refuses_only_rows_that_name_no_flow() -> None:
    report = PreflightReport()
    report.add(Finding(TEMPLATE, flowless=True))

    (problem,) = report.problems_for({"InstanceId": "i-1", "TaskTemplateId": "t-1"})
    assert problem.code == "TaskTemplateId"
    assert "has no contact flow, and the row names none" in problem.message
    assert report.problems_for({"InstanceId": "i-1", "TaskTemplateId": "t-1", "ContactFlowId": "f"}) == ()


def test_an_id_found_well_refuses_nothing() -> None:
    report = PreflightReport()
    report.add(Finding(FLOW))
    report.add(Finding(TEMPLATE, checked=False))

    assert report.refused == ()
    assert report.problems_for(_flow_row()) == ()


def test_a_later_finding_replaces_an_earlier_one() -> None:
    report = PreflightReport()
    report.add(Finding(FLOW, unknown=True))
    report.add(Finding(FLOW))

    assert report.refused == ()


def test_the_job_fails_when_every_row_is_refused() -> None:
    report = PreflightReport()
    report.add(Finding(FLOW, unknown=True))
    ids = UsedIds()
    for _ in range(300):
        ids.add(_flow_row())

    assert report.refused_rows(ids) == 300
    error = report.job_error(ids, column_for=lambda field: "flow" if field == "ContactFlowId" else None)

    assert isinstance(error, ConfigError)
    assert str(error) == (
        "nothing was sent, as no row can be created: ContactFlowId (column 'flow'): contact flow 'abc' does "
        "not exist in instance 'i-1' (DescribeContactFlow answered ResourceNotFoundException)"
    )
    assert "\n" not in str(error)


def test_the_job_goes_on_when_some_rows_can_be_created() -> None:
    report = PreflightReport()
    report.add(Finding(FLOW, unknown=True))
    ids = UsedIds()
    ids.add(_flow_row())
    ids.add(_flow_row("good"))

    assert report.refused_rows(ids) == 1
    assert report.job_error(ids) is None
    assert report.job_error(UsedIds()) is None  # no row to send: nothing to say


def test_rows_past_the_limit_are_not_taken_as_refused() -> None:
    report = PreflightReport()
    report.add(Finding(FLOW, unknown=True))
    ids = UsedIds(limit=2)
    ids.add(_flow_row())
    ids.add(_flow_row("unchecked"))

    assert report.job_error(ids) is None


def test_the_job_error_lists_a_few_refused_ids_then_counts_the_rest() -> None:
    report = PreflightReport()
    ids = UsedIds()
    for n in range(5):
        report.add(Finding(Target("ContactFlowId", f"f-{n}", "i-1"), unknown=True))
        ids.add(_flow_row(f"f-{n}"))

    error = report.job_error(ids)

    assert error is not None
    assert str(error).count("does not exist") == 3
    assert str(error).endswith("; and 2 more")
