"""What the catalogue's filters offer to choose from (types, neighbourhoods, partners), kept
in Redis per network, version of its data and language.

Every committed change to a type, place or partner bumps the network's data version
(`saas.caching`), so the next page reads a new key and shows the change at once; a repeat costs a
Redis read instead of three statements and two hundred partners loaded as objects. Without Redis
the lists are read every time.
"""

from __future__ import annotations

from dataclasses import dataclass

from saas import caching
from saas.catalogue.services import neighbourhoods, offer_types
from saas.partners.queries import active_partner_names
from tenants.context import current_network_id


@dataclass(frozen=True)
class FilterLists:
    types: list[tuple[int, str]]  # (id, name in the language)
    neighbourhoods: list[str]
    partners: list[tuple[int, str]]  # (id, name), active partners only


def filter_lists(language: str) -> FilterLists:
    """The current network's filter lists in `language`."""

    def read() -> FilterLists:
        return FilterLists(
            types=[(t.id, t.name(language)) for t in offer_types()],
            neighbourhoods=neighbourhoods(),
            partners=active_partner_names(),
        )

    return caching.kept("catalogue-filters", current_network_id(), language, FilterLists, read)
