// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketOrders} from "../interfaces/IMarketOrders.sol";
import {MarketListings} from "./MarketListings.sol";

/// @title MarketOrders
/// @notice Opening orders from ladder fills and accepted bids, with the payment in escrow.
/// @dev An open order is stored as the hash of its struct only (one slot); the struct travels in
/// events and calldata. That keeps a signed fill at one new storage slot.
abstract contract MarketOrders is MarketListings, IMarketOrders {
    mapping(uint256 orderId => bytes32) internal _orderHashes;
    mapping(uint256 bidId => Bid) internal _bids;
    uint256 private _bidCount;

    /// @inheritdoc IMarketOrders
    function fill(
        Ladder calldata ladder,
        bytes32 r,
        bytes32 vs,
        uint256 maxUnits,
        uint256 maxUnitPrice,
        uint256 maxCollateral,
        uint256 maxFeeBps
    ) external returns (uint256 orderId) {
        StoredListing storage stored = _listings[ladder.listingId];
        StoredListing memory l = stored;
        uint256 units;
        uint256 cost;
        (units, cost, orderId) = _takeFromLadder(stored, l, ladder, r, vs, maxUnits, maxUnitPrice);
        uint256 collateral = _collateralFor(l.mode, l.terms, units);
        _checkBounds(collateral, l.feeBps, maxCollateral, maxFeeBps);
        _debit(msg.sender, cost + collateral);
        _openOrder(l, orderId, msg.sender, ladder.deliverBy, cost, collateral, ladder.listingId, ladder.round, units);
    }

    /// @inheritdoc IMarketOrders
    function postBid(
        uint256 listingId,
        uint16 round,
        uint64 units,
        uint88 price,
        uint32 deliverBy,
        uint32 expiry,
        uint256 maxCollateral,
        uint256 maxFeeBps
    ) external returns (uint256 bidId) {
        StoredListing storage l = _openListing(listingId);
        if (round < l.fromRound || round > l.toRound) revert MarketplaceRoundNotListed(listingId, round);
        if (units == 0) revert MarketplaceNothingToFill();
        if (expiry <= block.timestamp) revert MarketplaceInvalidExpiry(expiry);
        _checkDeliverBy(deliverBy);
        uint256 collateral = _collateralFor(l.mode, l.terms, units);
        _checkBounds(collateral, l.feeBps, maxCollateral, maxFeeBps);
        _debit(msg.sender, price + collateral);

        bidId = ++_bidCount;
        Bid memory bid = Bid(msg.sender, round, deliverBy, expiry, uint64(listingId), units, price, _u88(collateral));
        _bids[bidId] = bid;
        emit BidPosted(bidId, msg.sender, listingId, bid);
    }

    /// @inheritdoc IMarketOrders
    function acceptBid(uint256 bidId) external returns (uint256 orderId) {
        Bid memory bid = _bids[bidId];
        if (bid.buyer == address(0)) revert MarketplaceBidNotOpen(bidId);
        if (block.timestamp > bid.expiry) revert MarketplaceBidExpired(bidId);
        StoredListing memory l = _openListing(bid.listingId);
        if (l.seller != msg.sender) revert MarketplaceNotSeller(bid.listingId, msg.sender);
        _requireOwner(l.modelId, l.seller);

        delete _bids[bidId];
        orderId = uint256(keccak256(abi.encode(bidId)));
        emit BidAccepted(bidId, orderId);
        // The bid's escrow becomes the order's escrow: no balance moves. The listing's fee and
        // terms have not changed since the bid was posted (a listing's terms never change).
        _openOrder(l, orderId, bid.buyer, bid.deliverBy, bid.price, bid.collateral, bid.listingId, bid.round, bid.units);
    }

    /// @inheritdoc IMarketOrders
    function cancelBid(uint256 bidId) external {
        Bid memory bid = _bids[bidId];
        if (bid.buyer == address(0)) revert MarketplaceBidNotOpen(bidId);
        if (msg.sender != bid.buyer && block.timestamp <= bid.expiry) revert MarketplaceBidNotExpired(bidId);

        delete _bids[bidId];
        _credit(bid.buyer, uint256(bid.price) + bid.collateral);
        emit BidCancelled(bidId, msg.sender);
    }

    /// @inheritdoc IMarketOrders
    function bidOf(uint256 bidId) external view returns (Bid memory) {
        return _bids[bidId];
    }

    /// @inheritdoc IMarketOrders
    function orderHashOf(uint256 orderId) external view returns (bytes32) {
        return _orderHashes[orderId];
    }

    /// @dev Opens a Paid order of listing `l` on the listing's terms: checks the deadline, locks
    /// the order's seller bond (price × the listing's minimum bond ratio) if the seller's bond
    /// covers all it locks, stores the commitment. The escrow must already be taken from the buyer.
    function _openOrder(
        StoredListing memory l,
        uint256 id,
        address buyer,
        uint32 deliverBy,
        uint256 price,
        uint256 collateral,
        uint256 listingId,
        uint16 round,
        uint256 units
    ) private {
        _checkDeliverBy(deliverBy);
        uint256 bond = _requiredBond(price, l.minBondBps);
        // One struct literal: a helper returning the Order would first zero a struct it then drops.
        Order memory o = Order(
            id,
            l.seller,
            buyer,
            l.mode,
            OrderState.Paid,
            Verdict.None,
            deliverBy,
            l.feeBps,
            l.terms,
            l.verdictWindow,
            _u88(price),
            _u88(collateral),
            _u88(bond)
        );
        _lockBond(l.seller, bond);
        _orderHashes[id] = _hashOrder(o);
        _emitOrderOpened(o, listingId, round, units);
    }

    /// @dev Emits `OrderOpened` for `o`, encoded in place (the compiler's encoder re-reads and
    /// re-cleans every field of `o`): the data words are the event's eight non-indexed fields.
    function _emitOrderOpened(Order memory o, uint256 listingId, uint16 round, uint256 units) private {
        bytes32 topic = OrderOpened.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, mload(add(o, 0x40))) // buyer
            mstore(add(p, 0x20), round)
            mstore(add(p, 0x40), units)
            mstore(add(p, 0x60), mload(add(o, 0xc0))) // deadline (the deliverBy)
            mstore(add(p, 0x80), mload(add(o, 0xe0))) // feeBps
            mstore(add(p, 0xa0), mload(add(o, 0x140))) // price
            mstore(add(p, 0xc0), mload(add(o, 0x160))) // buyerCollateral
            mstore(add(p, 0xe0), mload(add(o, 0x180))) // bond
            log3(p, 0x100, topic, mload(o), listingId)
        }
    }

    /// @dev `keccak256(abi.encode(o))` without the copy: a memory struct of value types is laid
    /// out (13 clean words) exactly as its ABI encoding.
    function _hashOrder(Order memory o) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(o, 0x1a0)
        }
    }

    function _collateralFor(Mode mode, uint32 termsId, uint256 units) private view returns (uint256) {
        if (mode != Mode.Stake) return 0;
        return (units * 1e18 * terms.ratesOf(termsId).buyerCollateralBps) / BPS;
    }

    function _checkBounds(uint256 collateral, uint256 feeBps, uint256 maxCollateral, uint256 maxFeeBps) private pure {
        if (collateral > maxCollateral) revert MarketplaceAboveBuyerBound(collateral, maxCollateral);
        if (feeBps > maxFeeBps) revert MarketplaceAboveBuyerBound(feeBps, maxFeeBps);
    }

    function _checkDeliverBy(uint32 deliverBy) private view {
        if (deliverBy <= block.timestamp || deliverBy > block.timestamp + MAX_DELIVERY_DELAY) {
            revert MarketplaceInvalidDeliveryDeadline(deliverBy);
        }
    }
}
