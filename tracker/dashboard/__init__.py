"""The managers' dashboard: figures, overdue lists and exports, all from SQL aggregates."""
