"""Action handlers, grouped by what they touch; actions.py maps names to them."""
