// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {PoolGovernance} from "./PoolGovernance.sol";

/// @title PoolDecreases
/// @notice Queued stake decreases: request, reduce, cancel, settle against round results, unlock in
/// four 25% tranches. None of these is blocked by pause. The exact rule is in IPayoutPool.
abstract contract PoolDecreases is PoolGovernance {
    using SafeCast for uint256;

    uint256 internal constant _TRANCHES = 4;

    /// @inheritdoc IPayoutPool
    function requestDecrease(bytes32 model, uint256 amount) external {
        _requireBucketOwner(model);
        Decrease memory d = _decreases[model];
        if (d.total != d.released) revert PayoutPoolDecreasePending(model);
        if (amount == 0) revert PayoutPoolZeroAmount();
        Bucket storage bucket = _buckets[model];
        uint256 idle = bucket.idle;
        uint256 available = idle + bucket.atRisk;
        if (amount > available) revert PayoutPoolDecreaseTooLarge(model, available, amount);

        Queue storage queue = _queues[model];
        uint256 fromIdle = Math.min(amount, idle);
        uint256 unfilled = amount - fromIdle;
        uint64 riskRound = unfilled == 0 ? 0 : queue.lastRound;
        // fromIdle ≤ idle; unfilled ≤ atRisk; both uint96.
        unchecked {
            bucket.idle = uint96(idle - fromIdle);
        }
        bucket.riskRound = uint24(riskRound); // lastRound was checked to fit 24 bits when staked
        queue.unfilled = uint96(unfilled);
        queue.filled = uint96(fromIdle);
        _decreases[model] = Decrease({total: amount.toUint96(), released: 0, startedAt: uint64(block.timestamp)});
        emit DecreaseRequested(model, msg.sender, amount, fromIdle, riskRound);
    }

    /// @inheritdoc IPayoutPool
    function reduceDecrease(bytes32 model, uint256 amount) external {
        _requireBucketOwner(model);
        if (amount == 0) revert PayoutPoolZeroAmount();
        _reduce(model, amount);
    }

    /// @inheritdoc IPayoutPool
    function cancelDecrease(bytes32 model) external {
        _requireBucketOwner(model);
        Decrease memory d = _decreases[model];
        _reduce(model, d.total - d.released);
    }

    /// @inheritdoc IPayoutPool
    // slither-disable-next-line incorrect-equality -- zero means nothing vested and set aside; internal accounting
    function unlock(bytes32 model) external {
        uint256 amount = unlockable(model);
        if (amount == 0) revert PayoutPoolNothingToUnlock(model);
        uint40 ownerId = _buckets[model].ownerId;
        // amount ≤ filled (unlockable's bound) and released + amount ≤ total, all uint96.
        unchecked {
            _queues[model].filled -= uint96(amount);
            _decreases[model].released += uint96(amount);
        }
        _accounts[ownerId].liquid += uint96(amount);
        emit Unlocked(model, _userOf[ownerId], amount);
    }

    /// @inheritdoc IPayoutPool
    // slither-disable-next-line incorrect-equality -- total == released is the "no decrease" state; internal accounting
    function unlockable(bytes32 model) public view returns (uint256) {
        Decrease memory d = _decreases[model];
        if (d.total == d.released) return 0;
        uint256 tranches = Math.min((block.timestamp - d.startedAt) / _config.trancheInterval, _TRANCHES);
        uint256 vested = (uint256(d.total) * tranches) / _TRANCHES;
        if (vested <= d.released) return 0;
        return Math.min(vested - d.released, _queues[model].filled);
    }

    /// @dev Applies a claimed result of `round` (≤ the bucket's riskRound) to the queued decrease: the
    /// burn takes from the unfilled part first, then the returned principal fills what is left.
    /// Returns the principal left for idle and the bucket's new riskRound: zero once nothing is
    /// unfilled, else unchanged.
    function _settleDecrease(bytes32 model, uint64 round, uint256 principal, uint256 burn, uint24 riskRound)
        internal
        returns (uint256 toIdle, uint24 newRiskRound)
    {
        Queue storage queue = _queues[model];
        uint256 unfilled = queue.unfilled;
        uint256 burned = Math.min(burn, unfilled);
        uint256 filled = Math.min(principal, unfilled - burned);
        // burned + filled ≤ unfilled ≤ total - released, all uint96.
        unchecked {
            unfilled -= burned + filled;
            queue.unfilled = uint96(unfilled);
            queue.filled += uint96(filled);
            if (burned != 0) _decreases[model].total -= uint96(burned);
        }
        emit DecreaseSettled(model, round, filled, burned);
        return (principal - filled, unfilled == 0 ? 0 : riskRound);
    }

    /// @dev Takes `amount` off the queued decrease: unfilled NMR first (it simply stays staked), then
    /// filled NMR back to idle. The request's start time is kept.
    function _reduce(bytes32 model, uint256 amount) private {
        Decrease storage d = _decreases[model];
        uint256 remaining = d.total - d.released;
        if (remaining == 0) revert PayoutPoolNoDecrease(model);
        if (amount > remaining) revert PayoutPoolDecreaseTooLarge(model, remaining, amount);

        Queue storage queue = _queues[model];
        Bucket storage bucket = _buckets[model];
        uint256 fromUnfilled = Math.min(amount, queue.unfilled);
        uint256 fromFilled = amount - fromUnfilled;
        // fromUnfilled ≤ unfilled and fromFilled ≤ filled, since unfilled + filled == remaining ≥ amount.
        unchecked {
            queue.unfilled -= uint96(fromUnfilled);
            queue.filled -= uint96(fromFilled);
            d.total -= uint96(amount);
        }
        if (queue.unfilled == 0) bucket.riskRound = 0;
        bucket.idle += fromFilled.toUint96();
        emit DecreaseReduced(model, msg.sender, amount, remaining - amount);
    }
}
