// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketSettlement} from "../interfaces/IMarketSettlement.sol";
import {MarketOrders} from "./MarketOrders.sol";

/// @title MarketSettlement
/// @notice Delivery, verdicts, disputes and the final split of an order's escrow.
/// @dev Each transition checks the passed struct against the stored hash, then stores the hash of
/// the updated struct (and emits it). A terminal order's hash is deleted. Rates and windows come
/// from the order's own terms version (`terms.ratesOf(o.terms)`, never rewritten), so no admin change reaches it.
abstract contract MarketSettlement is MarketOrders, IMarketSettlement {
    /// @inheritdoc IMarketSettlement
    uint256 public constant MISSED_DELIVERY_BPS = 5_000;

    mapping(uint256 orderId => Dispute) private _disputes;

    /// @inheritdoc IMarketSettlement
    function deliver(Order calldata o, bytes32 deliveryHash) external {
        _requireState(o, OrderState.Paid);
        if (block.timestamp > o.deadline) revert MarketplaceDeadlinePassed(o.id, o.deadline);
        if (msg.sender != o.seller && !hasRole(VERIFIER_ROLE, msg.sender)) revert MarketplaceNotDeliverer(o.id, msg.sender);
        if (deliveryHash == bytes32(0)) revert MarketplaceZeroHash();

        Order memory n = o;
        if (o.mode == Mode.File) {
            // Nothing can be checked for a plain file: it stands unless disputed within the complaint window.
            n.state = OrderState.Judged;
            n.verdict = Verdict.Consistent;
            n.deadline = uint32(block.timestamp + terms.windowsOf(o.terms).complaintWindow);
        } else {
            n.state = OrderState.Delivered;
            n.deadline = uint32(block.timestamp + o.verdictWindow);
        }
        _store(n);
        emit OrderDelivered(o.id, deliveryHash, n);
    }

    /// @inheritdoc IMarketSettlement
    function reclaim(Order calldata o) external {
        _requireState(o, OrderState.Paid);
        if (block.timestamp <= o.deadline) revert MarketplaceDeadlineNotReached(o.id, o.deadline);
        _refundMissed(o);
    }

    /// @inheritdoc IMarketSettlement
    function postVerdict(Order calldata o, Verdict verdict, bytes32 evidenceHash) external onlyRole(VERIFIER_ROLE) {
        _requireState(o, OrderState.Delivered);
        if (block.timestamp > o.deadline) revert MarketplaceDeadlinePassed(o.id, o.deadline);
        if (verdict == Verdict.None) revert MarketplaceInvalidVerdict();

        Order memory n = o;
        n.state = OrderState.Judged;
        n.verdict = verdict;
        n.deadline = uint32(block.timestamp + terms.windowsOf(o.terms).challengeWindow);
        _store(n);
        emit VerdictPosted(o.id, verdict, evidenceHash, n);
    }

    /// @inheritdoc IMarketSettlement
    function dispute(Order calldata o) external {
        _requireOpen(o);
        OrderState state = o.state;
        uint256 end = o.deadline;
        if (state == OrderState.Delivered) {
            // A silent verifier: the challenge window opens when the verdict window closes.
            if (block.timestamp <= end) revert MarketplaceDeadlineNotReached(o.id, o.deadline);
            end += terms.windowsOf(o.terms).challengeWindow;
        } else if (state != OrderState.Judged) {
            revert MarketplaceWrongState(o.id, state);
        }
        if (block.timestamp > end) revert MarketplaceDeadlinePassed(o.id, uint32(end));
        if (msg.sender != o.buyer && msg.sender != o.seller) revert MarketplaceNotParty(o.id, msg.sender);

        uint88 bond = terms.ratesOf(o.terms).disputeBond;
        _debit(msg.sender, bond);
        _disputes[o.id] = Dispute(msg.sender, bond);
        Order memory n = o;
        n.state = OrderState.Disputed;
        // A silent verifier's verdict is taken as Consistent: that is what the disputer challenges.
        if (n.verdict == Verdict.None) n.verdict = Verdict.Consistent;
        n.deadline = uint32(block.timestamp + terms.windowsOf(o.terms).arbitrationWindow);
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
            toWinner = (uint256(d.bond) * terms.ratesOf(o.terms).disputeRewardBps) / BPS;
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
        _requireOpen(o);
        uint256 due = _dueAt(o);
        if (block.timestamp <= due) revert MarketplaceDeadlineNotReached(o.id, uint32(due));
        _settleDue(o);
    }

    /// @inheritdoc IMarketSettlement
    function settleBatch(Order[] calldata orders) external returns (uint256 settled) {
        for (uint256 i; i < orders.length; ++i) {
            Order calldata o = orders[i];
            if (_orderHashes[o.id] != keccak256(abi.encode(o)) || block.timestamp <= _dueAt(o)) continue;
            _settleDue(o);
            ++settled;
        }
    }

    /// @inheritdoc IMarketSettlement
    function disputeOf(uint256 orderId) external view returns (Dispute memory) {
        return _disputes[orderId];
    }

    /// @dev When the order's current state times out: a Delivered order also waits out the
    /// challenge window that follows a silent verdict window.
    function _dueAt(Order calldata o) private view returns (uint256) {
        if (o.state == OrderState.Delivered) return uint256(o.deadline) + terms.windowsOf(o.terms).challengeWindow;
        return o.deadline;
    }

    /// @dev The default outcome of a state whose deadline has passed.
    function _settleDue(Order calldata o) private {
        OrderState state = o.state;
        if (state == OrderState.Paid) {
            _refundMissed(o);
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

    /// @dev Undelivered: everything escrowed goes back to the buyer, with a share of the order's
    /// locked seller bond for the wait.
    function _refundMissed(Order calldata o) private {
        delete _orderHashes[o.id];
        _sellers[o.seller].locked -= o.bond;
        uint256 penalty = _slashBond(o.seller, o.id, (uint256(o.bond) * MISSED_DELIVERY_BPS) / BPS);
        uint256 toBuyer = uint256(o.price) + o.buyerCollateral + penalty;
        _credit(o.buyer, toBuyer);
        _countRefund(o.seller);
        if (penalty > 0) _countSlash(o.seller);
        emit OrderSettled(o.id, o.seller, Outcome.Refunded, 0, toBuyer, 0);
    }

    /// @dev Splits the escrow of a delivered order according to `verdict`. On a sale the seller's
    /// proceeds, the fee it owes and its volume land in the seller's one account slot.
    function _finalize(Order calldata o, Verdict verdict) private {
        delete _orderHashes[o.id];
        Seller storage s = _sellers[o.seller];
        s.locked -= o.bond;
        uint256 toBuyer = 0;
        Outcome outcome;
        if (verdict == Verdict.SellerFault) {
            Rates memory r = terms.ratesOf(o.terms);
            uint256 slashed = _slashBond(o.seller, o.id, (uint256(o.price) * r.sellerSlashBps) / BPS);
            uint256 slashToBuyer = (slashed * r.slashToBuyerBps) / BPS;
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
            uint256 fromCollateral = (uint256(o.buyerCollateral) * terms.ratesOf(o.terms).buyerSlashToSellerBps) / BPS;
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
        // Reputation: only a sale that cost something, to someone else.
        if (o.price >= MIN_REPUTATION_PRICE && o.buyer != o.seller) {
            ++s.sales;
            uint256 volume = a.volume + o.price / 1 gwei;
            // Saturates instead of reverting: a counter must never block a settlement.
            a.volume = volume > type(uint80).max ? type(uint80).max : uint80(volume);
        }
        if (toBuyer > 0) _credit(o.buyer, toBuyer);
        emit OrderSettled(o.id, o.seller, outcome, toSeller, toBuyer, fee);
    }

    function _requireOpen(Order calldata o) private view {
        if (_orderHashes[o.id] != keccak256(abi.encode(o))) revert MarketplaceOrderNotOpen(o.id);
    }

    function _requireState(Order calldata o, OrderState state) private view {
        _requireOpen(o);
        if (o.state != state) revert MarketplaceWrongState(o.id, o.state);
    }

    function _store(Order memory n) private {
        _orderHashes[n.id] = keccak256(abi.encode(n));
    }
}
