// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarketRoles
/// @notice The marketplace's roles: admin (terms and roles), verifier (the agent: verdicts and
/// automated delivery) and arbiter (disputes). Users can outwait every change: a granted role
/// works only `ROLE_DELAY` after the grant, and the admin role moves in two steps, the new admin
/// accepting no sooner than `ADMIN_TRANSFER_DELAY` after the transfer began. Revocation is
/// immediate (it can only protect users).
interface IMarketRoles {
    /// @notice Emitted when `account` is granted `role`; it works from `activeFrom` on.
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender, uint256 activeFrom);
    /// @notice Emitted when `account` loses `role`.
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);
    /// @notice Emitted when the admin starts handing the admin role to `newAdmin`.
    event AdminTransferStarted(address indexed newAdmin, uint256 acceptableFrom);
    /// @notice Emitted when the admin cancels a pending admin transfer.
    event AdminTransferCancelled(address indexed newAdmin);

    /// @notice `account` lacks `role` (or its grant is not active yet).
    error MarketplaceUnauthorized(address account, bytes32 role);
    /// @notice The admin role only moves by `beginAdminTransfer` / `acceptAdminTransfer`.
    error MarketplaceAdminRoleByTransfer();
    /// @notice A zero address where an account is required.
    error MarketplaceZeroAddress();
    /// @notice The caller is not the pending admin, or the transfer delay has not passed.
    error MarketplaceAdminTransferNotReady(address caller, uint256 acceptableFrom);

    /// @notice Grants `role` (verifier or arbiter) to `account`, active `ROLE_DELAY` from now. Admin only.
    function grantRole(bytes32 role, address account) external;

    /// @notice Takes `role` (verifier or arbiter) from `account` at once. Admin only. (The admin
    /// role is not revoked this way: it only moves by transfer.)
    function revokeRole(bytes32 role, address account) external;

    /// @notice Starts moving the admin role to `newAdmin` (replacing any pending transfer). Admin
    /// only. The pending transfer is known from `AdminTransferStarted` / `AdminTransferCancelled`.
    function beginAdminTransfer(address newAdmin) external;

    /// @notice Cancels the pending admin transfer. Admin only.
    function cancelAdminTransfer() external;

    /// @notice Completes the pending transfer: the pending admin only, `ADMIN_TRANSFER_DELAY` after it began.
    function acceptAdminTransfer() external;

    /// @notice Whether `account` holds `role` now (a grant counts once active).
    function hasRole(bytes32 role, address account) external view returns (bool);

    /// @notice The current admin.
    function admin() external view returns (address);
}
