// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {PoolGovernance} from "./PoolGovernance.sol";
import {PoolSignatures} from "./PoolSignatures.sol";

/// @title PoolWithdrawals
/// @notice Liquid balance out of the pool: free withdrawals (one per user per period, signed by the
/// user, executed by the operator's batch) and express withdrawals (any time, even paused, for a
/// capped fee that accrues to the treasury).
abstract contract PoolWithdrawals is PoolGovernance, PoolSignatures {
    using SafeERC20 for IERC20;

    /// @inheritdoc IPayoutPool
    function executeFreeWithdrawals(WithdrawalRequest[] calldata requests) external onlyRole(OPERATOR_ROLE) {
        uint256 period = _config.freeWithdrawalPeriod;
        for (uint256 i; i < requests.length; ++i) {
            WithdrawalRequest calldata request = requests[i];
            address user = request.user;
            uint40 id = _idOf[user];
            Account memory account = _accounts[id];
            uint256 nextAt = uint256(account.lastFreeWithdrawalAt) + period;
            if (account.lastFreeWithdrawalAt != 0 && block.timestamp < nextAt) {
                revert PayoutPoolFreeWithdrawalTooSoon(user, nextAt);
            }
            uint256 nonce = account.withdrawalNonce;
            _checkSignature(
                user, _hashWithdrawal(user, request.amount, nonce, request.deadline), request.deadline, request.signature
            );
            uint256 amount = request.amount;
            if (amount == 0) revert PayoutPoolZeroAmount();
            if (amount > account.liquid || id == 0) revert PayoutPoolInsufficientLiquid(user, account.liquid, amount);

            // amount ≤ liquid (a uint96); the nonce is a uint64 that one transaction per period can't wrap.
            unchecked {
                account.liquid -= uint96(amount);
                account.withdrawalNonce += 1;
            }
            account.lastFreeWithdrawalAt = uint40(block.timestamp);
            _accounts[id] = account;
            emit FreeWithdrawn(user, amount, nonce);
            // slither-disable-next-line calls-loop -- the token is the immutable NMR; one failure reverts the batch by design
            _nmr.safeTransfer(user, amount);
        }
    }

    /// @inheritdoc IPayoutPool
    function withdrawExpress(uint256 amount) external {
        if (amount == 0) revert PayoutPoolZeroAmount();
        uint256 fee = expressFee(amount);
        if (fee >= amount) revert PayoutPoolFeeNotBelowAmount(amount, fee);
        Account storage account = _accounts[_idOf[msg.sender]];
        uint256 liquid = account.liquid;
        // id 0 (a caller never seen) has no balance: amount > 0 == liquid.
        if (amount > liquid) revert PayoutPoolInsufficientLiquid(msg.sender, liquid, amount);

        // amount ≤ liquid, a uint96.
        unchecked {
            account.liquid = uint96(liquid - amount);
        }
        _accruedFees += fee;
        emit ExpressWithdrawn(msg.sender, amount, fee);
        _nmr.safeTransfer(msg.sender, amount - fee);
    }

    /// @inheritdoc IPayoutPool
    function expressFee(uint256 amount) public view returns (uint256) {
        Config memory c = _config;
        return Math.min((amount * c.expressFeeBps) / 10_000 + c.expressFlatFee, c.expressFeeCap);
    }
}
