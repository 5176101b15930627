// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketSettlement} from "../interfaces/IMarketSettlement.sol";
import {MarketOrders} from "./MarketOrders.sol";

/// @title MarketSettlement
/// @notice Delivery, verdicts, disputes and the final split of an order's escrow.
/// @dev Each transition checks the passed struct against the stored hash, then stores the hash of
/// the updated struct (and emits it). A terminal order's hash is deleted.
abstract contract MarketSettlement is MarketOrders, IMarketSettlement {
    mapping(uint256 orderId => Dispute) private _disputes;

    /// @inheritdoc IMarketSettlement
    function deliver(Order calldata o, bytes32 deliveryHash) external {
        _requireState(o, OrderState.Paid);
        if (block.timestamp > o.deadline) revert MarketplaceDeadlinePassed(o.id, o.deadline);
        if (msg.sender != o.seller && !hasRole(VERIFIER_ROLE, msg.sender)) revert MarketplaceNotDeliverer(o.id, msg.sender);
        if (deliveryHash == bytes32(0)) revert MarketplaceZeroHash();

        if (o.mode == Mode.File) {
            // Nothing can be checked for a plain file: proceeds release on delivery.
            emit OrderDelivered(o.id, deliveryHash, o);
            _finalize(o, Verdict.Consistent);
            return;
        }
        Order memory n = o;
        n.state = OrderState.Delivered;
        n.deadline = uint32(block.timestamp + _windows.verdictWindow);
        _store(n);
        emit OrderDelivered(o.id, deliveryHash, n);
    }

    /// @inheritdoc IMarketSettlement
    function reclaim(Order calldata o) external {
        _requireState(o, OrderState.Paid);
        if (block.timestamp <= o.deadline) revert MarketplaceDeadlineNotReached(o.id, o.deadline);
        _refund(o);
    }

    /// @inheritdoc IMarketSettlement
    function postVerdict(Order calldata o, Verdict verdict, bytes32 evidenceHash) external onlyRole(VERIFIER_ROLE) {
        _requireState(o, OrderState.Delivered);
        if (block.timestamp > o.deadline) revert MarketplaceDeadlinePassed(o.id, o.deadline);
        if (verdict == Verdict.None) revert MarketplaceInvalidVerdict();

        Order memory n = o;
        n.state = OrderState.Judged;
        n.verdict = verdict;
        n.deadline = uint32(block.timestamp + _windows.challengeWindow);
        _store(n);
        emit VerdictPosted(o.id, verdict, evidenceHash, n);
    }

    /// @inheritdoc IMarketSettlement
    function dispute(Order calldata o) external {
        _requireState(o, OrderState.Judged);
        if (block.timestamp > o.deadline) revert MarketplaceDeadlinePassed(o.id, o.deadline);
        if (msg.sender != o.buyer && msg.sender != o.seller) revert MarketplaceNotParty(o.id, msg.sender);

        uint88 bond = _rates.disputeBond;
        _debit(msg.sender, bond);
        _disputes[o.id] = Dispute(msg.sender, bond);
        Order memory n = o;
        n.state = OrderState.Disputed;
        n.deadline = uint32(block.timestamp + _windows.arbitrationWindow);
        _store(n);
        emit OrderDisputed(o.id, msg.sender, bond, n);
    }

    /// @inheritdoc IMarketSettlement
    function rule(Order calldata o, Verdict ruling) external onlyRole(ARBITER_ROLE) {
        _requireState(o, OrderState.Disputed);
        if (block.timestamp > o.deadline) revert MarketplaceDeadlinePassed(o.id, o.deadline);
        if (ruling == Verdict.None) revert MarketplaceInvalidVerdict();

        Dispute memory d = _disputes[o.id];
        delete _disputes[o.id];
        // The disputer challenged the verdict: it wins when the arbiter rules otherwise.
        bool disputerWon = ruling != o.verdict;
        uint256 toWinner = d.bond;
        uint256 toFees = 0;
        if (disputerWon) {
            _credit(d.disputer, toWinner);
        } else {
            toWinner = (uint256(d.bond) * _rates.disputeRewardBps) / BPS;
            toFees = d.bond - toWinner;
            _credit(d.disputer == o.buyer ? o.seller : o.buyer, toWinner);
            _fees += toFees;
        }
        _countDispute(o.seller, (d.disputer == o.seller) == disputerWon);
        emit DisputeRuled(o.id, ruling, disputerWon, toWinner, toFees);
        _finalize(o, ruling);
    }

    /// @inheritdoc IMarketSettlement
    function settle(Order calldata o) external {
        if (_orderHashes[o.id] != keccak256(abi.encode(o))) revert MarketplaceOrderNotOpen(o.id);
        if (block.timestamp <= o.deadline) revert MarketplaceDeadlineNotReached(o.id, o.deadline);
        _settleDue(o);
    }

    /// @inheritdoc IMarketSettlement
    function settleBatch(Order[] calldata orders) external returns (uint256 settled) {
        for (uint256 i; i < orders.length; ++i) {
            Order calldata o = orders[i];
            if (block.timestamp <= o.deadline || _orderHashes[o.id] != keccak256(abi.encode(o))) continue;
            _settleDue(o);
            ++settled;
        }
    }

    /// @inheritdoc IMarketSettlement
    function disputeOf(uint256 orderId) external view returns (Dispute memory) {
        return _disputes[orderId];
    }

    /// @dev The default outcome of a state whose deadline has passed.
    function _settleDue(Order calldata o) private {
        OrderState state = o.state;
        if (state == OrderState.Paid) {
            _refund(o);
        } else if (state == OrderState.Delivered) {
            _finalize(o, Verdict.Consistent);
        } else {
            if (state == OrderState.Disputed) {
                // The arbiter stayed silent: the verdict stands and the disputer gets its bond back.
                Dispute memory d = _disputes[o.id];
                delete _disputes[o.id];
                _credit(d.disputer, d.bond);
                emit DisputeExpired(o.id, d.disputer, d.bond);
            }
            _finalize(o, o.verdict);
        }
    }

    /// @dev Undelivered: everything escrowed goes back to the buyer.
    function _refund(Order calldata o) private {
        delete _orderHashes[o.id];
        _sellers[o.seller].exposure -= o.price;
        uint256 toBuyer = uint256(o.price) + o.buyerCollateral;
        _credit(o.buyer, toBuyer);
        _countRefund(o.seller);
        emit OrderSettled(o.id, o.seller, Outcome.Refunded, 0, toBuyer, 0);
    }

    /// @dev Splits the escrow of a delivered order according to `verdict`. On a sale the seller's
    /// proceeds and the fee it owes land in the seller's one account slot.
    function _finalize(Order calldata o, Verdict verdict) private {
        delete _orderHashes[o.id];
        _sellers[o.seller].exposure -= o.price;
        uint256 toBuyer = 0;
        Outcome outcome;
        if (verdict == Verdict.SellerFault) {
            uint256 slashed = _slashBond(o.seller, o.id, (uint256(o.price) * _rates.sellerSlashBps) / BPS);
            uint256 slashToBuyer = (slashed * _rates.slashToBuyerBps) / BPS;
            toBuyer = uint256(o.price) + o.buyerCollateral + slashToBuyer;
            _fees += slashed - slashToBuyer;
            _credit(o.buyer, toBuyer);
            _countRefund(o.seller);
            _countSlash(o.seller);
            emit OrderSettled(o.id, o.seller, Outcome.SellerSlashed, 0, toBuyer, slashed - slashToBuyer);
            return;
        }
        uint256 fee = (uint256(o.price) * o.feeBps) / BPS;
        uint256 toSeller = o.price - fee;
        if (verdict == Verdict.BuyerFault) {
            uint256 fromCollateral = (uint256(o.buyerCollateral) * _rates.buyerSlashToSellerBps) / BPS;
            toSeller += fromCollateral;
            fee += o.buyerCollateral - fromCollateral;
            outcome = Outcome.BuyerSlashed;
        } else {
            toBuyer = o.buyerCollateral;
            outcome = Outcome.Released;
        }
        Account storage a = _accounts[o.seller];
        a.balance = _u88(a.balance + toSeller);
        a.feesDue = _u88(a.feesDue + fee);
        if (toBuyer > 0) _credit(o.buyer, toBuyer);
        _countSale(o.seller);
        emit OrderSettled(o.id, o.seller, outcome, toSeller, toBuyer, fee);
    }

    function _disputeBond(uint256 orderId) internal view returns (uint256) {
        return _disputes[orderId].bond;
    }

    function _requireState(Order calldata o, OrderState state) private view {
        if (_orderHashes[o.id] != keccak256(abi.encode(o))) revert MarketplaceOrderNotOpen(o.id);
        if (o.state != state) revert MarketplaceWrongState(o.id, o.state);
    }

    function _store(Order memory n) private {
        _orderHashes[n.id] = keccak256(abi.encode(n));
    }
}
