"""Marketing use cases: festivals, campaigns and their lifecycle, the audit log, the campaign list
customers and marketers see, and `promotionPreview` (the customer quote as a dry run).

The decisions live in `domain.promotions`: which state a change leads to (`lifecycle`), the
derived status (`model.status_at`), conflicts (`conflicts`). These modules load, ask, write and
return:

    views       CampaignView / FestivalView: what the API shows, status derived at `now`
    checks      input checks the domain does not make (lengths, list sizes, offsets)
    campaigns   create, update, pause, resume, end (version-guarded, audited)
    festivals   create, list, by id
    listing     campaigns as customers and marketers see them, stats, audit log
    preview     the quote a customer would get at an instant, as a dry run

Every change is audited in its own transaction and then bumps the Redis version counter, so every
worker reloads its campaign index.
"""

from resolvers.promotions.campaigns import (
    CampaignResult,
    campaign_create,
    campaign_end,
    campaign_pause,
    campaign_resume,
    campaign_update,
)
from resolvers.promotions.festivals import festival_by_id, festival_create, festivals_page
from resolvers.promotions.listing import (
    CampaignStatsView,
    audit_page,
    campaign_by_id,
    campaign_stats,
    campaigns_page,
    flush_campaign_stats,
)
from resolvers.promotions.preview import PreviewTarget, preview
from resolvers.promotions.views import CampaignView, FestivalView

__all__ = [
    "CampaignResult",
    "CampaignStatsView",
    "CampaignView",
    "FestivalView",
    "PreviewTarget",
    "audit_page",
    "campaign_by_id",
    "campaign_create",
    "campaign_end",
    "campaign_pause",
    "campaign_resume",
    "campaign_stats",
    "campaign_update",
    "campaigns_page",
    "festival_by_id",
    "festival_create",
    "festivals_page",
    "flush_campaign_stats",
    "preview",
]
