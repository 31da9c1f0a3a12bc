"""Single sign-on through OpenID Connect providers a network (or the platform) configures."""
