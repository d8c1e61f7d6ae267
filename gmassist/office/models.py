"""The models of the office app. They are defined in its parts (each part's models.py) and
imported here, where Django looks for an app's models; they keep the app's label `office`, so
their tables (office_*) and the migrations are the app's.

Code imports a model from its part, not from here.
"""

# isort: off
from gmassist.office.documents.models import Document, DocumentStep, DocumentVersion
# isort: on

__all__: list[str] = ["Document", "DocumentStep", "DocumentVersion"]
