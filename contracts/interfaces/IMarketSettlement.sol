// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketSettlement
/// @notice What happens to an order after it opens: delivery, verdict, dispute, ruling and the
/// final split, all under the order's own terms. Every state has a deadline after which anyone
/// can push the order to a default:
/// Paid → (not delivered) refund, plus `MISSED_DELIVERY_BPS` of the order's locked seller bond
/// to the buyer; Delivered (verified and stake modes) → (no verdict within the order's verdict
/// window) a challenge window more, in which the buyer or seller may still dispute, then release;
/// Judged (after a verdict, or a plain file's delivery with its complaint window) → (no dispute)
/// the verdict; Disputed → (no ruling) the verdict, dispute bond returned.
interface IMarketSettlement is IMarketTypes {
    /// @notice A dispute's bond and who posted it.
    struct Dispute {
        address disputer;
        uint88 bond;
    }

    /// @notice Emitted when the seller or agent posts the delivery hash.
    event OrderDelivered(uint256 indexed orderId, bytes32 deliveryHash, Order order);
    /// @notice Emitted when the verifier posts a verdict.
    event VerdictPosted(uint256 indexed orderId, Verdict verdict, bytes32 evidenceHash, Order order);
    /// @notice Emitted when the buyer or seller disputes the verdict.
    event OrderDisputed(uint256 indexed orderId, address indexed disputer, uint256 bond, Order order);
    /// @notice Emitted when the arbiter rules on a dispute.
    event DisputeRuled(uint256 indexed orderId, Verdict ruling, bool disputerWon, uint256 bondToWinner, uint256 bondToFees);
    /// @notice Emitted when an unruled dispute times out and the bond returns to the disputer.
    event DisputeExpired(uint256 indexed orderId, address indexed disputer, uint256 bond);
    /// @notice Emitted when an order ends, with the amounts credited to each party.
    event OrderSettled(
        uint256 indexed orderId, address indexed seller, Outcome outcome, uint256 toSeller, uint256 toBuyer, uint256 toFees
    );

    /// @notice The order struct does not match an open order's commitment.
    error MarketplaceOrderNotOpen(uint256 orderId);
    /// @notice The order is not in the state this call needs.
    error MarketplaceWrongState(uint256 orderId, OrderState state);
    /// @notice The current state's deadline has passed.
    error MarketplaceDeadlinePassed(uint256 orderId, uint32 deadline);
    /// @notice The current state's deadline has not passed yet.
    error MarketplaceDeadlineNotReached(uint256 orderId, uint32 deadline);
    /// @notice The caller may not deliver this order (seller or verifier only).
    error MarketplaceNotDeliverer(uint256 orderId, address caller);
    /// @notice Only the order's buyer or seller may dispute.
    error MarketplaceNotParty(uint256 orderId, address caller);
    /// @notice `Verdict.None` is not a verdict.
    error MarketplaceInvalidVerdict();
    /// @notice The delivery hash is zero.
    error MarketplaceZeroHash();

    /// @notice Posts the hash of what was delivered (encrypted file or submission). Seller or
    /// verifier, before the delivery deadline. Plain file mode moves to Judged (Consistent) with
    /// the terms' complaint window as deadline; the other modes to Delivered with the order's
    /// verdict window.
    function deliver(Order calldata order, bytes32 deliveryHash) external;

    /// @notice Refunds an undelivered order in full once its delivery deadline has passed and pays
    /// the buyer `MISSED_DELIVERY_BPS` of the order's locked seller bond. Anyone.
    function reclaim(Order calldata order) external;

    /// @notice Posts a verdict with an evidence hash. Verifier only, before the verdict deadline.
    function postVerdict(Order calldata order, Verdict verdict, bytes32 evidenceHash) external;

    /// @notice Disputes the verdict before the challenge window ends, escrowing the order's
    /// dispute bond (from its terms) from the caller's balance. Buyer or seller only. A Delivered
    /// order whose verdict window passed in silence can be disputed for a challenge window more,
    /// its verdict then taken as Consistent.
    function dispute(Order calldata order) external;

    /// @notice Rules on a dispute before the arbitration deadline and settles the order. Arbiter only.
    function rule(Order calldata order, Verdict ruling) external;

    /// @notice Settles an order whose state has timed out (a Delivered order once its verdict and
    /// challenge windows have both passed). Anyone.
    function settle(Order calldata order) external;

    /// @notice `settle` for many orders; orders that are not open or not due are skipped.
    /// @return settled How many orders were settled.
    function settleBatch(Order[] calldata orders) external returns (uint256 settled);

    /// @notice Share of an order's locked bond a seller who misses the delivery deadline pays the buyer.
    function MISSED_DELIVERY_BPS() external view returns (uint256);

    /// @notice The dispute on `orderId` (zero if none).
    function disputeOf(uint256 orderId) external view returns (Dispute memory);
}
