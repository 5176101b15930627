// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketReputation} from "../interfaces/IMarketReputation.sol";
import {MarketAccounts} from "./MarketAccounts.sol";

/// @title MarketReputation
/// @notice Per-seller counters. Sales live in the seller slot and volume in the account slot
/// (both written on every release anyway, so counting there is nearly free); the rarer counters
/// have their own slot.
abstract contract MarketReputation is MarketAccounts, IMarketReputation {
    struct RareCounters {
        uint32 refunds;
        uint32 slashes;
        uint32 disputesWon;
        uint32 disputesLost;
    }

    /// @inheritdoc IMarketReputation
    uint256 public constant MIN_REPUTATION_PRICE = 1e18;

    mapping(address seller => RareCounters) private _rare;

    /// @inheritdoc IMarketReputation
    function reputationOf(address seller) external view returns (Reputation memory) {
        RareCounters memory r = _rare[seller];
        return Reputation(_sellers[seller].sales, _accounts[seller].volume, r.refunds, r.slashes, r.disputesWon, r.disputesLost);
    }

    function _countRefund(address seller) internal {
        uint32 value = ++_rare[seller].refunds;
        emit ReputationChanged(seller, Counter.Refunds, value);
    }

    function _countSlash(address seller) internal {
        uint32 value = ++_rare[seller].slashes;
        emit ReputationChanged(seller, Counter.Slashes, value);
    }

    function _countDispute(address seller, bool won) internal {
        RareCounters storage r = _rare[seller];
        if (won) {
            uint32 value = ++r.disputesWon;
            emit ReputationChanged(seller, Counter.DisputesWon, value);
        } else {
            uint32 value = ++r.disputesLost;
            emit ReputationChanged(seller, Counter.DisputesLost, value);
        }
    }
}
