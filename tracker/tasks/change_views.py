"""Changing a confirmed task and tasks made by hand (#11 items 2 and 7): the pages."""
