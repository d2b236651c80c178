"""Human names for the customer's fields, as the screens, messages and audit trail show them.

The services and the audit trail name a field by its Digital River parameter path
(``shipping.address.postalCode``, ``metadata.crmId``); staff never read those. ``label`` turns
any such path, including the open-ended ones (a metadata key, a payment source, a tax
identifier type, a certificate's position), into the name the edit form uses for it."""

from __future__ import annotations

FIELD_LABELS: dict[str, str] = {
    "email": "Email",
    "type": "Type",
    "locale": "Locale",
    "enabled": "Enabled",
    "requestToBeForgotten": "Request to be forgotten",
    "defaultSourceId": "Default payment source",
    "shipping.name": "Name",
    "shipping.phone": "Phone",
    "shipping.email": "Shipping email",
    "shipping.organization": "Organization",
    "shipping.address.line1": "Address line 1",
    "shipping.address.line2": "Address line 2",
    "shipping.address.city": "City",
    "shipping.address.postalCode": "Postal code",
    "shipping.address.state": "State / region",
    "shipping.address.country": "Country",
    "shipping.additionalAddressInfo.neighborhood": "Neighborhood",
    "shipping.additionalAddressInfo.division": "Division",
    "shipping.additionalAddressInfo.phoneticName": "Phonetic name",
    "metadata": "Metadata",
    "sources": "Payment sources",
    "taxIdentifiers": "Tax identifiers",
    "taxCertificates": "Tax certificates",
}


def label(path: str) -> str:
    """``shipping.address.city`` → ``City``; ``metadata.crmId`` → ``Metadata “crmId”``;
    ``sources.<id>`` → ``Payment source`` (``sources.<id>.owner``: its owner's details);
    ``taxIdentifiers.de`` → ``Tax ID (de)``;
    ``taxCertificates.0`` → ``Tax certificate 1``. An unknown path is returned as it is."""
    known = FIELD_LABELS.get(path)
    if known is not None:
        return known
    head, dot, rest = path.partition(".")
    if not dot or not rest:
        return path
    if head == "metadata":
        return f"Metadata “{rest}”"
    if head == "sources":
        return "Payment source owner" if rest.endswith(".owner") else "Payment source"
    if head == "taxIdentifiers":
        return f"Tax ID ({rest})"
    if head == "taxCertificates" and rest.isdigit():
        return f"Tax certificate {int(rest) + 1}"
    return path


def labels(paths: tuple[str, ...] | list[str]) -> list[str]:
    """The labels of several paths, each once, in the order given."""
    seen: dict[str, None] = {}
    for path in paths:
        seen.setdefault(label(path), None)
    return list(seen)
