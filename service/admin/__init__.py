"""The back office: operators look up accounts, lock them, revoke tokens, look at projects and
re-run or purge exports, every action audited. Its own process and port (`make admin`), never
mounted on the public API; SQLAdmin over the service's own tables (service/tables.py)."""
