"""Dorp: the application and its domain. The app factory is `saas.app.create_app`."""
