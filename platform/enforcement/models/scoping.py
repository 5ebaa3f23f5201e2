"""Jurisdiction scoping and the actor moved to enforcement.db (scoping.py, acting.py)."""

# Moved to enforcement.db; importers switch in one pass.
from enforcement.db.acting import SYSTEM as SYSTEM
from enforcement.db.acting import Actor as Actor
from enforcement.db.acting import current_actor as current_actor
from enforcement.db.scoping import UNSCOPED as UNSCOPED
from enforcement.db.scoping import OutOfJurisdiction as OutOfJurisdiction
from enforcement.db.scoping import check_writable as check_writable
from enforcement.db.scoping import install_scoping as install_scoping
from enforcement.db.scoping import visible as visible
