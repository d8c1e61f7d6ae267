"""An export with a pay column is a read of the pay of everyone in it: one audit entry."""

import io

from gmassist.core.choices import AuditAction
from gmassist.core.imports import export_entity
from gmassist.core.models import AuditEntry
from gmassist.core.permissions import SYSTEM


def pay_reads():
    return list(AuditEntry.objects.filter(action=AuditAction.READ_PAY))


def test_exporting_employees_audits_whose_pay_left_with_the_file(cast):
    assert export_entity(entity="employees", fmt="csv", out=io.BytesIO(), user=cast.hr) == 6
    [entry] = pay_reads()
    assert (entry.actor, entry.target_type) == (cast.hr, "export.employees")
    assert entry.changes["employee_nos"] == ["E001", "E003", "E004", "E005", "E006"]


def test_a_head_exports_and_is_audited_for_the_subtree_only(cast):
    assert export_entity(entity="employees", fmt="xlsx", out=io.BytesIO(), user=cast.head) == 3
    [entry] = pay_reads()
    assert entry.changes["employee_nos"] == ["E004", "E006"]


def test_the_system_export_is_audited_with_no_actor(cast):
    export_entity(entity="employees", fmt="csv", out=io.BytesIO(), user=SYSTEM)
    [entry] = pay_reads()
    assert (entry.actor, entry.changes["people"]) == (None, 6)


def test_an_export_without_pay_writes_no_pay_read(cast):
    export_entity(entity="positions", fmt="csv", out=io.BytesIO(), user=cast.hr)
    assert pay_reads() == []


def test_nobody_exports_nothing_and_reads_nothing(cast):
    assert export_entity(entity="employees", fmt="csv", out=io.BytesIO(), user=None) == 0
    assert pay_reads() == []
