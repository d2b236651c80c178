"""The domain: customers, their rules, and the backends that store them. No Flask here."""
