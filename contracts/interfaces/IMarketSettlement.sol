// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketTypes} from "./IMarketTypes.sol";

/// @title IMarketSettlement
/// @notice What happens to an order after it opens: delivery, verdict, dispute, ruling and the
/// final split. Every state has a deadline after which anyone can push the order to a default:
/// Paid → (not delivered) refund; Delivered → (no verdict) release; Judged → (no dispute) the
/// verdict; Disputed → (no ruling) the verdict, dispute bond returned.
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
    /// verifier, before the delivery deadline. Plain file mode releases payment at once.
    function deliver(Order calldata order, bytes32 deliveryHash) external;

    /// @notice Refunds an undelivered order in full once its delivery deadline has passed. Anyone.
    function reclaim(Order calldata order) external;

    /// @notice Posts a verdict with an evidence hash. Verifier only, before the verdict deadline.
    function postVerdict(Order calldata order, Verdict verdict, bytes32 evidenceHash) external;

    /// @notice Disputes the verdict before the challenge window ends, escrowing the dispute bond
    /// from the caller's balance. Buyer or seller only.
    function dispute(Order calldata order) external;

    /// @notice Rules on a dispute before the arbitration deadline and settles the order. Arbiter only.
    function rule(Order calldata order, Verdict ruling) external;

    /// @notice Settles an order whose delivered, judged or disputed state has timed out. Anyone.
    function settle(Order calldata order) external;

    /// @notice `settle` for many orders; orders that are not open or not due are skipped.
    /// @return settled How many orders were settled.
    function settleBatch(Order[] calldata orders) external returns (uint256 settled);

    /// @notice The dispute on `orderId` (zero if none).
    function disputeOf(uint256 orderId) external view returns (Dispute memory);
}
