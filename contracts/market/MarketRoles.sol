// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarketRoles} from "../interfaces/IMarketRoles.sol";

/// @title MarketRoles
/// @notice Delayed role grants and a two-step, delayed admin transfer (the rules of OpenZeppelin's
/// AccessControlDefaultAdminRules, without its role hierarchy and ERC-165, which the marketplace's
/// size budget cannot afford).
abstract contract MarketRoles is IMarketRoles {
    bytes32 public constant DEFAULT_ADMIN_ROLE = 0x00;
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    /// @notice Time between a role grant and the moment the role works.
    uint256 public constant ROLE_DELAY = 2 days;
    /// @notice Time between the start of an admin transfer and its earliest acceptance.
    uint256 public constant ADMIN_TRANSFER_DELAY = 3 days;

    mapping(bytes32 role => mapping(address account => uint256 activeFrom)) private _grants;
    address private _admin;
    address private _pendingAdmin;
    uint256 private _pendingAdminFrom;

    modifier onlyRole(bytes32 role) {
        if (!hasRole(role, msg.sender)) revert MarketplaceUnauthorized(msg.sender, role);
        _;
    }

    /// @dev The first verifier and arbiter are active at once: they are public before any order
    /// exists, so no user has to outwait them.
    constructor(address admin_, address verifier, address arbiter) {
        if (admin_ == address(0) || verifier == address(0) || arbiter == address(0)) revert MarketplaceZeroAddress();
        _admin = admin_;
        _grants[VERIFIER_ROLE][verifier] = block.timestamp;
        _grants[ARBITER_ROLE][arbiter] = block.timestamp;
        emit RoleGranted(DEFAULT_ADMIN_ROLE, admin_, msg.sender, block.timestamp);
        emit RoleGranted(VERIFIER_ROLE, verifier, msg.sender, block.timestamp);
        emit RoleGranted(ARBITER_ROLE, arbiter, msg.sender, block.timestamp);
    }

    /// @inheritdoc IMarketRoles
    function grantRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (role == DEFAULT_ADMIN_ROLE) revert MarketplaceAdminRoleByTransfer();
        if (account == address(0)) revert MarketplaceZeroAddress();
        if (_grants[role][account] != 0) return;
        uint256 activeFrom = block.timestamp + ROLE_DELAY;
        _grants[role][account] = activeFrom;
        emit RoleGranted(role, account, msg.sender, activeFrom);
    }

    /// @inheritdoc IMarketRoles
    function revokeRole(bytes32 role, address account) external onlyRole(DEFAULT_ADMIN_ROLE) {
        // Nothing is ever recorded for the admin role (it moves by transfer): revoking it is a no-op.
        if (_grants[role][account] == 0) return;
        delete _grants[role][account];
        emit RoleRevoked(role, account, msg.sender);
    }

    /// @inheritdoc IMarketRoles
    function beginAdminTransfer(address newAdmin) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newAdmin == address(0)) revert MarketplaceZeroAddress();
        uint256 acceptableFrom = block.timestamp + ADMIN_TRANSFER_DELAY;
        _pendingAdmin = newAdmin;
        _pendingAdminFrom = acceptableFrom;
        emit AdminTransferStarted(newAdmin, acceptableFrom);
    }

    /// @inheritdoc IMarketRoles
    function cancelAdminTransfer() external onlyRole(DEFAULT_ADMIN_ROLE) {
        address pending = _pendingAdmin;
        delete _pendingAdmin;
        delete _pendingAdminFrom;
        emit AdminTransferCancelled(pending);
    }

    /// @inheritdoc IMarketRoles
    function acceptAdminTransfer() external {
        uint256 from = _pendingAdminFrom;
        if (msg.sender != _pendingAdmin || block.timestamp < from) {
            revert MarketplaceAdminTransferNotReady(msg.sender, from);
        }
        address previous = _admin;
        _admin = msg.sender;
        delete _pendingAdmin;
        delete _pendingAdminFrom;
        emit RoleRevoked(DEFAULT_ADMIN_ROLE, previous, msg.sender);
        emit RoleGranted(DEFAULT_ADMIN_ROLE, msg.sender, msg.sender, block.timestamp);
    }

    /// @inheritdoc IMarketRoles
    function hasRole(bytes32 role, address account) public view returns (bool) {
        if (role == DEFAULT_ADMIN_ROLE) return account == _admin;
        uint256 activeFrom = _grants[role][account];
        return activeFrom != 0 && activeFrom <= block.timestamp;
    }

    /// @inheritdoc IMarketRoles
    function admin() external view returns (address) {
        return _admin;
    }
}
