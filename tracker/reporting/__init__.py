"""Reports for leadership (#14): the progress report (HTML to print, PDF), the monthly
leadership digest mailed through the outbox. Reads through the dashboard's scope."""
