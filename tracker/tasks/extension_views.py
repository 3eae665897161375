"""Extensions as a workflow (#11 item 1): the pages."""
