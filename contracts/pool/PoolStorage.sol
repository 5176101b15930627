// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {ITournamentStaking} from "../interfaces/ITournamentStaking.sol";

/// @title PoolStorage
/// @notice The payout pool's state, shared by its focused parts, and the bucket binding rule.
/// @dev Gas shapes the layout: a claim touches one slot of the model (`Bucket`), one of its
/// allocation (`AllocHeader`, plus one per two further model targets), one per target model, the
/// owner's `Account` and the pool's `_state` (pause flag and liabilities). Amounts are uint96 (NMR's
/// whole supply is below 2^96 wei); users are numbered (`uint40` ids, 0 = none) so a bucket's owner
/// fits beside its balances. `_state.liabilities` always equals the sum of every account's `liquid`,
/// every bucket's `idle` and the accrued fees; the pool's NMR balance is at least that (more only
/// while NMR owed to nobody sits in it, e.g. a finalized position not yet reconciled). At-risk NMR
/// is held by the tournament.
abstract contract PoolStorage is IPayoutPool {
    /// @dev `flags` bit 0: the policy's mode is Compound (read by claims without the policy's slot).
    /// `_storeBucket`, `_bucketWord`, `_creditModel` and `_returnToBucket` read or write this layout as
    /// one word: keep their shifts in step with the members.
    struct Bucket {
        uint40 ownerId;
        uint96 idle;
        uint96 atRisk;
        uint24 flags;
    }

    /// @dev The rest of the staking policy: the per-round amount and the Compound credit (what the
    /// model's resolved positions returned since its last stake; only kept while Compound).
    struct Policy {
        uint96 perRound;
        uint96 compoundCredit;
    }

    /// @dev `entries`: up to 8 × 16 bits, kind (2 bits) | bps << 2 (14 bits); a zero entry ends the list.
    /// `firstId`: the first non-self model target; further ones are in `_allocIds`.
    struct AllocHeader {
        uint128 entries;
        uint128 firstId;
    }

    /// @dev `nonce` is the signature nonce of allocations and policies. `liquid` must stay the low 96
    /// bits of the slot: `_creditLiquid` adds to the slot as a whole.
    struct Account {
        uint96 liquid;
        uint40 lastFreeWithdrawalAt;
        uint64 withdrawalNonce;
        uint56 nonce;
    }

    /// @dev What a claim reads and writes of the pool as a whole, in one slot. `_loadState`,
    /// `_pausedIn` and `_storeLiabilities` take `liabilities` as the low 96 bits and `paused` as the
    /// next byte: keep them in step with the members.
    struct State {
        uint96 liabilities;
        bool paused;
        uint32 freeWithdrawalPeriod;
    }

    uint24 internal constant _COMPOUND = 1;

    /// @dev Internal target kinds: the public `TargetKind`s plus `_SELF` (a Model target equal to the
    /// source model, stored without an id).
    uint256 internal constant _OTHER_MODEL = 0;
    uint256 internal constant _WALLET = 1;
    uint256 internal constant _POOL = 2;
    uint256 internal constant _SELF = 3;

    IERC20 internal immutable _nmr;
    IModelRegistry internal immutable _registry;
    ITournamentStaking internal immutable _tournament;

    State internal _state;
    mapping(bytes32 model => Bucket) internal _buckets;
    mapping(bytes32 model => Policy) internal _policies;
    mapping(bytes32 model => AllocHeader) internal _allocHeaders;
    mapping(bytes32 model => uint128[7]) internal _allocIds;
    mapping(bytes32 model => mapping(uint64 round => uint256)) internal _staked;
    mapping(uint40 id => Account) internal _accounts;
    mapping(address user => uint40) internal _idOf;
    mapping(uint40 id => address) internal _userOf;
    uint40 private _lastId;

    constructor(IERC20 nmr_, IModelRegistry registry_, ITournamentStaking tournament_) {
        _nmr = nmr_;
        _registry = registry_;
        _tournament = tournament_;
    }

    /// @dev The id of `user`, numbering it on first use.
    function _ensureId(address user) internal returns (uint40 id) {
        id = _idOf[user];
        if (id == 0) {
            id = ++_lastId;
            _idOf[user] = id;
            _userOf[id] = user;
        }
    }

    /// @dev Makes `user` the owner of `model`'s bucket: a no-op if it already is; otherwise `user`
    /// must be the registry owner and the bucket must be empty (then its allocation and policy reset).
    function _bind(bytes32 model, address user) internal returns (uint40 id) {
        id = _ensureId(user);
        Bucket memory b = _buckets[model];
        if (b.ownerId == id) return id;
        if (_registry.ownerOf(model) != user) revert PayoutPoolNotOwner(model, user);
        if (b.ownerId != 0) {
            if (b.idle != 0 || b.atRisk != 0) revert PayoutPoolModelInUse(model, _userOf[b.ownerId]);
            delete _allocHeaders[model];
            delete _policies[model];
        }
        _storeBucket(model, id, 0, 0, 0);
        emit ModelBound(model, user);
    }

    /// @dev Writes all of `model`'s bucket with one SSTORE; assigning the members would read and write
    /// the slot once each. The shifts are the members' offsets in `Bucket`'s storage layout.
    function _storeBucket(bytes32 model, uint40 ownerId, uint96 idle, uint96 atRisk, uint24 flags) internal {
        Bucket storage target = _buckets[model];
        uint256 packed = uint256(ownerId) | (uint256(idle) << 40) | (uint256(atRisk) << 136) | (uint256(flags) << 232);
        assembly ("memory-safe") {
            sstore(target.slot, packed)
        }
    }

    /// @dev `model`'s bucket as its raw slot: `ownerId` is bits 0-39, `idle` 40-135, `atRisk` 136-231,
    /// `flags` 232-255. Reading it into a `Bucket` in memory costs an allocation and four unpackings.
    function _bucketWord(bytes32 model) internal view returns (uint256 word) {
        Bucket storage bucket = _buckets[model];
        assembly ("memory-safe") {
            word := sload(bucket.slot)
        }
    }

    /// @dev Reverts unless the caller owns `model`'s bucket; returns the owner's id.
    function _requireBucketOwner(bytes32 model) internal view returns (uint40 id) {
        id = _idOf[msg.sender];
        if (id == 0 || _buckets[model].ownerId != id) revert PayoutPoolNotOwner(model, msg.sender);
    }
}
