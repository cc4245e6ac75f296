"""The sampling planner page: plain GET forms (shareable links), percentages for people."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from cxloop.auth.dependencies import WebActor
from cxloop.core.errors import AppError
from cxloop.core.params import parse_int
from cxloop.core.routing import UnitOfWorkRoute
from cxloop.surveys import planner as service
from cxloop.surveys.schemas import (
    NpsMarginRequest,
    NpsSizeRequest,
    ProportionRequest,
    StratifiedRequest,
    StratumIn,
)
from cxloop.web.render import render

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


def _number(field: str, raw: str, percent: bool = False) -> float:
    """A typed number (a percentage: ``5``, ``5%`` or ``5,5`` for 0.05 or 0.055)."""
    text = raw.strip().replace(",", ".").rstrip("%") if percent else raw.strip()
    try:
        value = float(text)
    except ValueError:
        raise service.field_error(field, "is not a number") from None
    return value / 100 if percent else value


def _whole(field: str, raw: str) -> int:
    value = parse_int(raw.strip().replace(",", "").replace("_", ""))
    if value is None:
        raise service.field_error(field, "is not a whole number (at most 18 digits)")
    return value


def _pct(q: dict[str, str], key: str) -> float | None:
    raw = q.get(key, "").strip()
    return _number(key, raw, percent=True) if raw else None


def _int(q: dict[str, str], key: str) -> int | None:
    raw = q.get(key, "").strip()
    return _whole(key, raw) if raw else None


def _strata(text: str) -> list[StratumIn]:
    out = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if not cells or not cells[0] or cells[0].startswith("#"):
            continue
        size = cells[1] if len(cells) > 1 else ""
        item: dict[str, Any] = {"name": cells[0]}
        field = f"strata line {line}"
        if size.endswith("%"):
            item["share"] = _number(f"{field} share", size, percent=True)
        elif size:
            item["population"] = _whole(f"{field} population", size)
        if len(cells) > 2 and cells[2]:
            item["minimum"] = _whole(f"{field} minimum", cells[2])
        if len(cells) > 3 and cells[3]:
            item["response_rate"] = _number(f"{field} response rate", cells[3], percent=True)
        out.append(StratumIn.model_validate(item))
    return out


def _compute(calc: str, q: dict[str, str]) -> Any:
    conf = _pct(q, "confidence") or 0.95
    if calc == "proportion":
        return service.proportion(
            ProportionRequest(
                margin=_pct(q, "margin") or 0.0,
                confidence=conf,
                proportion=_pct(q, "proportion") or 0.5,
                population=_int(q, "population"),
                response_rate=_pct(q, "response_rate"),
            )
        )
    if calc == "nps":
        return service.nps_size(
            NpsSizeRequest(
                margin=_number("nps_margin", q.get("nps_margin") or "0"),
                confidence=conf,
                promoters=_pct(q, "promoters"),
                detractors=_pct(q, "detractors"),
                population=_int(q, "population"),
                response_rate=_pct(q, "response_rate"),
            )
        )
    if calc == "nps_margin":
        return service.nps_margin(
            NpsMarginRequest(
                promoters=_pct(q, "promoters") or 0.0,
                detractors=_pct(q, "detractors") or 0.0,
                responses=_int(q, "responses"),
                confidence=conf,
            )
        )
    if calc == "strata":
        return service.stratified(
            StratifiedRequest(
                strata=_strata(q.get("strata", "")),
                total=_int(q, "total"),
                margin=_pct(q, "margin"),
                method=q.get("method", "proportional"),
                confidence=conf,
                response_rate=_pct(q, "response_rate"),
            )
        )
    return None


@router.get("/sampling", response_class=HTMLResponse)
def sampling_page(request: Request, actor: WebActor) -> Response:
    """The sampling planner."""
    q = dict(request.query_params)
    calc = q.get("calc", "")
    result, error = None, None
    if calc:
        try:
            result = _compute(calc, q)
        except AppError as exc:
            error = exc.to_dict()["error"]
        except ValueError as exc:
            error = service.invalid_input(exc).to_dict()["error"]
    status = 422 if error else 200
    return render(
        request,
        "surveys/sampling.html",
        {"q": q, "calc": calc, "r": result, "error": error},
        status,
    )
