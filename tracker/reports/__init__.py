"""Trip reports: the pure parser (`parsing`), import services, pages and `tracker import`."""
