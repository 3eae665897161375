"""Calendar feeds: each user's open deadlines as a private iCalendar URL."""
