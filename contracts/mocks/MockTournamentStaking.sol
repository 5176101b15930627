// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {INMR} from "../interfaces/INMR.sol";
import {ITournamentStaking} from "../interfaces/ITournamentStaking.sol";

/// @title MockTournamentStaking
/// @notice Local stand-in for Numerai's staking v3 contract (see ITournamentStaking): stakes need an
/// EIP-712 authorization from `signer`; `resolver` posts one Merkle root per round and funds its
/// total payout; stakers claim `stake + payout - burn` with a proof while the round's running
/// remaining payout and burn totals go down. One staker per (round, model). `FINALIZE_GRACE` after a
/// round resolved, `resolver` may finalize an unclaimed position: the staker receives the same
/// `stake + payout - burn` unasked. Burned NMR is destroyed through NMR's `mint` quirk.
/// `FaultyTournamentStaking` below misbehaves on purpose, for tests of a staker's guards.
contract MockTournamentStaking is ITournamentStaking, EIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant STAKE_AUTHORIZATION_TYPEHASH = keccak256(
        "StakeAuthorization(uint32 tournament,uint64 round,address staker,bytes32 modelId,bytes32 submissionHash,uint256 maxAmount,uint256 nonce,uint256 deadline)"
    );

    /// @notice How long after its round resolved a position can be finalized by the resolver.
    uint256 public constant FINALIZE_GRACE = 7 days;

    struct Round {
        bytes32 root;
        uint128 remainingPayout;
        uint128 remainingBurn;
        uint64 resolvedAt;
    }

    error MockTournamentWrongTournament(uint32 tournament);
    error MockTournamentWrongStaker(address staker, address caller);
    error MockTournamentExpired(uint256 deadline);
    error MockTournamentNonceUsed(address staker, uint256 nonce);
    error MockTournamentBadSignature();
    error MockTournamentAboveMax(uint256 amount, uint256 maxAmount);
    error MockTournamentZeroAmount();
    error MockTournamentRoundResolved(uint64 round);
    error MockTournamentRoundNotResolved(uint64 round);
    error MockTournamentNotResolver(address caller);
    error MockTournamentNoStake(uint64 round, address staker, bytes32 modelId);
    error MockTournamentInvalidProof();
    error MockTournamentTotalsExceeded(uint64 round);
    error MockTournamentBurnAboveStake(uint256 burn, uint256 stake);
    error MockTournamentBurnFailed(uint256 amount);
    error MockTournamentTooEarly(uint64 round, uint256 finalizableAt);
    error MockTournamentModelTaken(uint64 round, bytes32 modelId, address staker);

    IERC20 public immutable nmr;
    uint32 public immutable tournament;
    address public immutable signer;
    address public immutable resolver;

    mapping(uint64 round => Round) private _rounds;
    mapping(uint64 round => mapping(address staker => mapping(bytes32 modelId => uint256))) private _stakes;
    /// @dev The one staker of a (round, model) position, kept after it is settled: a stake is never 0,
    /// so "staker recorded, stake 0" means claimed or finalized. Settling clears only `_stakes` (a
    /// refunded SSTORE, as a claim paid before this flag existed).
    mapping(uint64 round => mapping(bytes32 modelId => address)) private _stakerOf;
    mapping(address staker => mapping(uint256 nonce => bool)) private _usedNonces;

    constructor(IERC20 nmr_, uint32 tournament_, address signer_, address resolver_) EIP712("NumeraiStaking", "3") {
        nmr = nmr_;
        tournament = tournament_;
        signer = signer_;
        resolver = resolver_;
    }

    /// @inheritdoc ITournamentStaking
    function stake(StakeAuthorization calldata auth, uint256 amount, bytes calldata signature) external {
        if (auth.tournament != tournament) revert MockTournamentWrongTournament(auth.tournament);
        if (auth.staker != msg.sender) revert MockTournamentWrongStaker(auth.staker, msg.sender);
        if (block.timestamp > auth.deadline) revert MockTournamentExpired(auth.deadline);
        if (amount == 0) revert MockTournamentZeroAmount();
        if (amount > auth.maxAmount) revert MockTournamentAboveMax(amount, auth.maxAmount);
        if (_rounds[auth.round].root != bytes32(0)) revert MockTournamentRoundResolved(auth.round);
        if (_usedNonces[msg.sender][auth.nonce]) revert MockTournamentNonceUsed(msg.sender, auth.nonce);
        address holder = _stakerOf[auth.round][auth.modelId];
        if (holder != address(0) && holder != msg.sender) revert MockTournamentModelTaken(auth.round, auth.modelId, holder);
        if (ECDSA.recover(_hashTypedDataV4(_hashAuthorization(auth)), signature) != signer) {
            revert MockTournamentBadSignature();
        }

        _usedNonces[msg.sender][auth.nonce] = true;
        if (holder == address(0)) _stakerOf[auth.round][auth.modelId] = msg.sender;
        _stakes[auth.round][msg.sender][auth.modelId] += amount;
        emit Staked(auth.round, msg.sender, auth.modelId, amount, auth.submissionHash);
        nmr.safeTransferFrom(msg.sender, address(this), amount - _shortfall());
    }

    /// @notice Posts the result root of `round` and pulls its total payout from the resolver.
    function resolveRound(uint64 round, bytes32 root, uint128 totalPayout, uint128 totalBurn) external {
        if (msg.sender != resolver) revert MockTournamentNotResolver(msg.sender);
        if (_rounds[round].root != bytes32(0)) revert MockTournamentRoundResolved(round);

        _rounds[round] = Round({
            root: root,
            remainingPayout: totalPayout,
            remainingBurn: totalBurn,
            resolvedAt: uint64(block.timestamp)
        });
        emit RoundResolved(round, root, totalPayout, totalBurn);
        nmr.safeTransferFrom(msg.sender, address(this), totalPayout);
    }

    /// @inheritdoc ITournamentStaking
    // slither-disable-next-line incorrect-equality -- a zero root means "not resolved", not a balance anyone can move
    function claim(uint64 round, bytes32 modelId, uint256 payout, uint256 burn, bytes32[] calldata proof) external {
        bytes32 root = _rounds[round].root;
        if (root == bytes32(0)) revert MockTournamentRoundNotResolved(round);
        uint256 staked = _settle(round, root, msg.sender, modelId, payout, burn, proof);
        emit Claimed(round, msg.sender, modelId, staked, payout, burn);
        _payOut(msg.sender, staked + payout - burn, burn);
    }

    /// @notice Finalizes the unclaimed result `(payout, burn)` of `staker` on `modelId` in `round` and
    /// sends `stake + payout - burn` to `staker` unasked (a plain transfer). Resolver only, from
    /// `FINALIZE_GRACE` after the round resolved; the leaf is verified as `claim` verifies it.
    // slither-disable-next-line incorrect-equality -- a zero root means "not resolved", not a balance anyone can move
    function finalize(uint64 round, address staker, bytes32 modelId, uint256 payout, uint256 burn, bytes32[] calldata proof)
        external
    {
        if (msg.sender != resolver) revert MockTournamentNotResolver(msg.sender);
        bytes32 root = _rounds[round].root;
        if (root == bytes32(0)) revert MockTournamentRoundNotResolved(round);
        uint256 finalizableAt = uint256(_rounds[round].resolvedAt) + FINALIZE_GRACE;
        if (block.timestamp < finalizableAt) revert MockTournamentTooEarly(round, finalizableAt);
        uint256 staked = _settle(round, root, staker, modelId, payout, burn, proof);
        emit Finalized(round, staker, modelId, staked, payout, burn);
        _payOut(staker, staked + payout - burn, burn);
    }

    /// @inheritdoc ITournamentStaking
    function stakeOf(uint64 round, address staker, bytes32 modelId) external view returns (uint256) {
        return _stakes[round][staker][modelId];
    }

    /// @inheritdoc ITournamentStaking
    function rootOf(uint64 round) external view returns (bytes32) {
        return _rounds[round].root;
    }

    /// @inheritdoc ITournamentStaking
    function isClaimed(uint64 round, address staker, bytes32 modelId) external view returns (bool) {
        return staker != address(0) && _stakerOf[round][modelId] == staker && _stakes[round][staker][modelId] == 0;
    }

    /// @notice The staker holding (or that held) the position on `modelId` in `round` (zero if none).
    function stakerOf(uint64 round, bytes32 modelId) external view returns (address) {
        return _stakerOf[round][modelId];
    }

    /// @notice The root, running remaining payout/burn totals and resolution time of `round`.
    function roundOf(uint64 round) external view returns (Round memory) {
        return _rounds[round];
    }

    /// @notice Whether `nonce` of `staker` has been used.
    function nonceUsed(address staker, uint256 nonce) external view returns (bool) {
        return _usedNonces[staker][nonce];
    }

    /// @notice The EIP-712 domain separator authorizations are signed under.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev NMR a stake pulls short and a claim pays short: none here.
    function _shortfall() internal view virtual returns (uint256) {
        return 0;
    }

    /// @dev Verifies the leaf of a resolved round's position against `root` (the round's, read once by
    /// the caller), clears the position, marks it claimed and lowers the round's remaining totals;
    /// returns the stake.
    function _settle(
        uint64 round,
        bytes32 root,
        address staker,
        bytes32 modelId,
        uint256 payout,
        uint256 burn,
        bytes32[] calldata proof
    ) private returns (uint256 staked) {
        staked = _stakes[round][staker][modelId];
        if (staked == 0) revert MockTournamentNoStake(round, staker, modelId);
        if (burn > staked) revert MockTournamentBurnAboveStake(burn, staked);
        Round storage r = _rounds[round]; // a storage pointer: resolvedAt's slot is not read here
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(round, staker, modelId, payout, burn))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert MockTournamentInvalidProof();
        (uint128 remainingPayout, uint128 remainingBurn) = (r.remainingPayout, r.remainingBurn);
        if (payout > remainingPayout || burn > remainingBurn) revert MockTournamentTotalsExceeded(round);

        delete _stakes[round][staker][modelId]; // settled: _stakerOf stays, so isClaimed holds
        // Both fit: checked against the uint128 totals just above.
        r.remainingPayout = remainingPayout - uint128(payout);
        r.remainingBurn = remainingBurn - uint128(burn);
    }

    /// @dev Destroys `burn` and sends `amount` (less any test shortfall) to `to`.
    function _payOut(address to, uint256 amount, uint256 burn) private {
        if (burn != 0 && !INMR(address(nmr)).mint(burn)) revert MockTournamentBurnFailed(burn);
        nmr.safeTransfer(to, amount - _shortfall());
    }

    function _hashAuthorization(StakeAuthorization calldata auth) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                STAKE_AUTHORIZATION_TYPEHASH,
                auth.tournament,
                auth.round,
                auth.staker,
                auth.modelId,
                auth.submissionHash,
                auth.maxAmount,
                auth.nonce,
                auth.deadline
            )
        );
    }
}

/// @title FaultyTournamentStaking
/// @notice A MockTournamentStaking that, after `setShortfall(x)`, pulls `x` NMR less on every stake and
/// pays `x` less on every claim than its own records say. Tests only.
contract FaultyTournamentStaking is MockTournamentStaking {
    uint256 public shortfall;

    event ShortfallSet(uint256 shortfall);

    constructor(IERC20 nmr_, uint32 tournament_, address signer_, address resolver_)
        MockTournamentStaking(nmr_, tournament_, signer_, resolver_)
    {}

    /// @notice Sets the shortfall. Resolver only.
    function setShortfall(uint256 shortfall_) external {
        if (msg.sender != resolver) revert MockTournamentNotResolver(msg.sender);
        shortfall = shortfall_;
        emit ShortfallSet(shortfall_);
    }

    function _shortfall() internal view override returns (uint256) {
        return shortfall;
    }
}
