"""BPR: business-process worksheets (as-is / to-be) and the measured effect dashboard."""
