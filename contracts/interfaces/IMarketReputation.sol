// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarketReputation
/// @notice Per-seller reputation counters kept by the marketplace as orders end. A sale counts
/// only when its price is at least `MIN_REPUTATION_PRICE` and the buyer is not the seller, so a
/// fake sale costs at least the fee on that price.
interface IMarketReputation {
    /// @notice Which counter changed.
    enum Counter {
        Sales,
        Refunds,
        Slashes,
        DisputesWon,
        DisputesLost
    }

    /// @notice A seller's counters.
    /// @param sales Counted sales (released or buyer slashed).
    /// @param volume Sum of the counted sales' prices, in gwei of NMR (1e-9 NMR).
    /// @param refunds Orders refunded to the buyer (missed delivery or seller fault).
    /// @param slashes Orders that slashed the seller's bond (seller fault or missed delivery).
    /// @param disputesWon Disputes the seller won (as disputer or as the disputed party).
    /// @param disputesLost Disputes the seller lost.
    struct Reputation {
        uint32 sales;
        uint256 volume;
        uint32 refunds;
        uint32 slashes;
        uint32 disputesWon;
        uint32 disputesLost;
    }

    /// @notice Emitted whenever one of `seller`'s counters changes; `value` is its new value. A
    /// sale (one more `sales`) is announced by the marketplace's `OrderSettled` event instead,
    /// with outcome Released or BuyerSlashed.
    event ReputationChanged(address indexed seller, Counter indexed counter, uint256 value);

    /// @notice Lowest order price (NMR wei) whose release counts as a sale.
    function MIN_REPUTATION_PRICE() external view returns (uint256);

    /// @notice The counters of `seller`.
    function reputationOf(address seller) external view returns (Reputation memory);
}
