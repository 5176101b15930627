// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketOrders
/// @notice Opening orders: a buyer fills ladder tiers in order up to a unit price limit, or the
/// seller accepts a buyer's bid. Payments (and stake-mode collateral) move from the buyer's
/// balance into the order's escrow.
interface IMarketOrders is IMarketTypes {
    /// @notice Emitted when an order opens. The Order struct later calls must pass back is
    /// `(orderId, listing seller, buyer, listing mode, Paid, None, deliverBy, feeBps, listing
    /// terms, listing verdictWindow, price, buyerCollateral, bond)`; the listing's fields come from
    /// `ListingCreated` (or `listingOf`). (Not emitting the struct itself keeps a fill cheaper.)
    event OrderOpened(
        uint256 indexed orderId,
        uint256 indexed listingId,
        address buyer,
        uint16 round,
        uint256 units,
        uint32 deliverBy,
        uint16 feeBps,
        uint88 price,
        uint88 buyerCollateral,
        uint88 bond
    );
    /// @notice Emitted when a buyer posts a bid.
    event BidPosted(uint256 indexed bidId, address indexed buyer, uint256 indexed listingId, Bid bid);
    /// @notice Emitted when a bid is withdrawn (by its buyer, or by anyone after expiry); escrow returns.
    event BidCancelled(uint256 indexed bidId, address cancelledBy);
    /// @notice Emitted when the seller accepts a bid.
    event BidAccepted(uint256 indexed bidId, uint256 indexed orderId);

    /// @notice `deliverBy` is in the past or more than the maximum delivery delay ahead.
    error MarketplaceInvalidDeliveryDeadline(uint32 deliverBy);
    /// @notice The bid does not exist (never posted, accepted or cancelled).
    error MarketplaceBidNotOpen(uint256 bidId);
    /// @notice The bid's expiry has passed.
    error MarketplaceBidExpired(uint256 bidId);
    /// @notice Only the bid's buyer may cancel it before expiry.
    error MarketplaceBidNotExpired(uint256 bidId);
    /// @notice The bid's expiry is not in the future.
    error MarketplaceInvalidExpiry(uint32 expiry);
    /// @notice The collateral or fee is above the bound the buyer set.
    error MarketplaceAboveBuyerBound(uint256 value, uint256 bound);

    /// @notice Fills `ladder` from its first unsold unit, tier by tier, buying at most `maxUnits`
    /// and stopping at the first tier priced above `maxUnitPrice`. Pays from the caller's balance.
    /// The listing's seller must still own the model in the ModelRegistry. The order's terms are
    /// the listing's; its seller bond (price × the listing's minimum bond ratio) is locked.
    /// @param r The seller's EIP-712 signature in compact form (EIP-2098: `r`, and `s` with the
    /// parity bit on top as `vs`); `r == 0` fills the ladder the seller posted on-chain instead.
    /// @param maxCollateral Most stake-mode collateral (NMR wei) the buyer accepts to lock.
    /// @param maxFeeBps Highest platform fee the buyer accepts.
    /// @return orderId The new order.
    function fill(
        Ladder calldata ladder,
        bytes32 r,
        bytes32 vs,
        uint256 maxUnits,
        uint256 maxUnitPrice,
        uint256 maxCollateral,
        uint256 maxFeeBps
    ) external returns (uint256 orderId);

    /// @notice Posts a bid of `price` in total for `units` of `listingId` for `round`, escrowing the
    /// price (and stake-mode collateral at the listing's terms) from the caller's balance.
    /// @param maxCollateral Most stake-mode collateral (NMR wei) the buyer accepts to lock.
    /// @param maxFeeBps Highest platform fee the buyer accepts.
    /// @return bidId The new bid.
    function postBid(
        uint256 listingId,
        uint16 round,
        uint64 units,
        uint88 price,
        uint32 deliverBy,
        uint32 expiry,
        uint256 maxCollateral,
        uint256 maxFeeBps
    ) external returns (uint256 bidId);

    /// @notice Accepts an unexpired bid on the caller's open listing; the bid becomes an order.
    /// The caller must still own the listing's model in the ModelRegistry.
    function acceptBid(uint256 bidId) external returns (uint256 orderId);

    /// @notice Cancels a bid: its buyer any time, anyone after expiry. The escrow returns to the buyer.
    function cancelBid(uint256 bidId) external;

    /// @notice A bid (all zero once accepted or cancelled).
    function bidOf(uint256 bidId) external view returns (Bid memory);

    /// @notice The stored commitment of an open order (zero once terminal).
    function orderHashOf(uint256 orderId) external view returns (bytes32);
}
