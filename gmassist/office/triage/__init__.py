"""The triage part of the GM's office (see office/apps.py): incoming matters sorted by the
seed's rule, "three manages, three don't", into the GM's, delegated, or not the company's
business; the assistant proposes, the GM decides in one click."""
