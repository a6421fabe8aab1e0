"""Spindelvæv: cross-professional teams score, discuss and follow up on how they work together."""
