"""Demo data for `make run` and `familyhub demo-data`: hubs, agencies, staff, about 35 households
and episodes at every stage, with Supporting Families claims. Kept out of `app/`: the service never
imports it; only the command line loads it.

The hubs, the agencies and the directory's first member (the admin) are what an operator sets up
before anyone can sign in: they are written straight through the repositories and
`seed_practitioner`, outside the access rules and the audit trail. Everything after that is done
as the demo staff (an `Actor` each) through the same services the API calls, so every rule, access
decision and audit entry applies.
"""

from demo.households import load_demo_data

__all__ = ["load_demo_data"]
