"""User mistakes as one-line errors that say what to do, and contract reverts decoded to their
custom error name with a hint."""

import re

from agent.errors import NmrxError


class UserError(NmrxError, ValueError):
    """A user mistake or a refused action; its message is one line that says what to do."""


# Custom error name → what the user can do about it. Reverts are decoded from the build's ABIs
# (agent.sender.RevertDecoder); the name and arguments come first, this hint after.
HINTS = {
    "PayoutPoolInsufficientLiquid": "deposit more (`nmrx deposit AMOUNT`) or use a smaller amount",
    "PayoutPoolInsufficientIdle": "the model's idle stake is lower; check `nmrx balance`",
    "PayoutPoolNotOwner": "use one of your own models (`nmrx balance` lists them) or verify it "
    "first (`nmrx verify`)",
    "PayoutPoolModelInUse": "the model's stake still belongs to its previous owner",
    "PayoutPoolSameModel": "name two different models",
    "PayoutPoolPaused": "the pool is paused; only unstake, move and withdrawals work now",
    "PayoutPoolInvalidTargetCount": "give 1 to 8 targets",
    "PayoutPoolInvalidBpsSum": "the shares must add up to 100%",
    "PayoutPoolInvalidTarget": "each target needs a share above 0 and a model of yours",
    "PayoutPoolFreeWithdrawalTooSoon": "use `--express --max-fee FEE` or wait until then",
    "PayoutPoolFeeAboveMax": "raise --max-fee to at least the fee",
    "PayoutPoolFeeNotBelowAmount": "withdraw more than the fee",
    "PayoutPoolExpired": "sign again",
    "MarketplaceNotModelOwner": "only the model's registered owner may do this (`nmrx verify`)",
    "MarketplaceListingNotOpen": "the listing is closed or does not exist; check the listing id",
    "MarketplaceNotSeller": "only the listing's seller may do this",
    "MarketplaceRoundNotListed": "pick a round inside the listing's range",
    "MarketplaceLadderExpired": "the round is closed for this ladder; ask for a new ladder",
    "MarketplaceLadderCancelled": "the seller replaced this ladder; buy from the current one",
    "MarketplaceLadderNotPosted": "the seller has not posted this ladder; buy the posted one",
    "MarketplaceNothingToFill": "nothing left at or below your --max-price; raise it or buy fewer",
    "MarketplaceRoundClosed": "the listing already sells a later round; buy that round",
    "MarketplaceBondTooLow": "post more bond (`nmrx list ... --bond AMOUNT`)",
    "MarketplaceInsufficientBalance": "deposit NMR into the marketplace first",
    "MarketplaceInvalidDeliveryDeadline": "the delivery deadline must be in the next 30 days",
    "MarketplaceInvalidExpiry": "give an expiry in the future",
    "MarketplaceAboveBuyerBound": "raise --max-collateral or --max-fee-bps",
    "MarketplaceOrderNotOpen": "the order is settled or unknown; check the order id",
    "MarketplaceWrongState": "the order is not in a state that allows this",
    "MarketplaceDeadlinePassed": "the deadline for this step has passed",
    "MarketplaceNotDeliverer": "only the order's seller may deliver it",
    "MarketplaceNotParty": "only the order's buyer or seller may dispute it",
    "ModelRegistryNotOwner": "only the model's registered owner may do this",
}


def revert_error(action: str, decoded: str) -> UserError:
    """`action` reverted with `decoded` (`Name(arg=value, ...)`): name, arguments and a hint."""
    name = re.match(r"[A-Za-z_]\w*", decoded)
    hint = HINTS.get(name.group(0)) if name else None
    text = f"{action} would revert with {decoded}"
    return UserError(f"{text}; {hint}" if hint else f"{text}; nothing was sent")
