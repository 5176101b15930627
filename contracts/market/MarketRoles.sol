// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketRoles} from "../interfaces/IMarketRoles.sol";

/// @title MarketRoles
/// @notice Role membership for the marketplace (OpenZeppelin AccessControl's surface minus the
/// hierarchy and ERC-165, which the marketplace's size budget cannot afford).
abstract contract MarketRoles is IMarketRoles {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");

    mapping(bytes32 role => mapping(address account => bool)) private _members;

    modifier onlyRole(bytes32 role) {
        if (!_members[role][msg.sender]) revert MarketplaceUnauthorized(msg.sender, role);
        _;
    }

    constructor(address admin) {
        _grant(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IMarketRoles
    function grantRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _grant(role, account);
    }

    /// @inheritdoc IMarketRoles
    function revokeRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_members[role][account]) return;
        _members[role][account] = false;
        emit RoleRevoked(role, account, msg.sender);
    }

    /// @inheritdoc IMarketRoles
    function hasRole(bytes32 role, address account) public view returns (bool) {
        return _members[role][account];
    }

    function _grant(bytes32 role, address account) private {
        if (_members[role][account]) return;
        _members[role][account] = true;
        emit RoleGranted(role, account, msg.sender);
    }
}
