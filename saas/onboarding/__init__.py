"""Onboarding: creating a network with its first steward, and invitations to take a role in it."""
