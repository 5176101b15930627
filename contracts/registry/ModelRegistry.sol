// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/// @title ModelRegistry
/// @notice Model id → owner wallet, written by the attestor after off-chain verification.
contract ModelRegistry is IModelRegistry, AccessControl {
    bytes32 public constant ATTESTOR_ROLE = keccak256("ATTESTOR_ROLE");

    mapping(bytes32 modelId => Model) private _models;

    constructor(address admin, address attestor) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ATTESTOR_ROLE, attestor);
    }

    /// @inheritdoc IModelRegistry
    function attest(bytes32 modelId, address owner, uint32 tournament) external onlyRole(ATTESTOR_ROLE) {
        if (modelId == bytes32(0)) revert ModelRegistryZeroModelId();
        if (owner == address(0)) revert ModelRegistryZeroOwner();
        if (tournament == 0) revert ModelRegistryInvalidTournament(tournament);
        address current = _models[modelId].owner;
        if (current != address(0)) revert ModelRegistryAlreadyRegistered(modelId, current);

        _models[modelId] = Model({owner: owner, tournament: tournament, attestedAt: uint64(block.timestamp)});
        emit ModelAttested(modelId, owner, tournament, msg.sender);
    }

    /// @inheritdoc IModelRegistry
    function release(bytes32 modelId) external {
        address owner = _models[modelId].owner;
        if (owner == address(0)) revert ModelRegistryNotRegistered(modelId);
        if (owner != msg.sender) revert ModelRegistryNotOwner(modelId, msg.sender);

        delete _models[modelId];
        emit ModelReleased(modelId, owner);
    }

    /// @inheritdoc IModelRegistry
    function revoke(bytes32 modelId, bytes32 reason) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address owner = _models[modelId].owner;
        if (owner == address(0)) revert ModelRegistryNotRegistered(modelId);

        delete _models[modelId];
        emit ModelRevoked(modelId, owner, reason);
    }

    /// @inheritdoc IModelRegistry
    function ownerOf(bytes32 modelId) external view returns (address) {
        return _models[modelId].owner;
    }

    /// @inheritdoc IModelRegistry
    function modelOf(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }
}
