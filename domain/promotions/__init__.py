"""Festivals, campaigns and the pure engine that prices a cart against them.

model      what marketing configures (Campaign, Benefit, Targets, ...) and `status_at`
           (campaigns and festivals)
stacking   which campaigns may share a cart line
engine     `evaluate(...) -> Quote` and the reusable `CampaignIndex`
schedule   benefit terms and the 12-month price schedule
caps       `CampaignUsage`, `within_caps` (the one cap rule), takes and reservation states
lifecycle  publish, edit, pause, resume, end, and the version guard
conflicts  `warnings_for(...)` on create/update
codec      JSON-safe dicts for storage
"""
