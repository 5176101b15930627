// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IModelRegistry
/// @notice Maps a Numerai model to the wallet that owns it. Entries are written only by an
/// attestor after the agent verified, off-chain, a one-time code the owner put in the model's
/// public Numerai bio. The owner may release an entry, the admin may revoke one, and the pool and
/// the marketplace read it to decide who may act for a model.
/// @dev A model id is Numerai's model UUID as a number: the UUID's 16 bytes right-aligned in a
/// bytes32 (`bytes32(uint256(uuid.int))` in Python, see `agent.models.model_id_from_uuid`). It is
/// reversible, so an id read from an event can be turned back into the UUID Numerai's API uses.
interface IModelRegistry {
    /// @notice A registered model.
    /// @param owner The wallet that controls the model in nmrx.
    /// @param tournament Numerai's tournament number (8 = classic, 11 = signals, 12 = crypto).
    /// @param attestedAt Timestamp of the attestation.
    struct Model {
        address owner;
        uint32 tournament;
        uint64 attestedAt;
    }

    /// @notice Emitted when the attestor registers `modelId` to `owner`.
    event ModelAttested(bytes32 indexed modelId, address indexed owner, uint32 tournament, address attestor);
    /// @notice Emitted when the owner gives up the entry.
    event ModelReleased(bytes32 indexed modelId, address indexed owner);
    /// @notice Emitted when the admin removes an attestation; `reason` is a hash of the written reason.
    event ModelRevoked(bytes32 indexed modelId, address indexed owner, bytes32 reason);

    /// @notice `owner` is the zero address.
    error ModelRegistryZeroOwner();
    /// @notice `modelId` is zero, which no UUID maps to.
    error ModelRegistryZeroModelId();
    /// @notice `tournament` is zero.
    error ModelRegistryInvalidTournament(uint32 tournament);
    /// @notice `modelId` is already registered (to `owner`); it must be released or revoked first.
    error ModelRegistryAlreadyRegistered(bytes32 modelId, address owner);
    /// @notice `modelId` has no entry.
    error ModelRegistryNotRegistered(bytes32 modelId);
    /// @notice `caller` is not the registered owner of `modelId`.
    error ModelRegistryNotOwner(bytes32 modelId, address caller);

    /// @notice Registers `modelId` to `owner`. Attestor only.
    /// @param modelId The model id (see the contract's notes on how it derives from the UUID).
    /// @param owner The wallet that proved control of the model.
    /// @param tournament Numerai's tournament number.
    function attest(bytes32 modelId, address owner, uint32 tournament) external;

    /// @notice Removes the caller's own entry for `modelId`.
    function release(bytes32 modelId) external;

    /// @notice Removes the entry for `modelId`. Admin only.
    /// @param reason Hash of the reason, published off-chain.
    function revoke(bytes32 modelId, bytes32 reason) external;

    /// @notice The registered owner of `modelId`, or the zero address.
    function ownerOf(bytes32 modelId) external view returns (address);

    /// @notice The whole entry for `modelId` (all zero when unregistered).
    function modelOf(bytes32 modelId) external view returns (Model memory);
}
