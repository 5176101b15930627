// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {PoolGovernance} from "./PoolGovernance.sol";
import {PoolSignatures} from "./PoolSignatures.sol";

/// @title PoolWithdrawals
/// @notice Liquid balance out of the pool: free withdrawals (one per user per period, executed by the
/// user or, from the user's signed request, by the operator's batch) and express withdrawals (any
/// time, even paused, for a capped fee that accrues to the treasury, bounded by the caller's maxFee).
/// A balance too small for the express fee always has the free path.
abstract contract PoolWithdrawals is PoolGovernance, PoolSignatures {
    using SafeERC20 for IERC20;

    /// @inheritdoc IPayoutPool
    function withdrawFree(uint256 amount) external {
        _freeWithdrawal(msg.sender, amount);
    }

    /// @inheritdoc IPayoutPool
    function executeFreeWithdrawals(WithdrawalRequest[] calldata requests) external onlyRole(OPERATOR_ROLE) {
        for (uint256 i; i < requests.length; ++i) {
            // slither-disable-next-line calls-loop -- a call to this contract itself, so a failing request is skipped
            try this.freeWithdrawalStep(requests[i]) {}
            catch (bytes memory reason) {
                emit FreeWithdrawalSkipped(requests[i].user, i, reason);
            }
        }
    }

    /// @inheritdoc IPayoutPool
    function freeWithdrawalStep(WithdrawalRequest calldata request) external {
        if (msg.sender != address(this)) revert PayoutPoolOnlySelf();
        address user = request.user;
        uint256 nonce = _accounts[_idOf[user]].withdrawalNonce;
        _checkSignature(
            user, _hashWithdrawal(user, request.amount, nonce, request.deadline), request.deadline, request.signature
        );
        _freeWithdrawal(user, request.amount);
    }

    /// @inheritdoc IPayoutPool
    function withdrawExpress(uint256 amount, uint256 maxFee) external {
        if (amount == 0) revert PayoutPoolZeroAmount();
        uint256 fee = expressFee(amount);
        if (fee > maxFee) revert PayoutPoolFeeAboveMax(fee, maxFee);
        if (fee >= amount) revert PayoutPoolFeeNotBelowAmount(amount, fee);
        Account storage account = _accounts[_idOf[msg.sender]];
        uint256 liquid = account.liquid;
        // id 0 (a caller never seen) has no balance: amount > 0 == liquid.
        if (amount > liquid) revert PayoutPoolInsufficientLiquid(msg.sender, liquid, amount);

        // amount ≤ liquid (a uint96) and fee < amount; the liabilities include this liquid balance.
        unchecked {
            account.liquid = uint96(liquid - amount);
            _state.liabilities -= uint96(amount - fee);
        }
        _accruedFees += fee;
        emit ExpressWithdrawn(msg.sender, amount, fee);
        _nmr.safeTransfer(msg.sender, amount - fee);
    }

    /// @inheritdoc IPayoutPool
    function expressFee(uint256 amount) public view returns (uint256) {
        Fees memory f = _fees;
        return Math.min((amount * f.bps) / 10_000 + f.flat, f.cap);
    }

    /// @dev Sends `amount` of `user`'s liquid balance to it as its free withdrawal of the period.
    function _freeWithdrawal(address user, uint256 amount) private {
        uint40 id = _idOf[user];
        Account memory account = _accounts[id];
        uint256 nextAt = uint256(account.lastFreeWithdrawalAt) + _state.freeWithdrawalPeriod;
        if (account.lastFreeWithdrawalAt != 0 && block.timestamp < nextAt) {
            revert PayoutPoolFreeWithdrawalTooSoon(user, nextAt);
        }
        if (amount == 0) revert PayoutPoolZeroAmount();
        if (amount > account.liquid || id == 0) revert PayoutPoolInsufficientLiquid(user, account.liquid, amount);

        uint256 nonce = account.withdrawalNonce;
        // amount ≤ liquid (a uint96, part of the liabilities); the nonce is a uint64 that one
        // withdrawal per period cannot wrap.
        unchecked {
            account.liquid -= uint96(amount);
            account.withdrawalNonce += 1;
            _state.liabilities -= uint96(amount);
        }
        account.lastFreeWithdrawalAt = uint40(block.timestamp);
        _accounts[id] = account;
        emit FreeWithdrawn(user, amount, nonce);
        // slither-disable-next-line calls-loop -- the token is the immutable NMR
        _nmr.safeTransfer(user, amount);
    }
}
