"""The Today pages: the GM's, the assistant's and a department head's home page (what needs
attention today, ranked), its navigation badge, and the approve action of a proposal's line."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from gmassist.core import selectors as core_selectors
from gmassist.core import services as core_services
from gmassist.core.choices import ProposalStatus
from gmassist.core.views_lib import is_htmx_partial
from gmassist.office.today.presenters import section_out
from gmassist.office.today.selectors import (
    SHOWN_PER_SECTION,
    may_read_today,
    today_for,
    today_reach,
)


def _require_today(request: HttpRequest) -> None:
    if not may_read_today(user=request.user):
        raise PermissionDenied("Today is the GM's office's and the department heads' page")


def today_context(request: HttpRequest) -> dict:
    """What the Today page shows: every section (those with matters first, in their order)."""
    now = timezone.now()
    sections = [
        section_out(section, now=now, limit=SHOWN_PER_SECTION)
        for section in today_for(user=request.user)
    ]
    busy = [section for section in sections if section["count"]]
    return {
        "title": gettext("Today"),
        "sections": busy,
        "clear": [section for section in sections if not section["count"]],
        "total": sum(section["count"] for section in sections),
        "reach": today_reach(request.user),
        "today": timezone.localdate(now),
    }


def render_today(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """The Today page (the whole page, or its body for htmx)."""
    partial = is_htmx_partial(request)
    template = "office/today/_today.html" if partial else "office/today/today.html"
    context = {**today_context(request), "partial": partial}
    return render(request, template, context, status=status)


@login_required
@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """What needs attention today across every module, ranked, for the reader."""
    _require_today(request)
    return render_today(request)


@login_required
@require_GET
def today_badge(request: HttpRequest) -> HttpResponse:
    """The navigation's Today badge (how many matters wait), fetched by htmx after the page
    has loaded, so that no page pays Today's queries before it is shown."""
    from gmassist.office.today.selectors import today_count

    count = today_count(user=request.user)
    if not count:
        return HttpResponse("")
    return HttpResponse(
        f' <span class="status status-open" data-testid="today-badge">{int(count)}</span>'
    )


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return "/"
    return target


@login_required
@require_POST
def today_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve a proposal from its line on Today, through `core.services.proposal_approve` and
    its one rule; a refusal (own case, HR's limit, the GM's own proposals) is a 403 with the
    reason shown on Today, and nothing changes."""
    _require_today(request)
    proposal = (
        core_selectors.proposals_visible(user=request.user, status=ProposalStatus.OPEN)
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404("no such open proposal")
    try:
        decided = core_services.proposal_approve(proposal=proposal, by=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or gettext("Your role may not decide this proposal."))
        return render_today(request, status=403)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return render_today(request, status=409)
    if decided.status == ProposalStatus.SCHEDULED:
        done = gettext("Approved: %(title)s; it takes effect on %(date)s") % {
            "title": proposal.display_title,
            "date": decided.effective_on.isoformat(),
        }
    else:
        done = gettext("Approved and applied: %s") % proposal.display_title
    messages.success(request, done)
    if is_htmx_partial(request):
        return render_today(request)
    return redirect(_back(request))
