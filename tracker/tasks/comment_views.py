"""The discussion on a task (#11 item 6): the pages."""
