// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ITournamentStaking} from "./ITournamentStaking.sol";
import {IPayoutPoolGovernance} from "./IPayoutPoolGovernance.sol";

/// @title IPayoutPool
/// @notice Custody of Numerai modelers' NMR for staking, with the pool as the staker in Numerai's
/// staking v3 contract (Atomic Blockchain Staking: one position per round, see ITournamentStaking).
/// Per user: a liquid balance. Per model: a stake bucket bound to one owner, split into idle NMR (in
/// the pool) and NMR at risk per round (in the tournament), a staking policy and a payout allocation.
///
/// Rules (docs/pool.md has examples):
/// - Ownership. A model's bucket is bound to the wallet that ModelRegistry names when the bucket is
///   first used while empty. Owner-only actions check the binding, not the registry, so funds stay
///   with the owner that put them in even if the registry entry later changes; a bucket rebinds
///   (and its allocation and policy reset) only once it is completely empty (no idle, nothing at risk).
/// - Policy. Per model a per-round amount and a mode, set by the owner (directly or signed):
///   Fixed allows the operator to stake the model into a round up to the per-round amount in total;
///   Compound up to the per-round amount plus what the model's own resolved positions returned to
///   it (principal minus burn plus its own share of the payout) since its last stake (any stake
///   resets that credit). A per-round amount of 0 (the default) allows the operator nothing: no new
///   positions, existing ones return to idle as they resolve. The owner may always stake by hand.
/// - Idle stake is never locked: `unstake` moves it to the owner's liquid balance and `moveStake`
///   to another of the owner's models, at once. At-risk NMR returns to idle when its position is
///   claimed (or reconciled).
/// - Allocation. Up to 8 targets (own model buckets, own wallet, own liquid pool balance) in basis
///   points summing to 10,000; none set means 100% back to the same model. Each target's share is
///   `payout * bps / 10_000` rounded down, the last target gets the rest. A model target whose
///   bucket is no longer bound to the owner at claim time is paid to the owner's liquid balance.
/// - Claims. Principal minus burn returns to the model's idle stake; the payout is routed by the
///   allocation current at claim time. A position Numerai finalized itself (its NMR sent to the pool
///   unasked) is booked the same way by `reconcile`, once, and only from NMR the pool holds above
///   its liabilities. Batches skip an entry that fails and emit why.
/// - Signatures. A user's one signature nonce covers signed allocations and policies; any direct
///   allocation or policy change by the user and `invalidateNonces` bump it, so older signatures die.
/// - Withdrawals. One free withdrawal per user per `freeWithdrawalPeriod`, executed by the user
///   (`withdrawFree`) or, gas-free, from a signed request in the operator's batch; express
///   withdrawals any time, fee `min(amount * expressFeeBps / 10_000 + expressFlatFee, expressFeeCap)`
///   accrued for the treasury, bounded by the caller's `maxFee`.
interface IPayoutPool is IPayoutPoolGovernance {
    /// @notice Where an allocation target sends its share.
    enum TargetKind {
        Model, // the idle stake of one of the owner's models (`model`)
        Wallet, // transferred to the owner's wallet
        Pool // the owner's liquid balance in this pool
    }

    /// @notice How the operator may stake a model (see the policy rule above).
    enum StakeMode {
        Fixed, // up to the per-round amount per round
        Compound // up to the per-round amount plus what the model's resolved positions returned since its last stake
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
        uint256 perRound;
        StakeMode mode;
        uint256 compoundCredit;
    }

    /// @notice A user's account.
    struct UserView {
        uint256 liquid;
        uint64 lastFreeWithdrawalAt;
        uint256 withdrawalNonce;
        uint256 nonce;
    }

    // ---------------------------------------------------------------- events

    /// @notice Emitted when `user` deposits `amount` into its liquid balance.
    event Deposited(address indexed user, uint256 amount);
    /// @notice Emitted when `model`'s bucket is bound to `owner` (first use, or reuse after it emptied).
    event ModelBound(bytes32 indexed model, address indexed owner);
    /// @notice Emitted when `owner` moves `amount` from its liquid balance to `model`'s idle stake.
    event StakeIncreased(bytes32 indexed model, address indexed owner, uint256 amount);
    /// @notice Emitted when `owner` moves `amount` of `model`'s idle stake to its liquid balance.
    event Unstaked(bytes32 indexed model, address indexed owner, uint256 amount);
    /// @notice Emitted when `owner` moves `amount` of idle stake from model `from` to model `to`.
    event StakeMoved(bytes32 indexed from, bytes32 indexed to, address indexed owner, uint256 amount);
    /// @notice Emitted when `amount` of `model`'s idle stake enters `round` (called by `caller`).
    event RoundStaked(bytes32 indexed model, uint64 indexed round, uint256 amount, address caller);
    /// @notice Emitted when `model`'s staking policy changes; `bySignature` tells a relayed change.
    event PolicySet(bytes32 indexed model, address indexed owner, uint256 perRound, StakeMode mode, bool bySignature);
    /// @notice Emitted when `model`'s allocation changes; `bySignature` tells a relayed change.
    event AllocationSet(bytes32 indexed model, address indexed owner, Target[] targets, bool bySignature);
    /// @notice Emitted when `user` invalidates its outstanding signatures: `nonce` and `withdrawalNonce`
    /// are the new values.
    event NoncesInvalidated(address indexed user, uint256 nonce, uint256 withdrawalNonce);
    /// @notice Emitted when `model`'s result of `round` is booked (claimed, or reconciled after Numerai
    /// finalized it): the stake less `burn` went back to the model's idle stake, the payout was split
    /// into `toSelf` (the model's idle stake), `toPool` (liquid), `toWallet` and the rest,
    /// `payout - toSelf - toPool - toWallet`, to the owner's other models. Two amounts are left out
    /// because other events give them (each data word costs every claim 256 gas): the stake is the
    /// sum of the model's `RoundStaked` amounts for `round` (and the tournament's `Claimed` or
    /// `Finalized` stake), the other models' part is the difference above.
    event RoundClaimed(
        bytes32 indexed model,
        uint64 indexed round,
        uint256 payout,
        uint256 burn,
        uint256 toSelf,
        uint256 toPool,
        uint256 toWallet
    );
    /// @notice Emitted (after `RoundClaimed`) when `caller` reconciles a position Numerai finalized.
    event Reconciled(bytes32 indexed model, uint64 indexed round, address caller);
    /// @notice Emitted when `claimBatch` skips the entry for `model` and `round`; `reason` is its revert data.
    event ClaimSkipped(bytes32 indexed model, uint64 indexed round, bytes reason);
    /// @notice Emitted when a free withdrawal of `amount` is sent to `user` (`nonce` was the request's).
    event FreeWithdrawn(address indexed user, uint256 amount, uint256 nonce);
    /// @notice Emitted when `executeFreeWithdrawals` skips the request at `index`; `reason` is its revert data.
    event FreeWithdrawalSkipped(address indexed user, uint256 index, bytes reason);
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
    /// @notice The operator's stake would bring `model`'s position in `round` to `requested`, above
    /// the `allowed` total of the owner's policy.
    error PayoutPoolAbovePolicy(bytes32 model, uint64 round, uint256 allowed, uint256 requested);
    /// @notice The stake authorization is not for this pool and `model`.
    error PayoutPoolWrongAuthorization(bytes32 model);
    /// @notice Stake cannot move from a model to itself.
    error PayoutPoolSameModel(bytes32 model);
    /// @notice The pool is paused.
    error PayoutPoolPaused();
    /// @notice An allocation has `count` targets; 1 to 8 are allowed.
    error PayoutPoolInvalidTargetCount(uint256 count);
    /// @notice An allocation's basis points sum to `sum`, not 10,000.
    error PayoutPoolInvalidBpsSum(uint256 sum);
    /// @notice Target `index` has zero bps, a model not registered to the owner, or a stray model id.
    error PayoutPoolInvalidTarget(uint256 index);
    /// @notice A per-round amount does not fit 96 bits.
    error PayoutPoolInvalidPolicy(uint256 perRound);
    /// @notice A signature's `deadline` has passed.
    error PayoutPoolExpired(uint256 deadline);
    /// @notice The signature is not `signer`'s over this request, chain, contract and nonce.
    error PayoutPoolInvalidSignature(address signer);
    /// @notice The pool has no open stake of `model` in `round` (never staked, already claimed or reconciled).
    error PayoutPoolNothingStaked(bytes32 model, uint64 round);
    /// @notice The tournament pulled `pulled` instead of `expected` for a stake.
    error PayoutPoolStakeMismatch(uint256 expected, uint256 pulled);
    /// @notice A result burns more than the round's stake.
    error PayoutPoolBurnAboveStake(uint256 burn, uint256 stake);
    /// @notice The tournament sent `received` instead of `expected`.
    error PayoutPoolClaimMismatch(uint256 expected, uint256 received);
    /// @notice The tournament does not report the pool's position of `model` in `round` as finalized.
    error PayoutPoolNotFinalized(bytes32 model, uint64 round);
    /// @notice The result is not the round's leaf for the pool and this model.
    error PayoutPoolInvalidProof();
    /// @notice Reconciling needs `needed` NMR held but owed to nobody; the pool has `available`.
    error PayoutPoolUnbackedCredit(uint256 needed, uint256 available);
    /// @notice `user`'s next free withdrawal is possible at `nextAt`.
    error PayoutPoolFreeWithdrawalTooSoon(address user, uint256 nextAt);
    /// @notice The express fee `fee` is not below `amount`.
    error PayoutPoolFeeNotBelowAmount(uint256 amount, uint256 fee);
    /// @notice The express fee `fee` is above the caller's `maxFee`.
    error PayoutPoolFeeAboveMax(uint256 fee, uint256 maxFee);
    /// @notice Only the pool itself may call this (a batch step).
    error PayoutPoolOnlySelf();

    // ---------------------------------------------------------------- balances

    /// @notice Moves `amount` NMR from the caller (who approved the pool) to its liquid balance.
    function deposit(uint256 amount) external;

    /// @notice Moves `amount` from the caller's liquid balance to `model`'s idle stake at once. The caller
    /// must own the bucket (or be the registry owner of an empty one, which binds it).
    function increaseStake(bytes32 model, uint256 amount) external;

    /// @notice Moves `amount` of `model`'s idle stake to the caller's liquid balance at once. Owner only;
    /// allowed while paused.
    function unstake(bytes32 model, uint256 amount) external;

    /// @notice Moves `amount` of idle stake from `from` to `to` at once. The caller must own `from` and
    /// own `to` (or be the registry owner of an empty `to`, which binds it). Allowed while paused.
    function moveStake(bytes32 from, bytes32 to, uint256 amount) external;

    /// @notice Stakes `amount` of `model`'s idle stake into `auth.round` with Numerai's authorization,
    /// which must name this pool and `model`. The model's owner may stake any amount; the operator
    /// only within the owner's policy. Not while paused. Resets the model's compound credit. Reverts
    /// unless the tournament pulls exactly `amount`.
    function stake(bytes32 model, uint256 amount, ITournamentStaking.StakeAuthorization calldata auth, bytes calldata signature)
        external;

    // ---------------------------------------------------------------- policy and allocation

    /// @notice Sets `model`'s staking policy (per-round amount and mode; see the rules above). The caller
    /// must own the model's bucket, or be the registry owner of an empty one (which binds it). Resets
    /// the compound credit and bumps the caller's signature nonce.
    function setPolicy(bytes32 model, uint256 perRound, StakeMode mode) external;

    /// @notice Sets `model`'s policy from `owner`'s EIP-712 signature
    /// `SetPolicy(address owner,bytes32 model,uint256 perRound,uint8 mode,uint256 nonce,uint256 deadline)`,
    /// nonce = the owner's signature nonce (then bumped). Same rules as `setPolicy` with `owner` as the
    /// caller. Anyone may relay.
    function setPolicyBySig(
        bytes32 model,
        address owner,
        uint256 perRound,
        StakeMode mode,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Sets `model`'s allocation and bumps the caller's signature nonce. The caller must own the
    /// model's bucket, or be the registry owner of an empty one (which binds it). Model targets must be
    /// the caller's too (same rule).
    function setAllocation(bytes32 model, Target[] calldata targets) external;

    /// @notice Sets `model`'s allocation from `owner`'s EIP-712 signature
    /// `SetAllocation(address owner,bytes32 model,Target[] targets,uint256 nonce,uint256 deadline)`
    /// `Target(uint8 kind,bytes32 model,uint16 bps)`, nonce = the owner's signature nonce (then bumped),
    /// under this contract's domain (name "nmrx PayoutPool", version "1", chain id, address). Same
    /// ownership rules as `setAllocation` with `owner` as the caller. Anyone may relay.
    function setAllocationBySig(
        bytes32 model,
        address owner,
        Target[] calldata targets,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Bumps the caller's signature nonce and withdrawal nonce: every outstanding signed
    /// allocation, policy and free-withdrawal request of the caller becomes invalid.
    function invalidateNonces() external;

    // ---------------------------------------------------------------- round results

    /// @notice Claims one round result from the tournament and routes it. Anyone may call.
    function claim(bytes32 model, uint64 round, uint256 payout, uint256 burn, bytes32[] calldata proof) external;

    /// @notice Claims many round results in one transaction. Operator only. An entry that would revert
    /// (already claimed, finalized, bad proof, ...) is skipped with `ClaimSkipped` and changes nothing.
    function claimBatch(Claim[] calldata claims) external;

    /// @notice Books the result of `model`'s position in `round` that Numerai finalized itself (its NMR
    /// already sent to the pool): checks the tournament reports the position settled, that the pool has
    /// not booked it yet, the leaf `(round, pool, model, payout, burn)` against the round's root, and
    /// that the pool holds `stake - burn + payout` above its liabilities; then books it as a claim
    /// would. Anyone may call; a position is booked once, by `claim` or by `reconcile`.
    function reconcile(bytes32 model, uint64 round, uint256 payout, uint256 burn, bytes32[] calldata proof) external;

    /// @notice One step of `claimBatch`, run in its own call frame so a revert skips only this entry.
    /// Only the pool itself may call it.
    function claimStep(Claim calldata c, bool isPaused) external;

    // ---------------------------------------------------------------- withdrawals

    /// @notice Sends `amount` of the caller's liquid balance to it as its free withdrawal of the
    /// period (no fee; the caller pays the gas). Allowed while paused.
    function withdrawFree(uint256 amount) external;

    /// @notice Executes signed free withdrawals (EIP-712 `Withdrawal(address user,uint256 amount,uint256 nonce,uint256 deadline)`)
    /// for their users, gas-free to them. Operator only. A request that would revert (too soon, bad
    /// signature, balance too low, ...) is skipped with `FreeWithdrawalSkipped` and changes nothing.
    function executeFreeWithdrawals(WithdrawalRequest[] calldata requests) external;

    /// @notice One step of `executeFreeWithdrawals`, in its own call frame. Only the pool itself may call it.
    function freeWithdrawalStep(WithdrawalRequest calldata request) external;

    /// @notice Withdraws `amount` of the caller's liquid balance at once; `expressFee(amount)` of it
    /// accrues to the treasury. Reverts if that fee is above `maxFee`. Allowed while paused.
    function withdrawExpress(uint256 amount, uint256 maxFee) external;

    // ---------------------------------------------------------------- views

    /// @notice The express fee on a withdrawal of `amount` under the parameters in force.
    function expressFee(uint256 amount) external view returns (uint256);

    /// @notice The pool's open stake of `model` in `round` (zero once claimed or reconciled).
    function stakeOf(bytes32 model, uint64 round) external view returns (uint256);

    /// @notice `model`'s allocation (empty means 100% to itself).
    function allocationOf(bytes32 model) external view returns (Target[] memory);

    /// @notice The accounts of `users` and buckets of `models`, in one call.
    function balancesOf(address[] calldata users, bytes32[] calldata models)
        external
        view
        returns (UserView[] memory userViews, ModelView[] memory modelViews);
}
