"""All the SQL of the product's records (the database floor beneath it, ``storage/db.py``
and ``storage/db_admin.py``, holds the connection, transactions and backup statements).

Every read and write takes the acting user (``Actor``) and is scoped here, not in the
pages: a unit user reads and changes only its own unit's rows, a leader reads
everything and changes nothing, the office may do both. Every change writes its
``audit_log`` row in the same transaction as the change.

A call names the module that holds it: ``repo.declarations.submit_declaration(...)`` is
in ``declarations.py``, ``repo.grid.save_grid(...)`` in ``grid.py``; the shared plumbing
(cursor, clock, today, audit, quota, meta, data version) is on the repository itself
(``base.py``).
"""

import duckdb

from themeday.core.config import now as default_clock
from themeday.repository.accounts import Accounts
from themeday.repository.activities import Activities
from themeday.repository.base import Clock, Family, RepositoryBase
from themeday.repository.catalogue import Catalogue
from themeday.repository.compliance import Compliance
from themeday.repository.declarations import Declarations
from themeday.repository.grid import Grid
from themeday.repository.oversight import Oversight

FAMILIES: dict[str, type[Family]] = {
    "accounts": Accounts,
    "activities": Activities,
    "catalogue": Catalogue,
    "compliance": Compliance,
    "declarations": Declarations,
    "grid": Grid,
    "oversight": Oversight,
}
"""Each attribute of :class:`Repository` that holds a table family, with its class."""


class Repository(RepositoryBase):
    """Data access for one script run (one DuckDB cursor), scoped to the acting user,
    one attribute per table family."""

    def __init__(
        self,
        cur: duckdb.DuckDBPyConnection,
        clock: Clock = default_clock,
        client_address: str = "",
    ):
        super().__init__(cur, clock, client_address)
        self.accounts = Accounts(self)
        """Users, logins and sessions (``accounts.py``)."""
        self.activities = Activities(self)
        """Activities' steps, files, comments and the public showcase (``activities.py``)."""
        self.catalogue = Catalogue(self)
        """Units, campaigns and working-day overrides (``catalogue.py``)."""
        self.compliance = Compliance(self)
        """Compliance facts, adjustments, weights and chases (``compliance.py``)."""
        self.declarations = Declarations(self)
        """Declarations, their themes, history and scans (``declarations.py``)."""
        self.grid = Grid(self)
        """The 数据表 grid's reads, saves, views and record comments (``grid.py``)."""
        self.oversight = Oversight(self)
        """Progress counts, the audit log, backups and retention (``oversight.py``)."""


__all__ = ["FAMILIES", "Clock", "Repository"]
