"""The disconnected provider (PRODUCT.md, story 1), told through the source systems.

Michael Turner has paid for TV and internet for 15 years (over $200 a month). He moves house,
books the transfer by phone, later moves the date and is told it is done. The back office never
processes it: service is cut, a technician comes at the wrong time, six agents each start from
zero and one pushes a 12-month contract he already has. Billing, the CRM, support and the web
each hold a piece of him, under slightly different names and number formats; his wife Laura
shares his address and landline and must stay a separate customer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cxloop.profiles.demo.world import World

MICHAEL = 10_000_001
LAURA = 10_000_002
ISSUE = "MOVE-4471"
OLD_ADDRESS = "1480 Maple Ave, Springfield, IL"
NEW_ADDRESS = "22 Lakeview Dr, Springfield, IL"


def _at(anchor: date, days_ago: int, hh: int, mm: int = 0) -> str:
    moment = datetime.combine(anchor - timedelta(days=days_ago), time(hh, mm), tzinfo=UTC)
    return moment.isoformat()


def add_story(world: World) -> None:
    """Add Michael and Laura Turner, their products and the two bad days."""
    a = world.anchor
    people: list[tuple[str, str, int, dict[str, Any]]] = [
        (
            "crm",
            "C-TURNER-1",
            MICHAEL,
            {
                "id": "C-TURNER-1",
                "full_name": "Michael Turner",
                "email": "michael.turner@example.com",
                "email_verified": True,
                "phones": ["(217) 555-0134", "(217) 555-0188"],
                "birth_date": "1974-05-12",
                "address": OLD_ADDRESS,
                "postcode": "62704",
                "country": "US",
                "tier": "Gold",
                "customer_since": "2011-03-01",
                "language": "en",
            },
        ),
        (
            "billing",
            "B-TURNER-1",
            MICHAEL,
            {
                "cust_no": "B-TURNER-1",
                "holder_name": "TURNER, MICHAEL J",
                "mail": "",
                "mobile": "+1 217 555 0134",
                "birth_date": "05/12/1974",
                "address": OLD_ADDRESS,
                "postcode": "62704",
                "country": "US",
            },
        ),
        (
            "web",
            "W-TURNER-1",
            MICHAEL,
            {
                "id": "W-TURNER-1",
                "full_name": "Mike Turner",
                "email": "Michael.Turner@Example.com",
                "phones": ["217.555.0134"],
                "address": NEW_ADDRESS,
                "postcode": "62711",
                "country": "US",
            },
        ),
        (
            "support",
            "S-TURNER-1",
            MICHAEL,
            {
                "id": "S-TURNER-1",
                "full_name": "Michael Turner",
                "phones": ["2175550134"],
                "country": "US",
            },
        ),
        (
            "crm",
            "C-TURNER-2",
            LAURA,
            {
                "id": "C-TURNER-2",
                "full_name": "Laura Turner",
                "email": "laura.turner@example.com",
                "phones": ["(217) 555-0188"],
                "birth_date": "1976-09-30",
                "address": OLD_ADDRESS,
                "postcode": "62704",
                "country": "US",
                "customer_since": "2011-03-01",
            },
        ),
    ]
    for source, ext, person, row in people:
        world.truth[(source, ext)] = person
        world.add(source, "customer", row)
    for code, name, cat, amount in (
        ("TV-PREMIUM", "TV Premium", "tv", "89.00"),
        ("NET-1G", "Fibre 1G", "internet", "110.00"),
        ("TV-SPORTS", "Sports add-on", "tv", "24.00"),
    ):
        world.add(
            "billing",
            "holding",
            {
                "id": f"B-TURNER-1-{code}",
                "customer_id": "B-TURNER-1",
                "product_code": code,
                "product_name": name,
                "category": cat,
                "status": "active",
                "monthly_amount": amount,
                "currency": "USD",
                "start_date": "2011-03-01",
                "contract_end_date": (a + timedelta(days=200)).isoformat(),
            },
        )
    contacts = [
        (
            14,
            10,
            "phone",
            "move",
            "Jessica Miller",
            "booked",
            False,
            18,
            "Booked the transfer of TV and internet to the new address for next week.",
        ),
        (
            7,
            16,
            "phone",
            "move",
            "Kevin Brown",
            "confirmed",
            False,
            12,
            "Asked to move the transfer date by one day; told it is done.",
        ),
        (
            3,
            8,
            "app",
            "outage",
            None,
            "open",
            False,
            0,
            "Service cut at the old address this morning, nothing works at the new one.",
        ),
        (
            3,
            9,
            "phone",
            "outage",
            "Maria Garcia",
            "escalated",
            True,
            41,
            "Nobody can see the date change. Transferred twice. Still no service.",
        ),
        (
            3,
            15,
            "chat",
            "appointment",
            "Tyler Johnson",
            "rescheduled",
            False,
            26,
            "Technician came at 8am instead of 2pm, nobody home. Rescheduled again.",
        ),
        (
            2,
            11,
            "phone",
            "complaint",
            "Ashley Davis",
            "unresolved",
            False,
            35,
            "Agent offered a new 12-month contract. I already have a contract until next year.",
        ),
        (
            2,
            17,
            "store",
            "move",
            "Marcus Lee",
            "pending",
            False,
            50,
            "Went to the store with my wife. Six people, six different stories.",
        ),
        (
            1,
            9,
            "phone",
            "cancel",
            "Jessica Miller",
            "pending",
            True,
            22,
            "If this is not fixed today we are switching providers.",
        ),
    ]
    for k, (days, hour, channel, kind, agent, outcome, transferred, minutes, text) in enumerate(
        contacts
    ):
        world.add(
            "support",
            "interaction",
            {
                "id": f"S-TURNER-1-I{k + 1}",
                "customer_id": "S-TURNER-1",
                "channel": channel,
                "type": kind,
                "direction": "inbound",
                "started_at": _at(a, days, hour),
                "ended_at": _at(a, days, hour, minutes) if minutes else None,
                "agent": agent,
                "issue_key": ISSUE,
                "outcome": outcome,
                "transferred": transferred,
                "text": text,
                "context": {"promise": "transfer on " + (a - timedelta(days=2)).isoformat()}
                if kind == "move"
                else {},
            },
        )
    world.add(
        "crm",
        "consent",
        {
            "customer_id": "C-TURNER-1",
            "channel": "email",
            "purpose": "surveys",
            "granted": True,
            "recorded_at": "2024-01-10T10:00:00+00:00",
        },
    )
