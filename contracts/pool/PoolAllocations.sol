// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {PoolSignatures} from "./PoolSignatures.sol";

/// @title PoolAllocations
/// @notice Storage, validation and application of per-model payout allocations.
abstract contract PoolAllocations is PoolSignatures {
    uint256 internal constant _MAX_TARGETS = 8;
    uint256 internal constant _BPS = 10_000;

    /// @inheritdoc IPayoutPool
    function allocationOf(bytes32 model) external view returns (Target[] memory targets) {
        AllocHeader memory header = _allocHeaders[model];
        targets = new Target[](header.count);
        for (uint256 i; i < header.count; ++i) {
            uint256 entry = uint256(header.packed >> (24 * i));
            targets[i] = Target(TargetKind(uint8(entry)), bytes32(uint256(_allocModels[model][i])), uint16(entry >> 8));
        }
    }

    /// @dev Validates `targets` for `owner` and stores them as `model`'s allocation.
    function _setAllocation(bytes32 model, address owner, Target[] calldata targets, bool bySignature) internal {
        _bind(model, owner);
        uint256 count = targets.length;
        if (count == 0 || count > _MAX_TARGETS) revert PayoutPoolInvalidTargetCount(count);
        uint256 sum;
        uint256 packed;
        uint128[8] storage ids = _allocModels[model];
        for (uint256 i; i < count; ++i) {
            Target calldata t = targets[i];
            if (t.bps == 0) revert PayoutPoolInvalidTarget(i);
            if (t.kind == TargetKind.Model) {
                if (uint256(t.model) >> 128 != 0 || !_mayTarget(t.model, owner)) revert PayoutPoolInvalidTarget(i);
                ids[i] = uint128(uint256(t.model));
            } else if (t.model != bytes32(0)) {
                revert PayoutPoolInvalidTarget(i);
            }
            sum += t.bps;
            packed |= (uint256(uint8(t.kind)) | (uint256(t.bps) << 8)) << (24 * i);
        }
        if (sum != _BPS) revert PayoutPoolInvalidBpsSum(sum);

        AllocHeader storage header = _allocHeaders[model];
        header.count = uint8(count);
        header.packed = uint192(packed);
        emit AllocationSet(model, owner, targets, bySignature);
    }

    /// @dev Whether `owner` may route to `target`'s bucket, binding it if it is the owner's and empty.
    function _mayTarget(bytes32 target, address owner) private returns (bool) {
        address current = _buckets[target].owner;
        if (current == owner) return true;
        if (_registry.ownerOf(target) != owner || (current != address(0) && !_isEmpty(target))) return false;
        _bind(target, owner);
        return true;
    }

    /// @dev Splits `payout` of `model` (owned by `owner`) by its allocation and credits the model
    /// targets; the caller credits the returned self, pool and wallet parts. A model target no longer
    /// bound to `owner` is paid to the pool part.
    function _route(bytes32 model, address owner, uint256 payout)
        internal
        returns (uint256 toSelf, uint256 toModels, uint256 toPool, uint256 toWallet)
    {
        AllocHeader memory header = _allocHeaders[model];
        if (header.count == 0) return (payout, 0, 0, 0);
        uint256 left = payout;
        for (uint256 i; i < header.count; ++i) {
            uint256 entry = uint256(header.packed >> (24 * i));
            uint256 share = i + 1 == header.count ? left : (payout * uint16(entry >> 8)) / _BPS;
            // share ≤ left: the bps of the entries before the last sum to less than 10,000.
            unchecked {
                left -= share;
            }
            TargetKind kind = TargetKind(uint8(entry));
            if (kind == TargetKind.Model) {
                bytes32 target = bytes32(uint256(_allocModels[model][i]));
                if (target == model) {
                    toSelf += share;
                } else if (_buckets[target].owner == owner) {
                    _buckets[target].idle += uint96(share);
                    toModels += share;
                } else {
                    toPool += share;
                }
            } else if (kind == TargetKind.Wallet) {
                toWallet += share;
            } else {
                toPool += share;
            }
        }
    }
}
