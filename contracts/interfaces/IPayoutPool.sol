// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITournamentStaking} from "./ITournamentStaking.sol";
import {IPayoutPoolGovernance} from "./IPayoutPoolGovernance.sol";

/// @title IPayoutPool
/// @notice Custody of Numerai modelers' NMR for staking, with the pool as the staker in Numerai's
/// staking v3 contract. Per user: a liquid balance. Per model: a stake bucket bound to one owner,
/// split into idle NMR (in the pool) and NMR at risk per round (in the tournament), plus at most
/// one queued stake decrease.
///
/// Rules (docs/pool.md has examples):
/// - Ownership. A model's bucket is bound to the wallet that ModelRegistry names when the bucket is
///   first used while empty. Owner-only actions check the binding, not the registry, so funds stay
///   with the owner that put them in even if the registry entry later changes; a bucket rebinds
///   (and its allocation resets) only once it is completely empty.
/// - Allocation. Up to 8 targets (own model buckets, own wallet, own liquid pool balance) in basis
///   points summing to 10,000; none set means 100% back to the same model. Each target's share is
///   `payout * bps / 10_000` rounded down, the last target gets the rest. A model target whose
///   bucket is no longer bound to the owner at claim time is paid to the owner's liquid balance.
/// - Claims. Principal minus burn returns to the model's idle stake (first filling a queued
///   decrease, below); the payout is routed by the allocation current at claim time.
/// - Decrease. A request queues `amount` ≤ idle + at-risk. It is filled at once from idle, and the
///   rest from principal returned by rounds the model was at risk in when it was requested (round
///   ≤ `riskRound`). A burn in such a round takes from the still-unfilled (still at-risk) queued
///   amount first. Unlocking is allowed in four tranches: after k whole `trancheInterval`s since
///   the request, floor(total * min(k, 4) / 4) may have moved to the liquid balance (total as
///   lowered by burns and reductions), limited to what is filled. Reducing or cancelling releases unfilled NMR first, then filled NMR back to idle,
///   and keeps the request's clock. A new request needs the previous one finished or cancelled.
/// - Withdrawals. One free withdrawal per user per `freeWithdrawalPeriod`, from a signed request
///   the operator executes in a batch; express withdrawals any time, fee
///   `min(amount * expressFeeBps / 10_000 + expressFlatFee, expressFeeCap)` accrued for the treasury.
interface IPayoutPool is IPayoutPoolGovernance {
    /// @notice Where an allocation target sends its share.
    enum TargetKind {
        Model, // the idle stake of one of the owner's models (`model`)
        Wallet, // transferred to the owner's wallet
        Pool // the owner's liquid balance in this pool
    }

    /// @notice One allocation target.
    /// @param kind Where the share goes.
    /// @param model The target model for `TargetKind.Model` (its id must fit in 128 bits, as every
    /// UUID-derived id does), zero otherwise.
    /// @param bps Share in basis points, at least 1.
    struct Target {
        TargetKind kind;
        bytes32 model;
        uint16 bps;
    }

    /// @notice One round result to claim.
    struct Claim {
        bytes32 model;
        uint64 round;
        uint256 payout;
        uint256 burn;
        bytes32[] proof;
    }

    /// @notice One signed free-withdrawal request: `user` asks for `amount` of its liquid balance to be
    /// sent to it, signed over (user, amount, the user's withdrawal nonce, deadline).
    struct WithdrawalRequest {
        address user;
        uint256 amount;
        uint256 deadline;
        bytes signature;
    }

    /// @notice Everything the pool holds for one model.
    struct ModelView {
        address owner;
        uint256 idle;
        uint256 atRisk;
        uint64 lastRound;
        uint256 decreaseTotal;
        uint256 decreaseReleased;
        uint256 decreaseFilled;
        uint256 decreaseUnfilled;
        uint64 decreaseRiskRound;
        uint64 decreaseStartedAt;
    }

    /// @notice A user's account.
    struct UserView {
        uint256 liquid;
        uint64 lastFreeWithdrawalAt;
        uint256 withdrawalNonce;
        uint256 allocationNonce;
    }

    // ---------------------------------------------------------------- events

    /// @notice Emitted when `user` deposits `amount` into its liquid balance.
    event Deposited(address indexed user, uint256 amount);
    /// @notice Emitted when `model`'s bucket is bound to `owner` (first use, or reuse after it emptied).
    event ModelBound(bytes32 indexed model, address indexed owner);
    /// @notice Emitted when `owner` moves `amount` from its liquid balance to `model`'s idle stake.
    event StakeIncreased(bytes32 indexed model, address indexed owner, uint256 amount);
    /// @notice Emitted when `amount` of `model`'s idle stake enters `round` (called by `caller`).
    event RoundStaked(bytes32 indexed model, uint64 indexed round, uint256 amount, address caller);
    /// @notice Emitted when `model`'s allocation changes; `bySignature` tells a relayed change.
    event AllocationSet(bytes32 indexed model, address indexed owner, Target[] targets, bool bySignature);
    /// @notice Emitted when `model`'s result of `round` is claimed: `stake - burn` went back to the model
    /// (and its queued decrease), the payout was split into `toSelf` (the model's idle stake), `toModels`
    /// (the owner's other models, per the allocation in force), `toPool` (liquid) and `toWallet`.
    event RoundClaimed(
        bytes32 indexed model,
        uint64 indexed round,
        uint256 stake,
        uint256 payout,
        uint256 burn,
        uint256 toSelf,
        uint256 toModels,
        uint256 toPool,
        uint256 toWallet
    );
    /// @notice Emitted when `owner` queues a decrease of `amount`, `filled` of it at once from idle.
    event DecreaseRequested(bytes32 indexed model, address indexed owner, uint256 amount, uint256 filled, uint64 riskRound);
    /// @notice Emitted when a claim of `round` fills `filled` and burns `burned` of `model`'s queued decrease.
    event DecreaseSettled(bytes32 indexed model, uint64 indexed round, uint256 filled, uint256 burned);
    /// @notice Emitted when `owner` reduces `model`'s queued decrease by `amount`; `remaining` is left queued.
    event DecreaseReduced(bytes32 indexed model, address indexed owner, uint256 amount, uint256 remaining);
    /// @notice Emitted when `amount` of `model`'s queued decrease moves to `owner`'s liquid balance.
    event Unlocked(bytes32 indexed model, address indexed owner, uint256 amount);
    /// @notice Emitted when the operator's batch sends `user` a free withdrawal of `amount`.
    event FreeWithdrawn(address indexed user, uint256 amount, uint256 nonce);
    /// @notice Emitted when `user` withdraws `amount` (fee included) for `fee`.
    event ExpressWithdrawn(address indexed user, uint256 amount, uint256 fee);

    // ---------------------------------------------------------------- errors

    /// @notice An amount is zero.
    error PayoutPoolZeroAmount();
    /// @notice `user`'s liquid balance `available` is below `requested`.
    error PayoutPoolInsufficientLiquid(address user, uint256 available, uint256 requested);
    /// @notice `model`'s idle stake `available` is below `requested`.
    error PayoutPoolInsufficientIdle(bytes32 model, uint256 available, uint256 requested);
    /// @notice `caller` is not the owner of `model`'s bucket (or the registry owner, to bind it).
    error PayoutPoolNotOwner(bytes32 model, address caller);
    /// @notice `model`'s bucket is bound to `owner` and not empty, so it cannot be rebound.
    error PayoutPoolModelInUse(bytes32 model, address owner);
    /// @notice `caller` is neither the operator nor the owner of `model`.
    error PayoutPoolNotOperatorOrOwner(bytes32 model, address caller);
    /// @notice The stake authorization is not for this pool and `model`.
    error PayoutPoolWrongAuthorization(bytes32 model);
    /// @notice The pool is paused.
    error PayoutPoolPaused();
    /// @notice An allocation has `count` targets; 1 to 8 are allowed.
    error PayoutPoolInvalidTargetCount(uint256 count);
    /// @notice An allocation's basis points sum to `sum`, not 10,000.
    error PayoutPoolInvalidBpsSum(uint256 sum);
    /// @notice Target `index` has zero bps, a model not registered to the owner, or a stray model id.
    error PayoutPoolInvalidTarget(uint256 index);
    /// @notice A signature's `deadline` has passed.
    error PayoutPoolExpired(uint256 deadline);
    /// @notice The signature is not `signer`'s over this request, chain, contract and nonce.
    error PayoutPoolInvalidSignature(address signer);
    /// @notice The pool has no stake of `model` in `round` (never staked or already claimed).
    error PayoutPoolNothingStaked(bytes32 model, uint64 round);
    /// @notice The tournament pulled `pulled` instead of `expected` for a stake.
    error PayoutPoolStakeMismatch(uint256 expected, uint256 pulled);
    /// @notice A result burns more than the round's stake.
    error PayoutPoolBurnAboveStake(uint256 burn, uint256 stake);
    /// @notice The tournament sent `received` instead of `expected`.
    error PayoutPoolClaimMismatch(uint256 expected, uint256 received);
    /// @notice `model` already has a queued decrease.
    error PayoutPoolDecreasePending(bytes32 model);
    /// @notice `model` has no queued decrease.
    error PayoutPoolNoDecrease(bytes32 model);
    /// @notice A decrease (or reduction) of `requested` exceeds the `available` amount.
    error PayoutPoolDecreaseTooLarge(bytes32 model, uint256 available, uint256 requested);
    /// @notice Nothing of `model`'s queued decrease can be unlocked now.
    error PayoutPoolNothingToUnlock(bytes32 model);
    /// @notice `user`'s next free withdrawal is possible at `nextAt`.
    error PayoutPoolFreeWithdrawalTooSoon(address user, uint256 nextAt);
    /// @notice The express fee `fee` is not below `amount`.
    error PayoutPoolFeeNotBelowAmount(uint256 amount, uint256 fee);

    // ---------------------------------------------------------------- balances

    /// @notice Moves `amount` NMR from the caller (who approved the pool) to its liquid balance.
    function deposit(uint256 amount) external;

    /// @notice Moves `amount` from the caller's liquid balance to `model`'s idle stake at once. The caller
    /// must own the bucket (or be the registry owner of an empty one). Allowed while a decrease is queued.
    function increaseStake(bytes32 model, uint256 amount) external;

    /// @notice Stakes `amount` of `model`'s idle stake into `auth.round` with Numerai's authorization,
    /// which must name this pool, `model` and a round from 1 to 2^24 - 1. Operator or the model's
    /// owner; not while paused. Reverts unless the tournament pulls exactly `amount`.
    function stake(bytes32 model, uint256 amount, ITournamentStaking.StakeAuthorization calldata auth, bytes calldata signature)
        external;

    // ---------------------------------------------------------------- allocation

    /// @notice Sets `model`'s allocation. The caller must own the model's bucket, or be the registry
    /// owner of an empty one (which binds it). Model targets must be the caller's too (same rule).
    function setAllocation(bytes32 model, Target[] calldata targets) external;

    /// @notice Sets `model`'s allocation from `owner`'s EIP-712 signature
    /// `SetAllocation(address owner,bytes32 model,Target[] targets,uint256 nonce,uint256 deadline)`
    /// `Target(uint8 kind,bytes32 model,uint16 bps)`, nonce = the owner's allocation nonce, under this
    /// contract's domain (name "nmrx PayoutPool", version "1", chain id, address). Same ownership rules
    /// as `setAllocation` with `owner` as the caller. Anyone may relay.
    function setAllocationBySig(
        bytes32 model,
        address owner,
        Target[] calldata targets,
        uint256 deadline,
        bytes calldata signature
    ) external;

    // ---------------------------------------------------------------- round results

    /// @notice Claims one round result from the tournament and routes it. Anyone may call.
    function claim(bytes32 model, uint64 round, uint256 payout, uint256 burn, bytes32[] calldata proof) external;

    /// @notice Claims many round results in one transaction. Operator only.
    function claimBatch(Claim[] calldata claims) external;

    // ---------------------------------------------------------------- stake decrease

    /// @notice Queues a decrease of `amount` of `model`'s stake (idle + at risk). Owner only.
    function requestDecrease(bytes32 model, uint256 amount) external;

    /// @notice Reduces `model`'s queued decrease by `amount` without restarting its clock. Owner only.
    function reduceDecrease(bytes32 model, uint256 amount) external;

    /// @notice Cancels what is left of `model`'s queued decrease. Owner only; allowed while paused.
    function cancelDecrease(bytes32 model) external;

    /// @notice Moves the unlockable part of `model`'s queued decrease to its owner's liquid balance.
    /// Anyone may call.
    function unlock(bytes32 model) external;

    // ---------------------------------------------------------------- withdrawals

    /// @notice Executes signed free withdrawals (EIP-712 `Withdrawal(address user,uint256 amount,uint256 nonce,uint256 deadline)`).
    /// Operator only; reverts as a whole if one request is invalid.
    function executeFreeWithdrawals(WithdrawalRequest[] calldata requests) external;

    /// @notice Withdraws `amount` of the caller's liquid balance at once; `expressFee(amount)` of it accrues
    /// to the treasury. Allowed while paused.
    function withdrawExpress(uint256 amount) external;

    // ---------------------------------------------------------------- views

    /// @notice The express fee on a withdrawal of `amount`.
    function expressFee(uint256 amount) external view returns (uint256);

    /// @notice What `unlock(model)` would move now.
    function unlockable(bytes32 model) external view returns (uint256);

    /// @notice The pool's stake of `model` in `round` (zero once claimed).
    function stakeOf(bytes32 model, uint64 round) external view returns (uint256);

    /// @notice `model`'s allocation (empty means 100% to itself).
    function allocationOf(bytes32 model) external view returns (Target[] memory);

    /// @notice The accounts of `users` and buckets of `models`, in one call.
    function balancesOf(address[] calldata users, bytes32[] calldata models)
        external
        view
        returns (UserView[] memory userViews, ModelView[] memory modelViews);
}
