"""Number selection (靓号专区): pattern classifier, tiers and terms, resident ID checks."""
