"""Data quality: the product guides' best practices as checks over customers, locations, assets
and contacts (`rules.py`), read with set-based queries (`selectors.py`), shown by the API
(`quality/`), the staff pages (a dashboard, a section on customer and contact pages) and the
command line (`clientbase quality`)."""
