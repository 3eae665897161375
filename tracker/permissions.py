"""The refusal that services raise when a user may not do something; views answer 403."""


class PermissionDenied(Exception):
    pass
