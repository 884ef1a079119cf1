"""Import and export of contacts, customers and locations: CSV, XLSX and vCard, both directions."""
