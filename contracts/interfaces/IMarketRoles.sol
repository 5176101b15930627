// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarketRoles
/// @notice The marketplace's roles: admin (parameters and roles), verifier (the agent: verdicts
/// and automated delivery) and arbiter (disputes). A slim AccessControl: no role hierarchy.
interface IMarketRoles {
    /// @notice Emitted when `account` gets `role`.
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    /// @notice Emitted when `account` loses `role`.
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    /// @notice `account` lacks `role`.
    error MarketplaceUnauthorized(address account, bytes32 role);

    /// @notice Gives `role` to `account`. Admin only.
    function grantRole(bytes32 role, address account) external;

    /// @notice Takes `role` from `account`. Admin only.
    function revokeRole(bytes32 role, address account) external;

    /// @notice Whether `account` has `role`.
    function hasRole(bytes32 role, address account) external view returns (bool);
}
