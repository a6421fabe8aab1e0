"""Pure computation: statistics, the small-group rule, round rules, figures, formatting, writers."""
