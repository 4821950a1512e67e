"""Festivals, campaigns and the pure engine that prices a cart against them.

model      what marketing configures (Campaign, Benefit, Targets, ...) and `status_at`
stacking   which campaigns may share a cart line
engine     `evaluate(...) -> Quote` and the reusable `CampaignIndex`
schedule   benefit terms and the 12-month price schedule
caps       `CampaignUsage` for pricing, `CapLedger`: the reference semantics of cap reservations
conflicts  `warnings_for(...)` on create/update
codec      JSON-safe dicts for storage
"""
