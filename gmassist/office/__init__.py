"""The GM's office: today's matters, triage, delegated tasks, documents awaiting approval and
the schedule (DESIGN.md, app `office`)."""
