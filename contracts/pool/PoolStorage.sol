// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IPayoutPool} from "../interfaces/IPayoutPool.sol";
import {ITournamentStaking} from "../interfaces/ITournamentStaking.sol";

/// @title PoolStorage
/// @notice The payout pool's state, shared by its focused parts, and the bucket binding rule.
/// @dev Amounts are stored as uint96 (NMR's whole supply is below 2^96 wei) so that the hot
/// per-model and per-user records are one storage slot each. NMR held by the pool always equals
/// the sum of every user's `liquid`, every bucket's `idle`, every decrease's `filled` and the
/// accrued fees; at-risk NMR is held by the tournament.
abstract contract PoolStorage is IPayoutPool {
    /// @dev One slot: read and written by every claim routed to the model.
    struct Bucket {
        address owner;
        uint96 idle;
    }

    /// @dev `unfilled` is the part of the queued decrease still at risk in rounds ≤ `riskRound`.
    struct Risk {
        uint96 atRisk;
        uint96 unfilled;
        uint64 riskRound;
    }

    /// @dev `packed` holds `count` entries of 24 bits: kind (8) | bps (16) << 8.
    struct AllocHeader {
        uint8 count;
        uint56 lastRound;
        uint192 packed;
    }

    /// @dev Invariant: total == released + filled + unfilled (see Risk); total == released means none.
    struct Decrease {
        uint96 total;
        uint96 released;
        uint64 startedAt;
    }

    struct User {
        uint96 liquid;
        uint40 lastFreeWithdrawalAt;
        uint64 withdrawalNonce;
        uint56 allocationNonce;
    }

    IERC20 internal immutable _nmr;
    IModelRegistry internal immutable _registry;
    ITournamentStaking internal immutable _tournament;

    mapping(bytes32 model => Bucket) internal _buckets;
    mapping(bytes32 model => Risk) internal _risks;
    mapping(bytes32 model => AllocHeader) internal _allocHeaders;
    mapping(bytes32 model => uint128[8]) internal _allocModels;
    mapping(bytes32 model => Decrease) internal _decreases;
    mapping(bytes32 model => uint96) internal _filled;
    mapping(bytes32 model => mapping(uint64 round => uint256)) internal _staked;
    mapping(address user => User) internal _users;

    constructor(IERC20 nmr_, IModelRegistry registry_, ITournamentStaking tournament_) {
        _nmr = nmr_;
        _registry = registry_;
        _tournament = tournament_;
    }

    /// @dev Makes `user` the owner of `model`'s bucket: a no-op if it already is; otherwise `user`
    /// must be the registry owner and the bucket must be empty (then its allocation resets).
    function _bind(bytes32 model, address user) internal {
        address current = _buckets[model].owner;
        if (current == user) return;
        if (_registry.ownerOf(model) != user) revert PayoutPoolNotOwner(model, user);
        if (current != address(0)) {
            if (!_isEmpty(model)) revert PayoutPoolModelInUse(model, current);
            AllocHeader storage header = _allocHeaders[model];
            header.count = 0;
            header.packed = 0;
        }
        _buckets[model].owner = user;
        emit ModelBound(model, user);
    }

    function _isEmpty(bytes32 model) internal view returns (bool) {
        Decrease memory d = _decreases[model];
        return _buckets[model].idle == 0 && _risks[model].atRisk == 0 && d.total == d.released;
    }

    function _requireBucketOwner(bytes32 model) internal view returns (address owner) {
        owner = _buckets[model].owner;
        if (owner != msg.sender) revert PayoutPoolNotOwner(model, msg.sender);
    }
}
