"""Reminders and escalations: the pure policy, the planner, the outbox and its sender."""
