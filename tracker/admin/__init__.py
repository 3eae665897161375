"""Users and departments: admin pages and the `users` and `departments` commands."""
