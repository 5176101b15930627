// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {PoolGovernance} from "./PoolGovernance.sol";

/// @title PoolDecreases
/// @notice Queued stake decreases: request, reduce, cancel, settle against round results, unlock in
/// four weekly 25% tranches. None of these is blocked by pause. The exact rule is in IPayoutPool.
abstract contract PoolDecreases is PoolGovernance {
    using SafeCast for uint256;

    uint256 internal constant _TRANCHES = 4;

    /// @inheritdoc IPayoutPool
    function requestDecrease(bytes32 model, uint256 amount) external {
        address owner = _requireBucketOwner(model);
        Decrease memory d = _decreases[model];
        if (d.total != d.released) revert PayoutPoolDecreasePending(model);
        if (amount == 0) revert PayoutPoolZeroAmount();
        Bucket storage bucket = _buckets[model];
        Risk storage risk = _risks[model];
        uint256 idle = bucket.idle;
        uint256 available = idle + risk.atRisk;
        if (amount > available) revert PayoutPoolDecreaseTooLarge(model, available, amount);

        uint256 fromIdle = Math.min(amount, idle);
        uint64 riskRound = _allocHeaders[model].lastRound;
        // fromIdle ≤ idle, and amount - fromIdle ≤ atRisk (a uint96).
        unchecked {
            bucket.idle = uint96(idle - fromIdle);
            risk.unfilled = uint96(amount - fromIdle);
        }
        risk.riskRound = riskRound;
        _filled[model] = uint96(fromIdle);
        _decreases[model] = Decrease({total: amount.toUint96(), released: 0, startedAt: uint64(block.timestamp)});
        emit DecreaseRequested(model, owner, amount, fromIdle, riskRound);
    }

    /// @inheritdoc IPayoutPool
    function reduceDecrease(bytes32 model, uint256 amount) external {
        if (amount == 0) revert PayoutPoolZeroAmount();
        _reduce(model, _requireBucketOwner(model), amount);
    }

    /// @inheritdoc IPayoutPool
    function cancelDecrease(bytes32 model) external {
        address owner = _requireBucketOwner(model);
        Decrease memory d = _decreases[model];
        _reduce(model, owner, d.total - d.released);
    }

    /// @inheritdoc IPayoutPool
    function unlock(bytes32 model) external {
        uint256 amount = unlockable(model);
        if (amount == 0) revert PayoutPoolNothingToUnlock(model);
        address owner = _buckets[model].owner;
        Decrease storage d = _decreases[model];
        // amount ≤ filled (unlockable's bound) and released + amount ≤ total, both uint96.
        unchecked {
            _filled[model] -= uint96(amount);
            d.released += uint96(amount);
        }
        _users[owner].liquid += uint96(amount);
        emit Unlocked(model, owner, amount);
    }

    /// @inheritdoc IPayoutPool
    function unlockable(bytes32 model) public view returns (uint256) {
        Decrease memory d = _decreases[model];
        if (d.total == d.released) return 0;
        uint256 tranches = Math.min((block.timestamp - d.startedAt) / _config.trancheInterval, _TRANCHES);
        uint256 vested = (uint256(d.total) * tranches) / _TRANCHES;
        if (vested <= d.released) return 0;
        return Math.min(vested - d.released, _filled[model]);
    }

    /// @dev Applies a claimed result of `round` (≤ the decrease's riskRound, with unfilled NMR) to the
    /// queued decrease: the burn takes from the unfilled part first, then the returned principal
    /// fills what is left. Updates `risk` in memory; returns the principal left for idle.
    function _settleDecrease(bytes32 model, uint64 round, Risk memory risk, uint256 principal, uint256 burn)
        internal
        returns (uint256 toIdle)
    {
        uint256 burned = Math.min(burn, risk.unfilled);
        uint256 filled = Math.min(principal, risk.unfilled - burned);
        // burned + filled ≤ unfilled ≤ total - released, all uint96.
        unchecked {
            risk.unfilled -= uint96(burned + filled);
            if (burned != 0) _decreases[model].total -= uint96(burned);
            _filled[model] += uint96(filled);
        }
        emit DecreaseSettled(model, round, filled, burned);
        return principal - filled;
    }

    /// @dev Takes `amount` off the queued decrease: unfilled NMR first (it simply stays staked), then
    /// filled NMR back to idle. The request's start time is kept.
    function _reduce(bytes32 model, address owner, uint256 amount) private {
        Decrease storage d = _decreases[model];
        uint256 remaining = d.total - d.released;
        if (remaining == 0) revert PayoutPoolNoDecrease(model);
        if (amount > remaining) revert PayoutPoolDecreaseTooLarge(model, remaining, amount);

        Risk storage risk = _risks[model];
        uint256 fromUnfilled = Math.min(amount, risk.unfilled);
        uint256 fromFilled = amount - fromUnfilled;
        // fromUnfilled ≤ unfilled and fromFilled ≤ filled, since unfilled + filled == remaining ≥ amount.
        unchecked {
            risk.unfilled -= uint96(fromUnfilled);
            _filled[model] -= uint96(fromFilled);
            d.total -= uint96(amount);
        }
        _buckets[model].idle += fromFilled.toUint96();
        emit DecreaseReduced(model, owner, amount, remaining - amount);
    }
}
