"""Service reports: work orders counted per customer, location or asset over a period (totals by
status, the mean days to complete, the last service), and the assets without service for some
months. Read with one set-based query each (`selectors.py`), shown by the API
(`reports/service/`, `reports/idle-assets/`), downloaded as CSV or XLSX (`downloads.py`) and on
the staff page `/reports/`. Staff only: the portal has its own reports page."""
