"""Money: integer minor units with an ISO 4217 currency."""

from __future__ import annotations

# ISO 4217 minor-unit exponents of the currencies we accept.
CURRENCY_EXPONENTS = {
    "USD": 2, "TWD": 2, "HKD": 2, "CNY": 2, "THB": 2, "EUR": 2, "GBP": 2, "SGD": 2, "MYR": 2,
    "AUD": 2, "CAD": 2, "NZD": 2, "CHF": 2, "MOP": 2, "PHP": 2, "IDR": 2, "INR": 2, "VND": 0,
    "JPY": 0, "KRW": 0, "SEK": 2, "NOK": 2, "DKK": 2, "MXN": 2, "BRL": 2, "ZAR": 2, "AED": 2,
}  # fmt: skip


def format_money(minor: int | None, currency: str | None) -> str:
    """Format minor units as an amount with its currency code, e.g. ``TWD 1,299.00``."""
    if minor is None or not currency:
        return "—"
    exp = CURRENCY_EXPONENTS.get(currency, 2)
    value = minor / (10**exp) if exp else minor
    return f"{currency} {value:,.{exp}f}"
