// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {ITournamentStaking} from "../interfaces/ITournamentStaking.sol";
import {PoolStorage} from "./PoolStorage.sol";
import {PoolGovernance} from "./PoolGovernance.sol";
import {PoolAllocations} from "./PoolAllocations.sol";
import {PoolDecreases} from "./PoolDecreases.sol";
import {PoolWithdrawals} from "./PoolWithdrawals.sol";

/// @title PayoutPool
/// @notice nmrx's payout-allocation pool: the staker in Numerai's staking v3 contract on behalf of
/// its users. See IPayoutPool for the rules and docs/pool.md for examples and gas.
/// @dev No reentrancy guard: the only external contracts are the immutable NMR token and tournament,
/// every function writes its state before calling them, and claims and stakes check the exact NMR
/// moved by balance difference, so a reentrant deposit or claim inside makes the outer call revert.
contract PayoutPool is PoolAllocations, PoolDecreases, PoolWithdrawals {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    constructor(
        IERC20 nmr_,
        IModelRegistry registry_,
        ITournamentStaking tournament_,
        address admin,
        address operator,
        address treasury_
    ) PoolStorage(nmr_, registry_, tournament_) PoolGovernance(admin, operator, treasury_) {}

    // ---------------------------------------------------------------- balances

    /// @inheritdoc IPayoutPool
    function deposit(uint256 amount) external {
        if (amount == 0) revert PayoutPoolZeroAmount();
        _accounts[_ensureId(msg.sender)].liquid += amount.toUint96();
        emit Deposited(msg.sender, amount);
        // MockNMR and the real token have no transfer hooks; the credit above is final only if this succeeds.
        _nmr.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IPayoutPool
    function increaseStake(bytes32 model, uint256 amount) external {
        if (amount == 0) revert PayoutPoolZeroAmount();
        uint40 id = _bind(model, msg.sender);
        Account storage account = _accounts[id];
        uint256 liquid = account.liquid;
        if (amount > liquid) revert PayoutPoolInsufficientLiquid(msg.sender, liquid, amount);

        // amount ≤ liquid, a uint96.
        unchecked {
            account.liquid = uint96(liquid - amount);
        }
        _buckets[model].idle += uint96(amount);
        emit StakeIncreased(model, msg.sender, amount);
    }

    /// @inheritdoc IPayoutPool
    // slither-disable-next-line reentrancy-balance -- the NMR pulled must equal the stake exactly; a reentrant balance change reverts the stake
    function stake(
        bytes32 model,
        uint256 amount,
        ITournamentStaking.StakeAuthorization calldata auth,
        bytes calldata signature
    ) external {
        if (_config.paused) revert PayoutPoolPaused();
        Bucket storage bucket = _buckets[model];
        uint40 callerId = _idOf[msg.sender];
        if ((callerId == 0 || callerId != bucket.ownerId) && !hasRole(OPERATOR_ROLE, msg.sender)) {
            revert PayoutPoolNotOperatorOrOwner(model, msg.sender);
        }
        if (auth.staker != address(this) || auth.modelId != model || auth.round == 0) {
            revert PayoutPoolWrongAuthorization(model);
        }
        if (amount == 0) revert PayoutPoolZeroAmount();
        uint256 idle = bucket.idle;
        if (amount > idle) revert PayoutPoolInsufficientIdle(model, idle, amount);

        // amount ≤ idle, a uint96.
        unchecked {
            bucket.idle = uint96(idle - amount);
        }
        bucket.atRisk += uint96(amount);
        _staked[model][auth.round] += amount;
        Queue storage queue = _queues[model];
        // Rounds must fit the bucket's 24-bit riskRound (Numerai is near round 1,200; 2^24 is far).
        if (auth.round > queue.lastRound) queue.lastRound = uint256(auth.round).toUint24();
        emit RoundStaked(model, auth.round, amount, msg.sender);

        uint256 before = _nmr.balanceOf(address(this));
        _nmr.forceApprove(address(_tournament), amount);
        _tournament.stake(auth, amount, signature);
        uint256 pulled = before - _nmr.balanceOf(address(this));
        if (pulled != amount) revert PayoutPoolStakeMismatch(amount, pulled);
    }

    // ---------------------------------------------------------------- allocation

    /// @inheritdoc IPayoutPool
    function setAllocation(bytes32 model, Target[] calldata targets) external {
        _setAllocation(model, msg.sender, targets, false);
    }

    /// @inheritdoc IPayoutPool
    function setAllocationBySig(
        bytes32 model,
        address owner,
        Target[] calldata targets,
        uint256 deadline,
        bytes calldata signature
    ) external {
        Account storage account = _accounts[_ensureId(owner)];
        uint56 nonce = account.allocationNonce;
        _checkSignature(owner, _hashAllocation(owner, model, targets, nonce, deadline), deadline, signature);
        account.allocationNonce = nonce + 1;
        _setAllocation(model, owner, targets, true);
    }

    // ---------------------------------------------------------------- round results

    /// @inheritdoc IPayoutPool
    function claim(bytes32 model, uint64 round, uint256 payout, uint256 burn, bytes32[] calldata proof) external {
        _claim(model, round, payout, burn, proof, _config.paused);
    }

    /// @inheritdoc IPayoutPool
    function claimBatch(Claim[] calldata claims) external onlyRole(OPERATOR_ROLE) {
        bool isPaused = _config.paused;
        for (uint256 i; i < claims.length; ++i) {
            Claim calldata c = claims[i];
            _claim(c.model, c.round, c.payout, c.burn, c.proof, isPaused);
        }
    }

    /// @dev Effects first (stake record cleared, buckets and balances credited from the leaf), then the
    /// tournament's claim, then a check that exactly principal + payout arrived, then the wallet share.
    // slither-disable-next-line reentrancy-balance -- the NMR received must equal the leaf exactly; a reentrant balance change reverts the claim
    function _claim(
        bytes32 model,
        uint64 round,
        uint256 payout,
        uint256 burn,
        bytes32[] calldata proof,
        bool isPaused
    ) private {
        (uint40 ownerId, uint256 expected, uint256 toWallet) = _applyResult(model, round, payout, burn, isPaused);

        uint256 before = _nmr.balanceOf(address(this));
        // slither-disable-next-line calls-loop -- the tournament is immutable; a failing claim reverts the batch
        _tournament.claim(round, model, payout, burn, proof);
        uint256 received = _nmr.balanceOf(address(this)) - before;
        if (received != expected) revert PayoutPoolClaimMismatch(expected, received);
        if (toWallet != 0) _nmr.safeTransfer(_userOf[ownerId], toWallet);
    }

    /// @dev Books a round result: principal minus burn to idle (after the queued decrease), payout by
    /// allocation (all to the liquid balance while paused). Returns what the tournament must send.
    /// The model's bucket is written once, with one SSTORE.
    function _applyResult(bytes32 model, uint64 round, uint256 payout, uint256 burn, bool isPaused)
        private
        returns (uint40 ownerId, uint256 expected, uint256 toWallet)
    {
        uint256 staked = _staked[model][round];
        if (staked == 0) revert PayoutPoolNothingStaked(model, round);
        if (burn > staked) revert PayoutPoolBurnAboveStake(burn, staked);
        delete _staked[model][round];

        uint24 riskRound;
        (ownerId, riskRound) = (_buckets[model].ownerId, _buckets[model].riskRound);
        uint256 toIdle = staked - burn;
        expected = toIdle + payout.toUint96(); // a payout that fits 96 bits keeps every share in range
        if (round <= riskRound) (toIdle, riskRound) = _settleDecrease(model, round, toIdle, burn, riskRound);

        uint256 toSelf = 0;
        uint256 toModels = 0;
        uint256 toPool = payout;
        if (!isPaused) (toSelf, toModels, toPool, toWallet) = _route(model, ownerId, payout);
        _returnToBucket(model, ownerId, toIdle + toSelf, staked, riskRound);
        if (toPool != 0) _accounts[ownerId].liquid += uint96(toPool);
        emit RoundClaimed(model, round, staked, payout, burn, toSelf, toModels, toPool, toWallet);
    }

    /// @dev Writes `model`'s bucket after a claim: `staked` less at risk, `credit` more idle.
    function _returnToBucket(bytes32 model, uint40 ownerId, uint256 credit, uint256 staked, uint24 riskRound)
        private
    {
        Bucket storage bucket = _buckets[model];
        // staked ≤ atRisk: every stake adds to both, and only its claim removes it. idle + credit is
        // below 2^98 (three uint96 amounts) and checked by toUint96.
        unchecked {
            _storeBucket(model, ownerId, (bucket.idle + credit).toUint96(), bucket.atRisk - uint96(staked), riskRound);
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPayoutPool
    function stakeOf(bytes32 model, uint64 round) external view returns (uint256) {
        return _staked[model][round];
    }

    /// @inheritdoc IPayoutPool
    function balancesOf(address[] calldata users, bytes32[] calldata models)
        external
        view
        returns (UserView[] memory userViews, ModelView[] memory modelViews)
    {
        userViews = new UserView[](users.length);
        for (uint256 i; i < users.length; ++i) {
            Account memory a = _accounts[_idOf[users[i]]];
            userViews[i] = UserView(a.liquid, a.lastFreeWithdrawalAt, a.withdrawalNonce, a.allocationNonce);
        }
        modelViews = new ModelView[](models.length);
        for (uint256 i; i < models.length; ++i) {
            bytes32 m = models[i];
            Bucket memory b = _buckets[m];
            Queue memory q = _queues[m];
            Decrease memory d = _decreases[m];
            modelViews[i] = ModelView(
                _userOf[b.ownerId], b.idle, b.atRisk, q.lastRound, d.total, d.released, q.filled, q.unfilled,
                b.riskRound, d.startedAt
            );
        }
    }
}
