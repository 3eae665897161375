"""The `tracker demo` command: demo users and the sample reports."""
