"""Campaigns and festivals as the API shows them: the domain object, its status at `now` (derived
by `domain.promotions.model.status_at`, never stored) and its record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db.models.promotions import Campaign as CampaignRow
from db.models.promotions import Festival as FestivalRow
from db.repositories import promotions as repo
from domain.promotions import model as promo
from domain.promotions.summary import benefit_summary


@dataclass(frozen=True)
class CampaignView:
    campaign: promo.Campaign
    status: promo.CampaignStatus
    version: int
    created_at: datetime
    updated_at: datetime
    created_by: str
    updated_by: str
    ended_early_at: datetime | None

    @property
    def benefit_summary(self) -> str:
        return benefit_summary(self.campaign.benefit)


@dataclass(frozen=True)
class FestivalView:
    festival: promo.Festival
    status: promo.CampaignStatus  # SCHEDULED, ACTIVE or ENDED
    created_at: datetime


def view_of(row: CampaignRow, now: datetime) -> CampaignView:
    campaign = repo.to_domain(row)
    return CampaignView(
        campaign=campaign,
        status=promo.status_at(campaign, now),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=row.created_by,
        updated_by=row.updated_by,
        ended_early_at=row.ended_early_at,
    )


def festival_view(row: FestivalRow, now: datetime) -> FestivalView:
    festival = repo.festival_domain(row)
    return FestivalView(festival, promo.status_at(festival, now), row.created_at)
