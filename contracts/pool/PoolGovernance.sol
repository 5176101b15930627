// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IPayoutPoolGovernance} from "../interfaces/IPayoutPoolGovernance.sol";
import {PoolStorage} from "./PoolStorage.sol";

/// @title PoolGovernance
/// @notice Roles (two-step delayed admin), bounded parameters whose increases are announced and
/// delayed, the delayed operator change, the treasury, pause and fee collection of the payout pool.
abstract contract PoolGovernance is PoolStorage, AccessControlDefaultAdminRules {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    /// @notice Delay of announced parameter increases and operator changes, and the initial delay of
    /// an admin transfer: longer than the longest free-withdrawal period.
    uint32 public constant CHANGE_DELAY = 31 days;
    uint32 public constant MIN_FREE_WITHDRAWAL_PERIOD = 1 days;
    uint32 public constant MAX_FREE_WITHDRAWAL_PERIOD = 30 days;
    uint16 public constant MAX_EXPRESS_FEE_BPS = 500;
    uint80 public constant MAX_EXPRESS_FLAT_FEE = 10e18;
    uint80 public constant MAX_EXPRESS_FEE_CAP = 50e18;

    /// @dev The express-fee parameters in force (read by express withdrawals only).
    struct Fees {
        uint16 bps;
        uint80 flat;
        uint80 cap;
    }

    /// @dev Announced parameters; `effectiveAt` 0 means none.
    struct PendingParams {
        Params params;
        uint40 effectiveAt;
    }

    struct PendingOperator {
        address operator;
        uint40 effectiveAt;
    }

    Fees internal _fees;
    PendingParams private _pendingParams;
    PendingOperator private _pendingOperator;
    address private _treasury;
    uint256 internal _accruedFees;

    constructor(address admin, address operator, address treasury_) AccessControlDefaultAdminRules(CHANGE_DELAY, admin) {
        if (treasury_ == address(0)) revert PayoutPoolZeroTreasury();
        _grantRole(OPERATOR_ROLE, operator);
        _treasury = treasury_;
        _state.freeWithdrawalPeriod = 14 days;
        _fees = Fees({bps: 50, flat: 0.5e18, cap: 5e18});
    }

    /// @inheritdoc IPayoutPoolGovernance
    function setParams(Params calldata p) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (p.freeWithdrawalPeriod < MIN_FREE_WITHDRAWAL_PERIOD || p.freeWithdrawalPeriod > MAX_FREE_WITHDRAWAL_PERIOD) {
            revert PayoutPoolParamOutOfBounds("freeWithdrawalPeriod");
        }
        if (p.expressFeeBps > MAX_EXPRESS_FEE_BPS) revert PayoutPoolParamOutOfBounds("expressFeeBps");
        if (p.expressFlatFee > MAX_EXPRESS_FLAT_FEE) revert PayoutPoolParamOutOfBounds("expressFlatFee");
        if (p.expressFeeCap > MAX_EXPRESS_FEE_CAP) revert PayoutPoolParamOutOfBounds("expressFeeCap");

        Params memory current = params();
        bool increase = p.freeWithdrawalPeriod > current.freeWithdrawalPeriod || p.expressFeeBps > current.expressFeeBps
            || p.expressFlatFee > current.expressFlatFee || p.expressFeeCap > current.expressFeeCap;
        // Every field not above its current value takes effect now; the rest keep their current value.
        _apply(
            Params({
                freeWithdrawalPeriod: _min32(p.freeWithdrawalPeriod, current.freeWithdrawalPeriod),
                expressFeeBps: p.expressFeeBps < current.expressFeeBps ? p.expressFeeBps : current.expressFeeBps,
                expressFlatFee: p.expressFlatFee < current.expressFlatFee ? p.expressFlatFee : current.expressFlatFee,
                expressFeeCap: p.expressFeeCap < current.expressFeeCap ? p.expressFeeCap : current.expressFeeCap
            })
        );
        if (increase) {
            uint40 effectiveAt = uint40(block.timestamp + CHANGE_DELAY);
            _pendingParams = PendingParams(p, effectiveAt);
            emit ParamsAnnounced(p, effectiveAt);
        } else {
            delete _pendingParams;
        }
    }

    /// @inheritdoc IPayoutPoolGovernance
    function activateParams() external {
        PendingParams memory pending = _pendingParams;
        // slither-disable-next-line incorrect-equality -- zero means "nothing announced"; the time itself is compared with <
        if (pending.effectiveAt == 0) revert PayoutPoolNothingAnnounced();
        if (block.timestamp < pending.effectiveAt) revert PayoutPoolNotYetEffective(pending.effectiveAt);
        delete _pendingParams;
        _apply(pending.params);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function announceOperator(address operator) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (operator == address(0)) revert PayoutPoolZeroOperator();
        uint40 effectiveAt = uint40(block.timestamp + CHANGE_DELAY);
        _pendingOperator = PendingOperator(operator, effectiveAt);
        emit OperatorAnnounced(operator, effectiveAt);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function activateOperator() external {
        PendingOperator memory pending = _pendingOperator;
        // slither-disable-next-line incorrect-equality -- zero means "nothing announced"; the time itself is compared with <
        if (pending.effectiveAt == 0) revert PayoutPoolNothingAnnounced();
        if (block.timestamp < pending.effectiveAt) revert PayoutPoolNotYetEffective(pending.effectiveAt);
        delete _pendingOperator;
        _grantRole(OPERATOR_ROLE, pending.operator); // emits RoleGranted
    }

    /// @notice Grants `role` to `account` (OpenZeppelin's rules), except the operator role, which only
    /// `announceOperator` and `activateOperator` grant.
    function grantRole(bytes32 role, address account) public override(AccessControlDefaultAdminRules) {
        if (role == OPERATOR_ROLE) revert PayoutPoolOperatorChangeIsDelayed();
        super.grantRole(role, account);
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
        _state.paused = paused_;
        emit PauseSet(paused_, msg.sender);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function collectFees() external {
        uint256 amount = _accruedFees;
        // slither-disable-next-line incorrect-equality -- an internal counter, not the pool's token balance
        if (amount == 0) revert PayoutPoolNoFees();
        address to = _treasury;
        _accruedFees = 0;
        _state.liabilities -= uint96(amount); // the fees are part of the liabilities, so ≤ them
        emit FeesCollected(to, amount);
        _nmr.safeTransfer(to, amount);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function params() public view returns (Params memory) {
        Fees memory f = _fees;
        return Params(_state.freeWithdrawalPeriod, f.bps, f.flat, f.cap);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function pendingParams() external view returns (Params memory, uint256) {
        PendingParams memory pending = _pendingParams;
        return (pending.params, pending.effectiveAt);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function pendingOperator() external view returns (address, uint256) {
        PendingOperator memory pending = _pendingOperator;
        return (pending.operator, pending.effectiveAt);
    }

    /// @inheritdoc IPayoutPoolGovernance
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @inheritdoc IPayoutPoolGovernance
    function paused() external view returns (bool) {
        return _state.paused;
    }

    /// @inheritdoc IPayoutPoolGovernance
    function accruedFees() external view returns (uint256) {
        return _accruedFees;
    }

    /// @inheritdoc IPayoutPoolGovernance
    function liabilities() external view returns (uint256) {
        return _state.liabilities;
    }

    function _apply(Params memory p) private {
        _state.freeWithdrawalPeriod = p.freeWithdrawalPeriod;
        _fees = Fees({bps: p.expressFeeBps, flat: p.expressFlatFee, cap: p.expressFeeCap});
        emit ParamsUpdated(p);
    }

    function _min32(uint32 a, uint32 b) private pure returns (uint32) {
        return a < b ? a : b;
    }
}
