"""Uploads and a document on its way, for the documents' tests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gmassist.office.documents import engine, services
from gmassist.office.documents.choices import Routing


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_upload(name="contract.pdf", lines=("Supply contract",)):
    return SimpleUploadedFile(name, engine.pdf_bytes(list(lines), title="Contract"))


def docx_upload(name="policy.docx", text="Travel policy"):
    return SimpleUploadedFile(name, engine.docx_bytes([engine.Paragraph(text)]))


def exe_upload(name="contract.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500)


@pytest.fixture
def sequence_doc(cast):
    """A contract the employee wrote, to the head then the GM, in sequence."""
    return services.document_create(
        by=cast.employee,
        title="Supply contract with Acme",
        kind="contract",
        approvers=[cast.head, cast.gm],
        routing=Routing.SEQUENCE,
        department=cast.sales_east,
        upload=pdf_upload(),
    )


@pytest.fixture
def parallel_doc(cast):
    """A policy HR wrote, to the head, the GM and the assistant in parallel, 2 of 3 needed."""
    return services.document_create(
        by=cast.hr,
        title="Travel policy 2027",
        kind="policy",
        approvers=[cast.head, cast.gm, cast.assistant],
        routing=Routing.PARALLEL,
        min_approvals=2,
        text="Economy class below six hours.",
    )
