"""A network's data leaving Dorp and coming back: the export its stewards download (a ZIP of one
JSON file per table, CSV for people, a README of the columns), the import into an empty network
(`flask networks import`), and offboarding (closing a network, deleting its rows after a grace
period)."""
