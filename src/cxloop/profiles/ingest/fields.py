"""The canonical fields of every ingestible entity: names, types, limits, allowed values."""

from __future__ import annotations

from dataclasses import dataclass

from cxloop.core import money

ENTITIES = ("customer", "holding", "order", "interaction", "consent", "preference")
SOURCE_KINDS = ("crm", "billing", "support", "web", "app", "pos", "other")
CHANNELS = ("phone", "chat", "email", "web", "app", "store", "social", "sms", "survey")
CONSENT_CHANNELS = ("email", "sms", "phone", "post", "app", "web", "chat", "all")
CONSENT_PURPOSES = ("marketing", "surveys", "service", "profiling", "all")
HOLDING_STATUSES = ("active", "pending", "suspended", "cancelled", "ended")
ORDER_STATUSES = ("completed", "pending", "cancelled", "refunded", "returned")
DIRECTIONS = ("inbound", "outbound")

CURRENCY_EXPONENTS = money.CURRENCY_EXPONENTS


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field: its type and limits."""

    name: str
    type: str  # str | text | int | bool | date | birthdate | datetime | enum | list | json
    required: bool = False
    max_len: int = 200
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


def _s(name: str, max_len: int = 200, required: bool = False, *aliases: str) -> FieldSpec:
    return FieldSpec(name, "str", required, max_len, (), aliases)


_CUSTOMER_REF = (
    _s("customer_id", 200, True, "customer", "customer_ref", "customer_external_id"),
    _s("customer_source", 64),
)

SPECS: dict[str, tuple[FieldSpec, ...]] = {
    "customer": (
        _s("external_id", 200, True, "id", "customer_id"),
        _s("full_name", 300, False, "name"),
        _s("given_name", 200, False, "first_name"),
        _s("family_name", 200, False, "last_name", "surname"),
        FieldSpec("emails", "list", max_len=254, aliases=("email", "email_address")),
        FieldSpec("email_verified", "bool"),
        FieldSpec("phones", "list", max_len=40, aliases=("phone", "mobile", "telephone")),
        _s("address", 500, False, "address_line", "street"),
        _s("city", 200),
        _s("postcode", 20, False, "zip", "postal_code", "zipcode"),
        _s("country", 2, False, "region", "country_code"),
        FieldSpec("birth_date", "birthdate", aliases=("dob", "date_of_birth", "birthday")),
        _s("language", 16, False, "lang", "locale"),
        _s("tier", 64),
        _s("segment", 64),
        FieldSpec("customer_since", "date", aliases=("since", "joined_at")),
        FieldSpec("updated_at", "datetime", aliases=("last_modified", "modified_at")),
        FieldSpec("refs", "list", max_len=230, aliases=("external_ids", "xrefs", "same_as")),
    ),
    "holding": (
        _s("external_id", 200, True, "id", "subscription_id", "holding_id"),
        *_CUSTOMER_REF,
        _s("product_code", 100, False, "sku", "plan_code"),
        _s("product_name", 300, True, "product", "plan", "plan_name"),
        _s("category", 100),
        FieldSpec("status", "enum", choices=HOLDING_STATUSES),
        FieldSpec("monthly_amount", "money", aliases=("monthly_fee", "mrc", "price")),
        FieldSpec("currency", "currency", required=True),
        FieldSpec("start_date", "date", aliases=("started_on", "start")),
        FieldSpec("end_date", "date", aliases=("ended_on", "end")),
        FieldSpec("contract_end_date", "date", aliases=("contract_end",)),
        FieldSpec("updated_at", "datetime"),
    ),
    "order": (
        _s("external_id", 200, True, "id", "order_id"),
        *_CUSTOMER_REF,
        FieldSpec("ordered_at", "datetime", required=True, aliases=("date", "order_date")),
        FieldSpec("amount", "money", required=True, aliases=("total",)),
        FieldSpec("currency", "currency", required=True),
        FieldSpec("status", "enum", choices=ORDER_STATUSES),
        FieldSpec("channel", "enum", choices=CHANNELS),
        FieldSpec("description", "text", max_len=2000, aliases=("items",)),
    ),
    "interaction": (
        _s("external_id", 200, True, "id", "interaction_id"),
        *_CUSTOMER_REF,
        FieldSpec("channel", "enum", required=True, choices=CHANNELS),
        _s("type", 64, True, "interaction_type", "reason"),
        FieldSpec("direction", "enum", choices=DIRECTIONS),
        FieldSpec("started_at", "datetime", required=True, aliases=("start", "timestamp", "at")),
        FieldSpec("ended_at", "datetime", aliases=("end",)),
        _s("agent", 200, False, "agent_id", "agent_name"),
        _s("team", 200, False, "queue"),
        _s("issue_key", 200, False, "thread_id", "ticket_id", "case_id"),
        _s("outcome", 64, False, "resolution", "status"),
        FieldSpec("transferred", "bool"),
        FieldSpec("text", "text", max_len=0, aliases=("notes", "body", "transcript", "comment")),
        FieldSpec("context", "json"),
    ),
    "consent": (
        _s("external_id", 200),
        *_CUSTOMER_REF,
        FieldSpec("channel", "enum", required=True, choices=CONSENT_CHANNELS),
        FieldSpec("purpose", "enum", required=True, choices=CONSENT_PURPOSES),
        FieldSpec("granted", "bool", required=True, aliases=("consent", "opt_in")),
        FieldSpec("recorded_at", "datetime", aliases=("updated_at", "at")),
        FieldSpec("note", "text", max_len=2000),
    ),
    "preference": (
        _s("external_id", 200),
        *_CUSTOMER_REF,
        FieldSpec("preferred_channels", "list", max_len=16, aliases=("channels",)),
        _s("language", 16, False, "lang"),
        FieldSpec("max_surveys_per_month", "int"),
        _s("quiet_hours", 16),
        _s("timezone", 64, False, "tz"),
        FieldSpec("recorded_at", "datetime", aliases=("updated_at", "at")),
    ),
}


def field_names(entity: str) -> list[str]:
    """The canonical field names of an entity."""
    return [f.name for f in SPECS[entity]]
