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
        uint256 count;
        while (count < _MAX_TARGETS && (header.entries >> (16 * count)) != 0) ++count;
        targets = new Target[](count);
        uint256 ids = 0;
        for (uint256 i; i < count; ++i) {
            uint256 entry = uint256(header.entries >> (16 * i)) & 0xffff;
            uint256 kind = entry & 3;
            uint16 bps = uint16(entry >> 2);
            if (kind == _SELF) {
                targets[i] = Target(TargetKind.Model, model, bps);
            } else if (kind == _OTHER_MODEL) {
                targets[i] = Target(TargetKind.Model, bytes32(uint256(_allocIdAt(model, header.firstId, ids++))), bps);
            } else {
                targets[i] = Target(TargetKind(kind), bytes32(0), bps);
            }
        }
    }

    /// @dev Validates `targets` for `owner` and stores them as `model`'s allocation.
    function _setAllocation(bytes32 model, address owner, Target[] calldata targets, bool bySignature) internal {
        uint40 ownerId = _bind(model, owner);
        uint256 count = targets.length;
        if (count == 0 || count > _MAX_TARGETS) revert PayoutPoolInvalidTargetCount(count);
        delete _allocHeaders[model];
        uint256 sum = 0;
        uint256 entries = 0;
        uint256 ids = 0;
        for (uint256 i; i < count; ++i) {
            uint256 kind;
            (kind, ids) = _storeTarget(model, owner, ownerId, targets[i], i, ids);
            sum += targets[i].bps;
            entries |= (kind | (uint256(targets[i].bps) << 2)) << (16 * i);
        }
        if (sum != _BPS) revert PayoutPoolInvalidBpsSum(sum);

        _allocHeaders[model].entries = uint128(entries);
        emit AllocationSet(model, owner, targets, bySignature);
    }

    /// @dev Checks target `i` and stores its model id if it is another model (the `ids`-th such);
    /// returns its internal kind and the new count of stored ids.
    function _storeTarget(bytes32 model, address owner, uint40 ownerId, Target calldata t, uint256 i, uint256 ids)
        private
        returns (uint256 kind, uint256 newIds)
    {
        if (t.bps == 0 || t.bps > _BPS) revert PayoutPoolInvalidTarget(i);
        if (t.kind != TargetKind.Model) {
            if (t.model != bytes32(0)) revert PayoutPoolInvalidTarget(i);
            return (uint256(t.kind), ids);
        }
        if (t.model == model) return (_SELF, ids);
        if (uint256(t.model) >> 128 != 0 || !_mayTarget(t.model, owner, ownerId)) revert PayoutPoolInvalidTarget(i);
        uint128 id = uint128(uint256(t.model));
        if (ids == 0) _allocHeaders[model].firstId = id;
        else _allocIds[model][ids - 1] = id;
        return (_OTHER_MODEL, ids + 1);
    }

    /// @dev Splits `payout` of `model` (owned by `ownerId`) by its allocation and credits the other
    /// model targets (the rest of `payout`); the caller credits the returned self, pool and wallet
    /// parts. A model target no longer bound to the owner is paid to the pool part. No allocation
    /// means all to self.
    function _route(bytes32 model, uint40 ownerId, uint256 payout)
        internal
        returns (uint256 toSelf, uint256 toPool, uint256 toWallet)
    {
        // The header as its raw slot: `entries` is the low 128 bits, `firstId` the high 128.
        AllocHeader storage headerSlot = _allocHeaders[model];
        uint256 header;
        assembly ("memory-safe") {
            header := sload(headerSlot.slot)
        }
        uint256 entries = uint128(header);
        if (entries == 0) return (payout, 0, 0);
        uint256 left = payout;
        uint256 ids = 0;
        // Unchecked: payout < 2^96 (the caller checks), so payout × bps and every sum of shares fit,
        // and share ≤ left because the bps of the entries before the last sum to less than 10,000.
        unchecked {
            for (uint256 rest = entries; rest != 0; rest >>= 16) {
                uint256 share = (rest >> 16) == 0 ? left : (payout * ((rest & 0xffff) >> 2)) / _BPS;
                left -= share;
                uint256 kind = rest & 3;
                if (kind == _SELF) {
                    toSelf += share;
                } else if (kind == _OTHER_MODEL) {
                    if (!_creditModel(_allocIdAt(model, uint128(header >> 128), ids++), ownerId, share)) {
                        toPool += share;
                    }
                } else if (kind == _WALLET) {
                    toWallet += share;
                } else {
                    toPool += share;
                }
            }
        }
    }

    /// @dev Adds `share` to the idle stake of model `id` if its bucket is still bound to `ownerId`, with
    /// one SLOAD and one SSTORE (`ownerId` is the slot's low 40 bits, `idle` the next 96). The new idle
    /// is part of the liabilities, which the claim checks against 96 bits after routing, so it never
    /// carries into `atRisk`.
    function _creditModel(uint128 id, uint40 ownerId, uint256 share) private returns (bool credited) {
        Bucket storage target = _buckets[bytes32(uint256(id))];
        assembly ("memory-safe") {
            let word := sload(target.slot)
            credited := eq(and(word, 0xffffffffff), ownerId)
            if credited {
                sstore(target.slot, add(word, shl(40, share)))
            }
        }
    }

    /// @dev Whether `owner` may route to `target`'s bucket, binding it if it is the owner's and empty.
    function _mayTarget(bytes32 target, address owner, uint40 ownerId) private returns (bool) {
        Bucket memory b = _buckets[target];
        if (b.ownerId == ownerId) return true;
        if (_registry.ownerOf(target) != owner || b.idle != 0 || b.atRisk != 0) return false;
        _bind(target, owner);
        return true;
    }

    /// @dev The `index`-th other-model target of `model` (`firstId` is its header's).
    function _allocIdAt(bytes32 model, uint128 firstId, uint256 index) private view returns (uint128) {
        return index == 0 ? firstId : _allocIds[model][index - 1];
    }
}
