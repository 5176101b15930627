// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IPayoutPoolGovernance
/// @notice Parameters of the payout pool that the admin role may change, each within a hard cap
/// fixed in the code, and the pause switch. Pause stops new stakes into rounds and the routing of
/// payouts by allocation (payouts of claims made while paused go to the owner's liquid balance);
/// it never blocks withdrawing liquid balance, requesting, reducing, cancelling or unlocking a
/// stake decrease, or claiming round results.
interface IPayoutPoolGovernance {
    /// @notice The admin-settable parameters.
    /// @param freeWithdrawalPeriod Seconds between two free withdrawals of one user.
    /// @param trancheInterval Seconds between two 25% unlock tranches of a stake decrease.
    /// @param expressFeeBps Proportional part of the express-withdrawal fee, in basis points.
    /// @param expressFlatFee Flat part of the express-withdrawal fee, in NMR wei.
    /// @param expressFeeCap Largest express-withdrawal fee, in NMR wei.
    struct Params {
        uint32 freeWithdrawalPeriod;
        uint32 trancheInterval;
        uint16 expressFeeBps;
        uint80 expressFlatFee;
        uint80 expressFeeCap;
    }

    /// @notice Emitted when the admin changes the parameters.
    event ParamsUpdated(Params params);
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

    /// @notice Sets all parameters at once. Admin only. Bounds: freeWithdrawalPeriod 1–30 days,
    /// trancheInterval 1 hour–7 days, expressFeeBps ≤ 500, expressFlatFee ≤ 10 NMR,
    /// expressFeeCap ≤ 50 NMR.
    function setParams(Params calldata params) external;

    /// @notice Sets the treasury that `collectFees` pays. Admin only.
    function setTreasury(address treasury) external;

    /// @notice Pauses or unpauses (see the contract notes for what pause stops). Admin only.
    function setPaused(bool paused) external;

    /// @notice Sends all accrued express fees to the treasury. Anyone may call.
    function collectFees() external;

    /// @notice The current parameters.
    function params() external view returns (Params memory);

    /// @notice The treasury.
    function treasury() external view returns (address);

    /// @notice Whether the pool is paused.
    function paused() external view returns (bool);

    /// @notice Express fees accrued and not yet collected.
    function accruedFees() external view returns (uint256);
}
