"""Campaign routes: budget, use, window and terms, as the chain has them."""

from __future__ import annotations

import httpx
from eth_utils.crypto import keccak

from api.models import CampaignListPublic, CampaignPublic
from tests.api.world import World


async def test_campaigns_list_budget_use_and_terms_hash_as_on_chain(
    client: httpx.AsyncClient, world: World
) -> None:
    reply = await client.get("/v1/campaigns")
    listing = CampaignListPublic.model_validate(reply.json())
    assert sorted(c.name for c in listing.campaigns) == ["summer", "unkept", "welcome"]
    for campaign in listing.campaigns:
        chain = world.client.campaign(world.campaigns[campaign.name])
        assert (int(campaign.budget), int(campaign.issued), int(campaign.remaining)) == (
            chain.budget,
            chain.issued,
            chain.remaining,
        )
        assert (campaign.start_time, campaign.end_time, campaign.closed) == (
            chain.start,
            chain.end,
            chain.closed,
        )
        assert campaign.terms_hash == "0x" + chain.terms_hash.hex()


async def test_campaign_list_pages_cover_every_campaign_once(client: httpx.AsyncClient) -> None:
    names, cursor = [], None
    while True:
        page = (
            await client.get("/v1/campaigns", params={"limit": 1, **({"cursor": cursor} if cursor else {})})
        ).json()
        names += [c["name"] for c in page["campaigns"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert names == ["summer", "unkept", "welcome"]


async def test_one_campaign_by_text_or_hex_id(client: httpx.AsyncClient, world: World) -> None:
    by_text = await client.get("/v1/campaigns/welcome")
    by_hex = await client.get(f"/v1/campaigns/0x{world.campaigns['welcome'].hex()}")
    assert by_text.status_code == by_hex.status_code == 200
    assert by_text.json() == by_hex.json()
    campaign = CampaignPublic.model_validate(by_text.json())
    assert (campaign.issued, campaign.reversed, campaign.terms_available) == ("302", "30", True)


async def test_a_closed_campaign_shows_closed(client: httpx.AsyncClient) -> None:
    reply = await client.get("/v1/campaigns/unkept")
    assert reply.json()["closed"] is True and reply.json()["issued"] == "7"


async def test_terms_text_hashes_to_the_on_chain_terms_hash(client: httpx.AsyncClient, world: World) -> None:
    reply = await client.get("/v1/campaigns/summer/terms")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/plain")
    assert reply.content == world.terms["summer"]
    assert "0x" + keccak(reply.content).hex() == reply.headers["x-terms-hash"]
    assert keccak(reply.content) == world.client.campaign(world.campaigns["summer"]).terms_hash


async def test_terms_not_kept_by_this_operator_are_not_found(client: httpx.AsyncClient) -> None:
    reply = await client.get("/v1/campaigns/unkept/terms")
    assert reply.status_code == 404 and "not kept here" in reply.json()["message"]


async def test_an_unknown_campaign_is_not_found(client: httpx.AsyncClient) -> None:
    for path in ("/v1/campaigns/no-such-campaign", "/v1/campaigns/no-such-campaign/terms"):
        reply = await client.get(path)
        assert reply.status_code == 404 and reply.json()["error"] == "not_found"
