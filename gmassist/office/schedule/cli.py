"""`gmassist office schedule|slots`: a person's week of meetings and busy times, and the first
free slots for several people.

    gmassist office schedule [--user U] [--week DATE] [--json]
    gmassist office slots --with U1,U2 --minutes 60 [--from DATE] [--days N] [--user U] [--json]
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date
from rich.table import Table as RichTable

from gmassist.core.choices import Role
from gmassist.core.management.output import command_console
from gmassist.core.management.users import user_by_username
from gmassist.core.models import User
from gmassist.office.schedule import engine, presenters, selectors


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    day = parse_date(value)
    if day is None:
        raise CommandError(f"{option} {value!r} is not a date (YYYY-MM-DD)")
    return day


def add_schedule_arguments(parser) -> None:
    parser.add_argument(
        "--user", help="whose week, read as them (default: the GM's, read as the system)"
    )
    parser.add_argument("--week", help="a day of the week to show (default: this week)")
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")


def run_schedule(
    command, *, user: str | None = None, week: str | None = None, as_json: bool = False, **_: Any
) -> None:
    reader = user_by_username(user)
    if isinstance(reader, User):
        person = reader
    else:
        person = User.objects.filter(role=Role.GM, is_active=True).order_by("id").first()
        if person is None:
            raise CommandError("there is no GM login; name a person with --user")
    zone = selectors.zone_of_user(user=person)
    today = timezone.now().astimezone(engine.zone_of(zone)).date()
    first_day = presenters.week_start(_date(week, "--week") or today)
    view = presenters.week_view(
        user=reader, person=person, first_day=first_day, zone=zone, today=today
    )
    rows = [
        {
            "day": day["date"].isoformat(),
            "start": item["start"].isoformat(),
            "end": item["end"].isoformat(),
            "kind": item["kind"],
            "title": item["title"],
            "place": item.get("place", ""),
            "status": "cancelled" if item.get("cancelled") else item.get("response", ""),
        }
        for day in view["days"]
        for item in day["items"]
    ]
    if as_json:
        command.stdout.write(
            json.dumps(
                {
                    "person": str(person),
                    "time_zone": zone,
                    "week": first_day.isoformat(),
                    "items": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console = command_console(command.stdout)
    table = RichTable(
        "day", "time", "what", "where", "status", title=f"{person} · {first_day} · {zone}"
    )
    for row in rows:
        table.add_row(
            row["day"],
            f"{row['start'][11:16]}–{row['end'][11:16]}",
            row["title"],
            row["place"],
            row["status"],
        )
    console.print(table)
    console.print(f"meetings: {view['meeting_count']}")


def add_slots_arguments(parser) -> None:
    parser.add_argument(
        "--with", dest="with_users", required=True, help="usernames, comma-separated"
    )
    parser.add_argument("--minutes", type=int, default=60, help="how long (default 60)")
    parser.add_argument("--from", dest="from_day", help="the first day to search (default: today)")
    parser.add_argument("--days", type=int, default=7, help="how many days to search (default 7)")
    parser.add_argument("--limit", type=int, default=8, help="how many slots (default 8)")
    parser.add_argument(
        "--user", help="search as this person, who is included (default: the system)"
    )
    parser.add_argument("--json", dest="as_json", action="store_true", help="print JSON")


def run_slots(
    command,
    *,
    with_users: str,
    minutes: int = 60,
    from_day: str | None = None,
    days: int = 7,
    limit: int = 8,
    user: str | None = None,
    as_json: bool = False,
    **_: Any,
) -> None:
    reader = user_by_username(user)
    names = [name.strip() for name in with_users.split(",") if name.strip()]
    found = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    people = [found[name] for name in dict.fromkeys(names) if name in found]
    missing = sorted(set(names) - set(found))
    if missing:
        raise CommandError(f"no active user {', '.join(missing)} (see `gmassist users list`)")
    zone = engine.zone_of(selectors.zone_of_user(user=reader))
    try:
        search = selectors.slots_for(
            user=reader,
            people=people,
            minutes=minutes,
            first_day=_date(from_day, "--from") or timezone.now().astimezone(zone).date(),
            days=days,
            now=timezone.now(),
            limit=limit,
        )
    except engine.SlotError as exc:
        raise CommandError(str(exc)) from None
    out = presenters.slots_out(slots=search.slots, people=search.people, hours=search.hours)
    if as_json:
        command.stdout.write(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        return
    console = command_console(command.stdout)
    table = RichTable("UTC", *(f"{p} ({search.hours[p.pk].zone})" for p in search.people))
    for slot in out:
        table.add_row(
            f"{slot['start']:%Y-%m-%d %H:%M}",
            *(
                f"{cell['start'][:10]} {cell['start'][11:16]}–{cell['end'][11:16]}"
                for cell in slot["local"]
            ),
        )
    console.print(table)
    console.print(
        f"{len(out)} slots" if out else "no slot suits everyone: search more days, or shorter"
    )


ACTIONS = {
    "schedule": (add_schedule_arguments, run_schedule),
    "slots": (add_slots_arguments, run_slots),
}
