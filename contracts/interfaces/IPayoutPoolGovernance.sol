// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPayoutPoolGovernance
/// @notice Parameters of the payout pool that the admin may change, each within a hard cap fixed in
/// the code, the operator role, the treasury, and the pause switch.
///
/// Users can leave before a change reaches them: a change that is worse for users (a higher express
/// fee, flat fee, fee cap or free-withdrawal period; a new operator) is only announced, with an event,
/// and takes effect `CHANGE_DELAY` (31 days) later, longer than the longest free-withdrawal period
/// (30 days), so every user can make one free withdrawal in between. Lower values take effect at
/// once, and revoking an operator is immediate. The admin role itself moves in two steps with a
/// delay (OpenZeppelin's AccessControlDefaultAdminRules, initial delay `CHANGE_DELAY`).
///
/// Pause stops new stakes into rounds and the routing of payouts by allocation (payouts of claims
/// made while paused go to the owner's liquid balance); it never blocks claims, reconciliations,
/// unstaking, moving stake or any withdrawal.
interface IPayoutPoolGovernance {
    /// @notice The admin-settable parameters.
    /// @param freeWithdrawalPeriod Seconds between two free withdrawals of one user.
    /// @param expressFeeBps Proportional part of the express-withdrawal fee, in basis points.
    /// @param expressFlatFee Flat part of the express-withdrawal fee, in NMR wei.
    /// @param expressFeeCap Largest express-withdrawal fee, in NMR wei.
    struct Params {
        uint32 freeWithdrawalPeriod;
        uint16 expressFeeBps;
        uint80 expressFlatFee;
        uint80 expressFeeCap;
    }

    /// @notice Emitted when parameters take effect (lowered at once, or an announced change activated).
    event ParamsUpdated(Params params);
    /// @notice Emitted when the admin announces `params`, which may be activated from `effectiveAt`.
    event ParamsAnnounced(Params params, uint256 effectiveAt);
    /// @notice Emitted when the admin announces `operator`, who may be activated from `effectiveAt`.
    event OperatorAnnounced(address indexed operator, uint256 effectiveAt);
    /// @notice Emitted when the admin changes the treasury that receives express fees.
    event TreasuryUpdated(address previousTreasury, address newTreasury);
    /// @notice Emitted when the admin pauses (`paused`) or unpauses the pool.
    event PauseSet(bool paused, address admin);
    /// @notice Emitted when accrued express fees are sent to the treasury.
    event FeesCollected(address indexed treasury, uint256 amount);

    /// @notice A parameter is outside its hard bounds (`field` names it).
    error PayoutPoolParamOutOfBounds(string field);
    /// @notice The treasury may not be the zero address.
    error PayoutPoolZeroTreasury();
    /// @notice No fees have accrued.
    error PayoutPoolNoFees();
    /// @notice Nothing of this kind is announced.
    error PayoutPoolNothingAnnounced();
    /// @notice The announced change takes effect only from `effectiveAt`.
    error PayoutPoolNotYetEffective(uint256 effectiveAt);
    /// @notice Operators are added by `announceOperator` and `activateOperator`, not `grantRole`.
    error PayoutPoolOperatorChangeIsDelayed();
    /// @notice The operator may not be the zero address.
    error PayoutPoolZeroOperator();

    /// @notice Sets the parameters. Admin only. Bounds: freeWithdrawalPeriod 1–30 days,
    /// expressFeeBps ≤ 500, expressFlatFee ≤ 10 NMR, expressFeeCap ≤ 50 NMR. Each field that is not
    /// higher than its current value takes effect at once; if any field is higher, `params` as a whole
    /// is announced (replacing any earlier announcement) and `activateParams` applies it from
    /// `CHANGE_DELAY` later. A call without any increase cancels an earlier announcement.
    function setParams(Params calldata params) external;

    /// @notice Applies the announced parameters once their delay has passed. Anyone may call.
    function activateParams() external;

    /// @notice Announces `operator` to receive the operator role `CHANGE_DELAY` from now (replacing any
    /// earlier announcement). Admin only. Revoking the role (`revokeRole`) stays immediate.
    function announceOperator(address operator) external;

    /// @notice Grants the operator role to the announced operator once its delay has passed. Anyone may call.
    function activateOperator() external;

    /// @notice Sets the treasury that `collectFees` pays. Admin only.
    function setTreasury(address treasury) external;

    /// @notice Pauses or unpauses (see the interface notes for what pause stops). Admin only.
    function setPaused(bool paused) external;

    /// @notice Sends all accrued express fees to the treasury. Anyone may call.
    function collectFees() external;

    /// @notice The parameters in force.
    function params() external view returns (Params memory);

    /// @notice The announced parameters and when they may be activated (0: none announced).
    function pendingParams() external view returns (Params memory params, uint256 effectiveAt);

    /// @notice The announced operator and when it may be activated (0: none announced).
    function pendingOperator() external view returns (address operator, uint256 effectiveAt);

    /// @notice The treasury.
    function treasury() external view returns (address);

    /// @notice Whether the pool is paused.
    function paused() external view returns (bool);

    /// @notice Express fees accrued and not yet collected.
    function accruedFees() external view returns (uint256);

    /// @notice What the pool owes inside itself: every liquid balance, every model's idle stake and the
    /// accrued fees. The pool's NMR balance is at least this; above it is NMR owed to nobody (e.g.
    /// sent by the tournament for a finalized position not yet reconciled).
    function liabilities() external view returns (uint256);
}
