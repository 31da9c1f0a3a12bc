"""SaaS billing: plans by network size, a 30-day trial, Stripe Checkout and portal, webhooks."""
