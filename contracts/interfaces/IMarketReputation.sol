// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarketReputation
/// @notice Per-seller reputation counters kept by the marketplace as orders end.
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
    struct Reputation {
        uint32 sales;
        uint32 refunds;
        uint32 slashes;
        uint32 disputesWon;
        uint32 disputesLost;
    }

    /// @notice Emitted whenever one of `seller`'s counters changes; `value` is its new value. A
    /// sale (one more `sales`) is announced by the marketplace's `OrderSettled` event instead,
    /// with outcome Released or BuyerSlashed.
    event ReputationChanged(address indexed seller, Counter indexed counter, uint256 value);

    /// @notice The counters of `seller`.
    function reputationOf(address seller) external view returns (Reputation memory);
}
