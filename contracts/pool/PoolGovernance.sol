// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IPayoutPoolGovernance} from "../interfaces/IPayoutPoolGovernance.sol";
import {PoolStorage} from "./PoolStorage.sol";

/// @title PoolGovernance
/// @notice Roles, bounded parameters, the treasury, pause and fee collection of the payout pool.
abstract contract PoolGovernance is PoolStorage, AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    uint32 public constant MIN_FREE_WITHDRAWAL_PERIOD = 1 days;
    uint32 public constant MAX_FREE_WITHDRAWAL_PERIOD = 30 days;
    uint32 public constant MIN_TRANCHE_INTERVAL = 1 hours;
    uint32 public constant MAX_TRANCHE_INTERVAL = 7 days;
    uint16 public constant MAX_EXPRESS_FEE_BPS = 500;
    uint80 public constant MAX_EXPRESS_FLAT_FEE = 10e18;
    uint80 public constant MAX_EXPRESS_FEE_CAP = 50e18;

    /// @dev Params plus the pause flag in one slot, read once per claim.
    struct Config {
        uint32 freeWithdrawalPeriod;
        uint32 trancheInterval;
        uint16 expressFeeBps;
        uint80 expressFlatFee;
        uint80 expressFeeCap;
        bool paused;
    }

    Config internal _config;
    address private _treasury;
    uint256 internal _accruedFees;

    constructor(address admin, address operator, address treasury_) {
        if (treasury_ == address(0)) revert PayoutPoolZeroTreasury();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(OPERATOR_ROLE, operator);
        _treasury = treasury_;
        _config = Config({
            freeWithdrawalPeriod: 14 days,
            trancheInterval: 7 days,
            expressFeeBps: 50,
            expressFlatFee: 0.5e18,
            expressFeeCap: 5e18,
            paused: false
        });
    }

    /// @inheritdoc IPayoutPoolGovernance
    function setParams(Params calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (p.freeWithdrawalPeriod < MIN_FREE_WITHDRAWAL_PERIOD || p.freeWithdrawalPeriod > MAX_FREE_WITHDRAWAL_PERIOD) {
            revert PayoutPoolParamOutOfBounds("freeWithdrawalPeriod");
        }
        if (p.trancheInterval < MIN_TRANCHE_INTERVAL || p.trancheInterval > MAX_TRANCHE_INTERVAL) {
            revert PayoutPoolParamOutOfBounds("trancheInterval");
        }
        if (p.expressFeeBps > MAX_EXPRESS_FEE_BPS) revert PayoutPoolParamOutOfBounds("expressFeeBps");
        if (p.expressFlatFee > MAX_EXPRESS_FLAT_FEE) revert PayoutPoolParamOutOfBounds("expressFlatFee");
        if (p.expressFeeCap > MAX_EXPRESS_FEE_CAP) revert PayoutPoolParamOutOfBounds("expressFeeCap");

        Config storage c = _config;
        c.freeWithdrawalPeriod = p.freeWithdrawalPeriod;
        c.trancheInterval = p.trancheInterval;
        c.expressFeeBps = p.expressFeeBps;
        c.expressFlatFee = p.expressFlatFee;
        c.expressFeeCap = p.expressFeeCap;
        emit ParamsUpdated(p);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function setTreasury(address treasury_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (treasury_ == address(0)) revert PayoutPoolZeroTreasury();
        address previous = _treasury;
        _treasury = treasury_;
        emit TreasuryUpdated(previous, treasury_);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function setPaused(bool paused_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _config.paused = paused_;
        emit PauseSet(paused_, msg.sender);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function collectFees() external {
        uint256 amount = _accruedFees;
        if (amount == 0) revert PayoutPoolNoFees();
        address to = _treasury;
        _accruedFees = 0;
        emit FeesCollected(to, amount);
        _nmr.safeTransfer(to, amount);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function params() external view returns (Params memory) {
        Config memory c = _config;
        return Params(c.freeWithdrawalPeriod, c.trancheInterval, c.expressFeeBps, c.expressFlatFee, c.expressFeeCap);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IPayoutPoolGovernance
    function paused() external view returns (bool) {
        return _config.paused;
    }

    /// @inheritdoc IPayoutPoolGovernance
    function accruedFees() external view returns (uint256) {
        return _accruedFees;
    }
}
