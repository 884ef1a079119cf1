"""The audit log of security events: sign-ins and failed sign-ins, lockouts, refusals, exports,
imports, erasures, portal grants and revokes. `record()` is how every app writes to it."""
