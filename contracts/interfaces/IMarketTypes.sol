// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarketTypes
/// @notice Data types shared by the marketplace interfaces.
interface IMarketTypes {
    /// @notice How a listing's predictions are sold.
    /// @dev File: the buyer gets the file, proceeds release on delivery (no check is possible).
    /// VerifiedFile: a file the platform also submits to the buyer's slot, so a verdict follows.
    /// Stake: the buyer buys NMR stake allowance on predictions it never sees; it locks collateral.
    enum Mode {
        File,
        VerifiedFile,
        Stake
    }

    /// @notice Non-terminal states of an order. A terminal order has no stored commitment.
    enum OrderState {
        None,
        Paid,
        Delivered,
        Judged,
        Disputed
    }

    /// @notice A verifier's verdict or an arbiter's ruling on a delivered order.
    enum Verdict {
        None,
        Consistent,
        SellerFault,
        BuyerFault
    }

    /// @notice How an order ended.
    enum Outcome {
        Released,
        Refunded,
        SellerSlashed,
        BuyerSlashed
    }

    /// @notice A seller's price ladder for one round of a listing, signed (EIP-712) or posted.
    /// @param listingId The listing the ladder sells.
    /// @param round The Numerai round the buyer gets predictions for.
    /// @param version Ladder version within the listing: a higher version replaces (and resets
    /// the sold count of) a lower one; lower versions can no longer be filled.
    /// @param counter Must equal the seller's current counter; `cancelAllLadders` bumps it.
    /// @param deliverBy Delivery deadline (the round's submission deadline) as a unix time.
    /// @param expiry Last unix time at which the ladder can be filled.
    /// @param prices Price per unit of each tier, in NMR wei, filled in order.
    /// @param units Units of each tier: copies (file modes) or whole NMR of stake allowance.
    struct Ladder {
        uint256 listingId;
        uint16 round;
        uint16 version;
        uint32 counter;
        uint32 deliverBy;
        uint32 expiry;
        uint256[] prices;
        uint256[] units;
    }

    /// @notice An open order. Only its hash is stored; callers pass the struct back, taken from
    /// the latest event that carried it. Everything that decides who gets what is in it (or in the
    /// immutable terms `terms` names), so nothing the admin changes later reaches it.
    /// @param id Order id (a hash of where it came from).
    /// @param seller Seller whose bond backs the order.
    /// @param buyer Buyer who paid.
    /// @param mode Sale mode copied from the listing.
    /// @param state Current state.
    /// @param verdict The verifier's verdict once judged (Consistent when a verifier stayed silent
    /// and the order was disputed, or when a plain file was delivered).
    /// @param deadline When the current state times out to its default outcome.
    /// @param feeBps Platform fee, from the listing's snapshot.
    /// @param terms Id of the immutable terms (rates and windows) the order settles under: the
    /// listing's terms, fixed when the listing was created.
    /// @param verdictWindow Time after delivery for the verifier's verdict (verified and stake
    /// modes): the terms' window, at least the model tournament's first-live-score delay.
    /// @param price Escrowed payment.
    /// @param buyerCollateral Escrowed buyer collateral (stake mode).
    /// @param bond Seller bond this order keeps locked (price × the listing's minimum bond ratio).
    struct Order {
        uint256 id;
        address seller;
        address buyer;
        Mode mode;
        OrderState state;
        Verdict verdict;
        uint32 deadline;
        uint16 feeBps;
        uint32 terms;
        uint32 verdictWindow;
        uint88 price;
        uint88 buyerCollateral;
        uint88 bond;
    }

    /// @notice A listing: one model, a round range, one mode, and the terms of the day it was
    /// created. Stored in two slots, both read by a fill, with the fields in another order than
    /// here (see `MarketListings.StoredListing`) so that all a fill writes is in one slot. Round
    /// numbers fit 16 bits (Numerai is near round 1,100); a model id is a UUID (16 bytes), so it
    /// fits 128 bits.
    /// @param seller The model's owner when the listing was created; every sale re-checks it.
    /// @param version Lowest ladder version that can still be filled.
    /// @param sold Units of the current version sold for `soldRound`.
    /// @param soldRound The round `sold` counts; a fill for a later round starts a new count, a
    /// fill for an earlier round reverts (only the latest round a listing sold keeps selling).
    /// @param feeBps Platform fee snapshot from the terms at creation.
    /// @param minBondBps Bond per NMR of order price snapshot from the terms at creation.
    /// @param terms Id of the terms every order of the listing carries.
    /// @param verdictWindow Verdict window of the listing's orders (see `Order.verdictWindow`).
    struct Listing {
        address seller;
        Mode mode;
        bool closed;
        uint16 version;
        uint32 sold;
        uint16 fromRound;
        uint16 toRound;
        uint128 modelId;
        uint16 soldRound;
        uint16 feeBps;
        uint16 minBondBps;
        uint32 terms;
        uint32 verdictWindow;
    }

    /// @notice A bid with its escrow.
    struct Bid {
        address buyer;
        uint16 round;
        uint32 deliverBy;
        uint32 expiry;
        uint64 listingId;
        uint64 units;
        uint88 price;
        uint88 collateral;
    }

    /// @notice Admin-set rates, each within the bounds the implementation documents.
    /// @param feeBps Platform fee on released payments.
    /// @param minBondBps Seller bond required per unit of open exposure (sum of open prices).
    /// @param buyerCollateralBps Stake-mode buyer collateral per NMR of allowance.
    /// @param sellerSlashBps Seller bond slashed on seller fault, relative to the order price.
    /// @param slashToBuyerBps Share of a seller slash paid to the buyer (rest to fees).
    /// @param buyerSlashToSellerBps Share of a slashed buyer collateral paid to the seller.
    /// @param disputeRewardBps Share of a losing disputer's bond paid to the other party.
    /// @param disputeBond Bond a dispute costs, in NMR wei.
    struct Rates {
        uint16 feeBps;
        uint16 minBondBps;
        uint16 buyerCollateralBps;
        uint16 sellerSlashBps;
        uint16 slashToBuyerBps;
        uint16 buyerSlashToSellerBps;
        uint16 disputeRewardBps;
        uint88 disputeBond;
    }

    /// @notice Admin-set windows, in seconds.
    /// @param verdictWindow Time after delivery for the verifier to post a verdict (raised per
    /// order to the model tournament's first-live-score delay, see `firstScoreDelay`). A silent
    /// verifier does not release: the order then has `challengeWindow` more for a dispute.
    /// @param challengeWindow Time after a verdict (or after a silent verdict window) to dispute.
    /// @param arbitrationWindow Time after a dispute for the arbiter to rule.
    /// @param exitNotice Notice between a bond exit request and its withdrawal.
    /// @param complaintWindow Plain file mode: time after delivery for the buyer (or seller) to
    /// dispute before the price is released (default 2 days).
    struct Windows {
        uint32 verdictWindow;
        uint32 challengeWindow;
        uint32 arbitrationWindow;
        uint32 exitNotice;
        uint32 complaintWindow;
    }

    /// @notice Immutable rates and windows under one id; orders settle under their listing's.
    struct Terms {
        Rates rates;
        Windows windows;
    }
}
