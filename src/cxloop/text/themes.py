"""A workspace's themes and how a taxonomy theme found in a text maps onto them.

Every workspace starts with the taxonomy's themes (rows created on first use). A merged theme
sends its mentions to the theme it was merged into; a theme split off another (its ``terms``)
takes the parent's mentions whose text contains one of those words.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from cxloop.core import clock, db
from cxloop.text.models import TextTheme
from cxloop.text.pipeline import Analyzer
from cxloop.text.types import Evidence

_TABLE = TextTheme.__table__


def ensure_taxonomy_themes(session: Session, workspace_id: int, analyzer: Analyzer) -> None:
    """Create the rows of the taxonomy's themes the workspace does not have yet."""
    t = clock.now()
    rows = [
        {
            "workspace_id": workspace_id,
            "key": theme.id,
            "status": "active",
            "terms": [],
            "created_at": t,
            "updated_at": t,
        }
        for theme in analyzer.taxonomy.themes
    ]
    db.upsert(session, _TABLE, rows, ["workspace_id", "key"])


def term_hits(text: str, terms: list[str]) -> list[Evidence]:
    """Where each of ``terms`` occurs in ``text`` (case-insensitive for Latin script)."""
    low = text.casefold()
    out: list[Evidence] = []
    for term in terms:
        needle = term.casefold()
        if not needle:
            continue
        start = low.find(needle)
        while start >= 0:
            out.append(Evidence(term, start, start + len(needle)))
            start = low.find(needle, start + len(needle))
    return sorted(out, key=lambda e: e.start)


@dataclass
class ThemeMap:
    """A workspace's themes, read once per batch: taxonomy key -> the theme that gets mentions."""

    by_key: dict[str, TextTheme]
    by_id: dict[int, TextTheme]
    children: dict[int, list[TextTheme]]

    @classmethod
    def load(cls, session: Session, workspace_id: int) -> ThemeMap:
        """Read the workspace's themes."""
        from sqlalchemy import select

        themes = list(
            session.scalars(select(TextTheme).where(TextTheme.workspace_id == workspace_id))
        )
        children: dict[int, list[TextTheme]] = {}
        for t in themes:
            if t.parent_id is not None and t.status == "active":
                children.setdefault(t.parent_id, []).append(t)
        return cls({t.key: t for t in themes}, {t.id: t for t in themes}, children)

    def surviving(self, theme: TextTheme) -> TextTheme:
        """Follow merges to the theme that now holds this one's mentions."""
        seen = 0
        while theme.status == "merged" and theme.merged_into_id is not None and seen < 50:
            theme = self.by_id[theme.merged_into_id]
            seen += 1
        return theme

    def route(self, key: str, text: str) -> tuple[TextTheme, list[Evidence]] | None:
        """The theme a taxonomy hit lands on and, for a split-off theme, its words in ``text``."""
        theme = self.by_key.get(key)
        if theme is None:
            return None
        theme = self.surviving(theme)
        found: list[Evidence] = []
        for _depth in range(10):
            for child in self.children.get(theme.id, []):
                hits = term_hits(text, child.terms)
                if hits:
                    theme, found = child, hits
                    break
            else:
                break
        return theme, found
