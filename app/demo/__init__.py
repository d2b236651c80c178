"""Demo data, a development tool kept out of the domain: realistic customers (with cards,
VAT numbers, a few tax certificates, cards nobody has saved yet, and their history in the
audit trail) loaded in bulk into the local store.

``markets`` says where the customers live; ``names`` and ``pools`` draw the values from Faker,
pycountry and phonenumbers once per process; ``generator`` (with ``contact``, ``payments``
and ``history``) turns them into rows; ``workers`` runs it in two processes for big loads;
``load`` with ``sqlite`` and ``postgresql`` writes the rows in bulk.
"""

from .load import seed_customers

__all__ = ["seed_customers"]
