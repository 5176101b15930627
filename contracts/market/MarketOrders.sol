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
        (uint256 w0, uint256 w1) = _listingWords(_listings[ladder.listingId]);
        _authorizeFill(w0, w1, ladder, r, vs);
        uint256 units;
        uint256 cost;
        {
            uint256 soldBefore;
            (soldBefore, orderId) = _soldBefore(w0, ladder);
            (units, cost) = _walk(ladder, soldBefore, maxUnits, maxUnitPrice);
            _recordSold(ladder, soldBefore + units);
        }
        // mode: bits 160-167 of slot 0; feeBps, terms: bits 160-175, 192-223 of slot 1.
        uint256 collateral = _collateralFor(Mode(uint8(w0 >> 160)), uint32(w1 >> 192), units);
        _checkBounds(collateral, uint16(w1 >> 160), maxCollateral, maxFeeBps);
        _debit(msg.sender, cost + collateral);
        _openFilled(w0, w1, ladder, orderId, units, cost, collateral);
    }

    /// @dev Opens the order a fill of `ladder` made (a helper only to keep `fill`'s stack shallow).
    function _openFilled(
        uint256 w0,
        uint256 w1,
        Ladder calldata ladder,
        uint256 orderId,
        uint256 units,
        uint256 cost,
        uint256 collateral
    ) private {
        uint32 deliverBy = ladder.deliverBy;
        uint256 bond = _openOrder(w0, w1, orderId, msg.sender, deliverBy, cost, collateral);
        _emitOrderOpened(orderId, ladder.listingId, msg.sender, ladder.round, units, deliverBy, w1, cost, collateral, bond);
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
        (uint256 w0, uint256 w1) = _listingWords(_openListing(bid.listingId));
        if (address(uint160(w0)) != msg.sender) revert MarketplaceNotSeller(bid.listingId, msg.sender);
        _requireOwner(uint128(w1), msg.sender);

        delete _bids[bidId];
        orderId = uint256(keccak256(abi.encode(bidId)));
        emit BidAccepted(bidId, orderId);
        // The bid's escrow becomes the order's escrow: no balance moves. The listing's fee and
        // terms have not changed since the bid was posted (a listing's terms never change).
        uint256 bond = _openOrder(w0, w1, orderId, bid.buyer, bid.deliverBy, bid.price, bid.collateral);
        _emitOrderOpened(
            orderId, bid.listingId, bid.buyer, bid.round, bid.units, bid.deliverBy, w1, bid.price, bid.collateral, bond
        );
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

    /// @dev Opens a Paid order of the listing whose slots are `w0`, `w1` (see `_listingWords`) on
    /// the listing's terms: checks the deadline, locks the order's seller bond (price × the
    /// listing's minimum bond ratio) if the seller's bond covers all it locks, stores the
    /// commitment. The escrow must already be taken from the buyer.
    /// @return bond The seller bond the order locks.
    function _openOrder(
        uint256 w0,
        uint256 w1,
        uint256 id,
        address buyer,
        uint32 deliverBy,
        uint256 price,
        uint256 collateral
    ) private returns (uint256 bond) {
        _checkDeliverBy(deliverBy);
        // minBondBps: bits 176-191 of slot 1.
        bond = _requiredBond(price, uint16(w1 >> 176));
        // One test for the three amounts; `_u88` names the one too large.
        if ((price | collateral | bond) > type(uint88).max) {
            _u88(price);
            _u88(collateral);
            _u88(bond);
        }
        _lockBond(address(uint160(w0)), bond);
        _orderHashes[id] = _hashNewOrder(w0, w1, id, buyer, deliverBy, price, collateral, bond);
    }

    /// @dev `keccak256(abi.encode(o))` of the new order `o` (see `Order`), its 13 words written in
    /// place: building the struct costs more, and on the legacy pipeline (Slither's) a 13-field
    /// literal is too deep a stack. mode: bits 160-167 of slot 0; feeBps, terms, verdictWindow:
    /// bits 160-175, 192-223, 224-255 of slot 1. The amounts are at most 88 bits (checked).
    function _hashNewOrder(
        uint256 w0,
        uint256 w1,
        uint256 id,
        address buyer,
        uint32 deliverBy,
        uint256 price,
        uint256 collateral,
        uint256 bond
    ) private pure returns (bytes32 h) {
        uint256 paid = uint256(OrderState.Paid);
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, id)
            mstore(add(p, 0x20), and(w0, 0xffffffffffffffffffffffffffffffffffffffff)) // seller
            mstore(add(p, 0x40), buyer)
            mstore(add(p, 0x60), and(shr(160, w0), 0xff)) // mode
            mstore(add(p, 0x80), paid) // state
            mstore(add(p, 0xa0), 0) // verdict: None
            mstore(add(p, 0xc0), deliverBy) // deadline
            mstore(add(p, 0xe0), and(shr(160, w1), 0xffff)) // feeBps
            mstore(add(p, 0x100), and(shr(192, w1), 0xffffffff)) // terms
            mstore(add(p, 0x120), shr(224, w1)) // verdictWindow
            mstore(add(p, 0x140), price)
            mstore(add(p, 0x160), collateral) // buyerCollateral
            mstore(add(p, 0x180), bond)
            h := keccak256(p, 0x1a0)
        }
    }

    /// @dev Emits `OrderOpened`, encoded in place (feeBps: bits 160-175 of listing slot 1 `w1`).
    function _emitOrderOpened(
        uint256 id,
        uint256 listingId,
        address buyer,
        uint16 round,
        uint256 units,
        uint32 deliverBy,
        uint256 w1,
        uint256 price,
        uint256 collateral,
        uint256 bond
    ) private {
        bytes32 topic = OrderOpened.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, buyer)
            mstore(add(p, 0x20), round)
            mstore(add(p, 0x40), units)
            mstore(add(p, 0x60), deliverBy)
            mstore(add(p, 0x80), and(shr(160, w1), 0xffff)) // feeBps
            mstore(add(p, 0xa0), price)
            mstore(add(p, 0xc0), collateral)
            mstore(add(p, 0xe0), bond)
            log3(p, 0x100, topic, id, listingId)
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
