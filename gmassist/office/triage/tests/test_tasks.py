"""A matter the GM delegates becomes a delegated task of its owner (the tasks part)."""

from gmassist.office.triage.tests.conftest import decide, make_matter


def test_a_delegated_matter_becomes_a_task_of_its_owner(cast):
    from gmassist.office.tasks.models import Task

    matter = make_matter(department=cast.sales, text="Both printers are out of toner.")
    matter = decide(matter, cast.gm, "delegate", owner=cast.head)
    task = Task.objects.get()
    assert matter.task_ref == f"office.task:{task.pk}"
    assert (task.title, task.owner, task.about) == (
        "The printer on the third floor is broken",
        cast.head,
        f"office.matter:{matter.pk}",
    )
    assert task.description == "Both printers are out of toner."
