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
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {PoolWithdrawals} from "./PoolWithdrawals.sol";

/// @title PayoutPool
/// @notice nmrx's payout-allocation pool: the staker in Numerai's staking v3 contract on behalf of
/// its users. See IPayoutPool for the rules and docs/pool.md for examples and gas.
/// @dev No reentrancy guard: the only external contracts are the immutable NMR token and tournament
/// (and the pool itself, for batch steps), every function writes its state before calling them, and
/// claims and stakes check the exact NMR moved by balance difference, so a reentrant deposit or claim
/// inside makes the outer call revert.
contract PayoutPool is PoolAllocations, PoolWithdrawals {
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
        uint96 credit = amount.toUint96();
        _accounts[_ensureId(msg.sender)].liquid += credit;
        _state.liabilities += credit;
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
    function unstake(bytes32 model, uint256 amount) external {
        uint40 id = _requireBucketOwner(model);
        if (amount == 0) revert PayoutPoolZeroAmount();
        Bucket storage bucket = _buckets[model];
        uint256 idle = bucket.idle;
        if (amount > idle) revert PayoutPoolInsufficientIdle(model, idle, amount);

        // amount ≤ idle, a uint96.
        unchecked {
            bucket.idle = uint96(idle - amount);
        }
        _accounts[id].liquid += uint96(amount);
        emit Unstaked(model, msg.sender, amount);
    }

    /// @inheritdoc IPayoutPool
    function moveStake(bytes32 from, bytes32 to, uint256 amount) external {
        _requireBucketOwner(from);
        if (from == to) revert PayoutPoolSameModel(from);
        if (amount == 0) revert PayoutPoolZeroAmount();
        Bucket storage source = _buckets[from];
        uint256 idle = source.idle;
        if (amount > idle) revert PayoutPoolInsufficientIdle(from, idle, amount);
        _bind(to, msg.sender);

        // amount ≤ idle, a uint96.
        unchecked {
            source.idle = uint96(idle - amount);
        }
        _buckets[to].idle += uint96(amount);
        emit StakeMoved(from, to, msg.sender, amount);
    }

    /// @inheritdoc IPayoutPool
    // slither-disable-next-line reentrancy-balance -- the NMR pulled must equal the stake exactly; a reentrant balance change reverts the stake
    function stake(
        bytes32 model,
        uint256 amount,
        ITournamentStaking.StakeAuthorization calldata auth,
        bytes calldata signature
    ) external {
        if (_state.paused) revert PayoutPoolPaused();
        Bucket memory bucket = _buckets[model];
        if (auth.staker != address(this) || auth.modelId != model) revert PayoutPoolWrongAuthorization(model);
        if (amount == 0) revert PayoutPoolZeroAmount();
        uint256 inRound = _staked[model][auth.round] + amount;
        uint40 callerId = _idOf[msg.sender];
        if (callerId == 0 || callerId != bucket.ownerId) {
            if (!hasRole(OPERATOR_ROLE, msg.sender)) revert PayoutPoolNotOperatorOrOwner(model, msg.sender);
            Policy memory policy = _policies[model];
            uint256 allowed = policy.perRound == 0
                ? 0
                : uint256(policy.perRound) + (bucket.flags & _COMPOUND != 0 ? policy.compoundCredit : 0);
            if (inRound > allowed) revert PayoutPoolAbovePolicy(model, auth.round, allowed, inRound);
        }
        if (amount > bucket.idle) revert PayoutPoolInsufficientIdle(model, bucket.idle, amount);

        // amount ≤ idle (a uint96), and atRisk + amount ≤ every NMR the model ever had, below 2^96.
        unchecked {
            _storeBucket(model, bucket.ownerId, bucket.idle - uint96(amount), bucket.atRisk + uint96(amount), bucket.flags);
        }
        _staked[model][auth.round] = inRound;
        if (_policies[model].compoundCredit != 0) _policies[model].compoundCredit = 0; // "since its last stake"
        _state.liabilities -= uint96(amount); // the idle stake was part of the liabilities
        emit RoundStaked(model, auth.round, amount, msg.sender);

        uint256 before = _nmrHeld();
        _nmr.forceApprove(address(_tournament), amount);
        _tournament.stake(auth, amount, signature);
        uint256 pulled = before - _nmrHeld();
        if (pulled != amount) revert PayoutPoolStakeMismatch(amount, pulled);
    }

    // ---------------------------------------------------------------- policy and allocation

    /// @inheritdoc IPayoutPool
    function setPolicy(bytes32 model, uint256 perRound, StakeMode mode) external {
        _bumpNonce(_ensureId(msg.sender));
        _setPolicy(model, msg.sender, perRound, mode, false);
    }

    /// @inheritdoc IPayoutPool
    function setPolicyBySig(
        bytes32 model,
        address owner,
        uint256 perRound,
        StakeMode mode,
        uint256 deadline,
        bytes calldata signature
    ) external {
        uint40 id = _ensureId(owner);
        uint256 nonce = _accounts[id].nonce;
        _checkSignature(owner, _hashPolicy(owner, model, perRound, mode, nonce, deadline), deadline, signature);
        _bumpNonce(id);
        _setPolicy(model, owner, perRound, mode, true);
    }

    /// @inheritdoc IPayoutPool
    function setAllocation(bytes32 model, Target[] calldata targets) external {
        _bumpNonce(_ensureId(msg.sender));
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
        uint40 id = _ensureId(owner);
        uint256 nonce = _accounts[id].nonce;
        _checkSignature(owner, _hashAllocation(owner, model, targets, nonce, deadline), deadline, signature);
        _bumpNonce(id);
        _setAllocation(model, owner, targets, true);
    }

    /// @inheritdoc IPayoutPool
    function invalidateNonces() external {
        Account storage account = _accounts[_ensureId(msg.sender)];
        // Both count one per signed or direct change (or per withdrawal period): far below their widths.
        unchecked {
            account.nonce += 1;
            account.withdrawalNonce += 1;
        }
        emit NoncesInvalidated(msg.sender, account.nonce, account.withdrawalNonce);
    }

    // ---------------------------------------------------------------- round results

    /// @inheritdoc IPayoutPool
    /// @dev `proof` is not read here: the tournament gets this call's arguments as they came, only
    /// `model` and `round` swapped (see `_tournamentClaim`), and decodes them as this function did.
    function claim(bytes32 model, uint64 round, uint256 payout, uint256 burn, bytes32[] calldata /* proof */)
        external
    {
        uint256 state = _loadState();
        _claim(model, round, payout, burn, _pausedIn(state), state, 4);
    }

    /// @inheritdoc IPayoutPool
    function claimBatch(Claim[] calldata claims) external onlyRole(OPERATOR_ROLE) {
        bool isPaused = _state.paused;
        for (uint256 i; i < claims.length; ++i) {
            // slither-disable-next-line calls-loop -- a call to this contract itself, so a failing entry is skipped
            try this.claimStep(claims[i], isPaused) {}
            catch (bytes memory reason) {
                emit ClaimSkipped(claims[i].model, claims[i].round, reason);
            }
        }
    }

    /// @inheritdoc IPayoutPool
    function claimStep(Claim calldata c, bool isPaused) external {
        if (msg.sender != address(this)) revert PayoutPoolOnlySelf();
        uint256 args;
        // `c` is encoded as `claim`'s arguments are (the same five members, the proof's offset relative
        // to its start): it is forwarded from where it starts.
        assembly ("memory-safe") {
            args := c
        }
        _claim(c.model, c.round, c.payout, c.burn, isPaused, _loadState(), args);
    }

    /// @inheritdoc IPayoutPool
    function reconcile(bytes32 model, uint64 round, uint256 payout, uint256 burn, bytes32[] calldata proof) external {
        if (_staked[model][round] == 0) revert PayoutPoolNothingStaked(model, round);
        if (!_tournament.isClaimed(round, address(this), model)) revert PayoutPoolNotFinalized(model, round);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(round, address(this), model, payout, burn))));
        if (!MerkleProof.verifyCalldata(proof, _tournament.rootOf(round), leaf)) revert PayoutPoolInvalidProof();
        uint256 held = _nmrHeld();
        uint256 state = _loadState();
        uint256 owed = uint96(state);
        uint256 available = held > owed ? held - owed : 0;

        (uint40 ownerId, uint256 expected, uint256 toWallet) =
            _applyResult(model, round, payout, burn, _pausedIn(state), state);
        if (expected > available) revert PayoutPoolUnbackedCredit(expected, available);
        emit Reconciled(model, round, msg.sender);
        if (toWallet != 0) _nmr.safeTransfer(_userOf[ownerId], toWallet);
    }

    /// @dev Effects first (stake record cleared, buckets and balances credited from the leaf), then the
    /// tournament's claim, then a check that exactly principal + payout arrived, then the wallet share.
    /// `state` is `_state`'s slot as read by the caller; `args` is where in this call's calldata the
    /// tournament's `claim` arguments (model, round, payout, burn, proof) start.
    // slither-disable-next-line reentrancy-balance -- the NMR received must equal the leaf exactly; a reentrant balance change reverts the claim
    function _claim(
        bytes32 model,
        uint64 round,
        uint256 payout,
        uint256 burn,
        bool isPaused,
        uint256 state,
        uint256 args
    ) private {
        (uint40 ownerId, uint256 expected, uint256 toWallet) = _applyResult(model, round, payout, burn, isPaused, state);

        uint256 before = _nmrHeld();
        _tournamentClaim(args);
        uint256 received = _nmrHeld() - before;
        if (received != expected) revert PayoutPoolClaimMismatch(expected, received);
        if (toWallet != 0) _nmr.safeTransfer(_userOf[ownerId], toWallet);
    }

    /// @dev Books a round result: principal minus burn to idle, payout by allocation (all to the liquid
    /// balance while paused), the liabilities up by all but the wallet share. Returns what the
    /// tournament must send. The model's bucket is written once, with one SSTORE; `_state` (its slot
    /// `state` as the caller read it, unchanged since) too.
    function _applyResult(bytes32 model, uint64 round, uint256 payout, uint256 burn, bool isPaused, uint256 state)
        private
        returns (uint40 ownerId, uint256 expected, uint256 toWallet)
    {
        // `_staked[model][round]`, its slot hashed once for the read and the delete.
        uint256 stakedSlot;
        uint256 staked;
        assembly ("memory-safe") {
            mstore(0x00, model)
            mstore(0x20, _staked.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, and(round, 0xffffffffffffffff)) // the high bits of a uint64 are not promised clean
            stakedSlot := keccak256(0x00, 0x40)
            staked := sload(stakedSlot)
        }
        if (staked == 0) revert PayoutPoolNothingStaked(model, round);
        if (burn > staked) revert PayoutPoolBurnAboveStake(burn, staked);
        assembly ("memory-safe") {
            sstore(stakedSlot, 0)
        }

        uint256 bucket = _bucketWord(model);
        ownerId = uint40(bucket);
        uint256 toIdle;
        // burn ≤ staked, checked above; staked ≤ the bucket's atRisk (every stake adds to both), a
        // uint96; a payout that fits 96 bits (checked here) keeps every share in range.
        unchecked {
            toIdle = staked - burn;
            expected = toIdle + payout.toUint96();
        }

        uint256 toSelf = 0;
        uint256 toPool = payout;
        if (!isPaused) (toSelf, toPool, toWallet) = _route(model, ownerId, payout);
        // Unchecked: toIdle, toSelf and toWallet ≤ payout are each below 2^96, so no sum here wraps.
        // The liabilities check below bounds every credit: each balance credited is part of the
        // liabilities, so none of them can exceed 96 bits if the new liabilities fit.
        unchecked {
            _returnToBucket(model, bucket, toIdle + toSelf, staked);
            if (toPool != 0) _creditLiquid(ownerId, toPool);
            _storeLiabilities(state, uint96(state) + expected - toWallet);
        }
        _emitRoundClaimed(model, round, payout, burn, toSelf, toPool, toWallet);
    }

    /// @dev `emit RoundClaimed(...)` with its data written in place (the compiler's encoder first
    /// copies the nine values around the stack and through a memory pointer it then discards).
    function _emitRoundClaimed(
        bytes32 model,
        uint64 round,
        uint256 payout,
        uint256 burn,
        uint256 toSelf,
        uint256 toPool,
        uint256 toWallet
    ) private {
        bytes32 topic = RoundClaimed.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, payout)
            mstore(add(ptr, 0x20), burn)
            mstore(add(ptr, 0x40), toSelf)
            mstore(add(ptr, 0x60), toPool)
            mstore(add(ptr, 0x80), toWallet)
            log3(ptr, 0xa0, topic, model, round)
        }
    }

    /// @dev Writes `model`'s bucket (its slot `word` as read before routing) after a result: `staked`
    /// less at risk, `credit` more idle; a Compound model also adds `credit` to its compound credit.
    /// Routing never credits the source model's own bucket (a self target is `credit`), so `word` is
    /// still current. The word is updated in place (see `Bucket` for the offsets): staked ≤ atRisk
    /// (every stake adds to both, and only its result removes it), so the subtraction borrows nothing
    /// from `flags`; idle + credit is part of the new liabilities, which `_applyResult` checks against
    /// 96 bits after this, in the same transaction, so a carry into `atRisk` never survives.
    function _returnToBucket(bytes32 model, uint256 word, uint256 credit, uint256 staked) private {
        if ((word >> 232) & _COMPOUND != 0) _policies[model].compoundCredit += credit.toUint96();
        Bucket storage bucket = _buckets[model];
        unchecked {
            word = word + (credit << 40) - (staked << 136);
        }
        assembly ("memory-safe") {
            sstore(bucket.slot, word)
        }
    }

    /// @dev Adds `amount` to the liquid balance of user `id` with one SLOAD and one SSTORE (`+=` on the
    /// member reads the slot twice). `liquid` is the slot's low 96 bits; the sum is part of the
    /// liabilities, which the caller checks against 96 bits, so it never carries into the next member.
    function _creditLiquid(uint40 id, uint256 amount) private {
        Account storage account = _accounts[id];
        assembly ("memory-safe") {
            sstore(account.slot, add(sload(account.slot), amount))
        }
    }

    /// @dev `_state`'s slot as one word: `liabilities` is its low 96 bits, `paused` the next byte.
    function _loadState() private view returns (uint256 state) {
        assembly ("memory-safe") {
            state := sload(_state.slot)
        }
    }

    function _pausedIn(uint256 state) private pure returns (bool) {
        return (state >> 96) & 0xff != 0;
    }

    /// @dev Writes `liabilities` into `_state`'s slot, read as `state` and not written since, keeping
    /// its other members; reverts if it does not fit 96 bits.
    function _storeLiabilities(uint256 state, uint256 liabilities) private {
        if (liabilities > type(uint96).max) revert SafeCast.SafeCastOverflowedUintDowncast(96, liabilities);
        assembly ("memory-safe") {
            sstore(_state.slot, or(and(state, not(0xffffffffffffffffffffffff)), liabilities))
        }
    }

    /// @dev The pool's NMR balance, by a plain STATICCALL: the high-level call adds an ABI encoder, a
    /// decoder and memory bookkeeping around the same call. Reverts as the token does, or if it
    /// answers with fewer than 32 bytes.
    function _nmrHeld() private view returns (uint256 held) {
        address token = address(_nmr);
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            held := mload(0x00)
        }
    }

    /// @dev Calls the tournament's `claim(round, model, payout, burn, proof)` with the arguments found
    /// in this call's calldata from `args` on, encoded as `(model, round, payout, burn, proof)`: the
    /// first two words swapped, the rest (payout, burn, the proof's offset, which is relative to the
    /// arguments' start, and the proof) copied as they are; re-encoding the proof costs more. No
    /// code-size check: the tournament is an immutable contract, and a claim only follows a stake,
    /// which called it with a checked high-level call. Bubbles the tournament's revert data.
    function _tournamentClaim(uint256 args) private {
        address tournament = address(_tournament);
        bytes4 selector = ITournamentStaking.claim.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := sub(calldatasize(), args)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), calldataload(add(args, 0x20)))
            mstore(add(ptr, 0x24), calldataload(args))
            calldatacopy(add(ptr, 0x44), add(args, 0x40), sub(size, 0x40))
            if iszero(call(gas(), tournament, 0, ptr, add(size, 4), 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// @dev Validates and stores `model`'s policy for `owner` (binding the bucket if needed).
    function _setPolicy(bytes32 model, address owner, uint256 perRound, StakeMode mode, bool bySignature) private {
        uint40 id = _bind(model, owner);
        if (perRound > type(uint96).max) revert PayoutPoolInvalidPolicy(perRound);
        _policies[model] = Policy({perRound: uint96(perRound), compoundCredit: 0});
        Bucket memory b = _buckets[model];
        uint24 flags = mode == StakeMode.Compound ? b.flags | _COMPOUND : b.flags & ~_COMPOUND;
        _storeBucket(model, id, b.idle, b.atRisk, flags);
        emit PolicySet(model, owner, perRound, mode, bySignature);
    }

    function _bumpNonce(uint40 id) private {
        // One per change the user makes or signs: a uint56 cannot wrap.
        unchecked {
            _accounts[id].nonce += 1;
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
            userViews[i] = UserView(a.liquid, a.lastFreeWithdrawalAt, a.withdrawalNonce, a.nonce);
        }
        modelViews = new ModelView[](models.length);
        for (uint256 i; i < models.length; ++i) {
            bytes32 m = models[i];
            Bucket memory b = _buckets[m];
            Policy memory p = _policies[m];
            modelViews[i] = ModelView(
                _userOf[b.ownerId],
                b.idle,
                b.atRisk,
                p.perRound,
                b.flags & _COMPOUND != 0 ? StakeMode.Compound : StakeMode.Fixed,
                p.compoundCredit
            );
        }
    }
}
