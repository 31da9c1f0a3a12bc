from blueprints.hsds_profile.views import bp

__all__ = ["bp"]
