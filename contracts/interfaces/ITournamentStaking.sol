// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITournamentStaking
/// @notice The subset of Numerai's on-chain staking ("Atomic Blockchain Staking", staking v3) that
/// nmrx uses. A stake into a round needs an authorization that Numerai's signer issued (EIP-712)
/// for exactly this tournament, round, staker, model and submission; it pulls the NMR from the
/// staker. One staker holds a (round, model) position. When a round resolves Numerai posts one
/// Merkle root over the leaves `(round, staker, modelId, payout, burn)` and funds the round's total
/// payout; a staker claims its leaf with a proof and receives `stake + payout - burn` (the burn is
/// destroyed, and never exceeds the stake). A position left unclaimed for a grace period after
/// resolution is finalized by Numerai: the same amount is sent to the staker unasked (a plain
/// transfer, no callback) and the position is gone, as if claimed.
/// @dev Leaves are OpenZeppelin "standard" double-hashed leaves:
/// `keccak256(bytes.concat(keccak256(abi.encode(round, staker, modelId, payout, burn))))`, and the
/// tree hashes sorted pairs (`MerkleProof.verify`). `agent/payouts.py` builds the same trees.
interface ITournamentStaking {
    /// @notice What Numerai's signer authorizes for one stake.
    /// @param tournament Numerai's tournament number (8 = classic).
    /// @param round The round the stake enters.
    /// @param staker The account that stakes and later claims (the nmrx pool).
    /// @param modelId The model (see IModelRegistry for the id format).
    /// @param submissionHash Hash of the submission the stake backs.
    /// @param maxAmount The largest amount this authorization allows.
    /// @param nonce Single-use number (per staker).
    /// @param deadline Last timestamp at which the authorization may be used.
    struct StakeAuthorization {
        uint32 tournament;
        uint64 round;
        address staker;
        bytes32 modelId;
        bytes32 submissionHash;
        uint256 maxAmount;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice Emitted when `staker` stakes `amount` on `modelId` in `round`.
    event Staked(uint64 indexed round, address indexed staker, bytes32 indexed modelId, uint256 amount, bytes32 submissionHash);
    /// @notice Emitted when Numerai posts the result root of `round`.
    event RoundResolved(uint64 indexed round, bytes32 root, uint256 totalPayout, uint256 totalBurn);
    /// @notice Emitted when `staker` claims its result of `round` for `modelId`.
    event Claimed(uint64 indexed round, address indexed staker, bytes32 indexed modelId, uint256 stake, uint256 payout, uint256 burn);
    /// @notice Emitted when Numerai finalizes the unclaimed result of `staker` on `modelId` in `round`
    /// and sends `stake + payout - burn` to `staker` unasked.
    event Finalized(uint64 indexed round, address indexed staker, bytes32 indexed modelId, uint256 stake, uint256 payout, uint256 burn);

    /// @notice Stakes `amount` (≤ `auth.maxAmount`) of the caller's NMR; the caller must be `auth.staker`
    /// and must have approved this contract for `amount`.
    function stake(StakeAuthorization calldata auth, uint256 amount, bytes calldata signature) external;

    /// @notice Claims the caller's result of `round` for `modelId`: verifies the leaf against the round's
    /// root and transfers `stake + payout - burn` to the caller. A leaf can be claimed once.
    function claim(uint64 round, bytes32 modelId, uint256 payout, uint256 burn, bytes32[] calldata proof) external;

    /// @notice The caller-independent stake of `staker` on `modelId` in `round` (zero once claimed).
    function stakeOf(uint64 round, address staker, bytes32 modelId) external view returns (uint256);

    /// @notice The result root Numerai posted for `round`; zero until the round is resolved.
    function rootOf(uint64 round) external view returns (bytes32);

    /// @notice Whether the position of `staker` on `modelId` in `round` has been settled: true once the
    /// staker claimed it or Numerai finalized it (and sent its NMR to the staker).
    function isClaimed(uint64 round, address staker, bytes32 modelId) external view returns (bool);
}
