"""Tenancy: networks, memberships and roles, resolving the current network from the URL, the one
scoping mechanism (tenants.scoping, with the one `tenant_fk` helper), PostgreSQL row-level
security (tenants.rls), the global keys found before the network is known (tenants.lookups), and `tenants.setup.init_app` that installs them in an app.

Tenants build on the core (settings, extensions, the model base) and on no feature: features
build on tenants.
"""
