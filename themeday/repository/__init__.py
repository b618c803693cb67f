"""All the SQL of the product's records (the database floor beneath it, ``storage/db.py``
and ``storage/db_admin.py``, holds the connection, transactions and backup statements).

Every read and write takes the acting user (``Actor``) and is scoped here, not in the
pages: a unit user reads and changes only its own unit's rows, a leader reads
everything and changes nothing, the office may do both. Every change writes its
``audit_log`` row in the same transaction as the change.
"""

from themeday.repository.accounts import AccountsMixin
from themeday.repository.activities import ActivitiesMixin
from themeday.repository.base import Clock, RepositoryBase
from themeday.repository.catalogue import CatalogueMixin
from themeday.repository.compliance import ComplianceMixin
from themeday.repository.declarations import DeclarationsMixin
from themeday.repository.grid import GridMixin
from themeday.repository.oversight import OversightMixin


class Repository(
    AccountsMixin,
    CatalogueMixin,
    DeclarationsMixin,
    ActivitiesMixin,
    OversightMixin,
    ComplianceMixin,
    GridMixin,
    RepositoryBase,
):
    """Data access for one script run (one DuckDB cursor), scoped to the acting user."""


__all__ = ["Clock", "Repository"]
